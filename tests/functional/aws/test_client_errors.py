"""ClientError codes -> what they mean to the adapters, read in one place (client_errors)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from automations.adapters.aws import dynamo
from automations.adapters.aws.client_errors import (
    Meaning,
    error_code,
    meaning,
    step_functions_failed,
    transaction_cancelled,
)
from automations.adapters.aws.errors import StepFunctionsFailed


def refusal(code: str, message: str = "", **extra: Any) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}, **extra}, "AnOperation")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ConditionalCheckFailedException", Meaning.CONDITION_FAILED),
        ("TransactionCanceledException", Meaning.CANCELLED),
        ("StateMachineAlreadyExists", Meaning.ALREADY_EXISTS),
        ("ExecutionAlreadyExists", Meaning.ALREADY_EXISTS),
        ("ResourceNotFoundException", Meaning.NOT_FOUND),
        ("ExecutionDoesNotExist", Meaning.NOT_FOUND),
        ("ThrottlingException", Meaning.UNAVAILABLE),
        ("ProvisionedThroughputExceededException", Meaning.UNAVAILABLE),
        ("AccessDeniedException", None),  # nothing an adapter handles: it goes on as it came
    ],
)
def test_each_code_has_one_meaning(code: str, expected: Meaning | None) -> None:
    assert (error_code(refusal(code)), meaning(refusal(code))) == (code, expected)


def test_other_exceptions_have_no_code() -> None:
    assert (error_code(ValueError("x")), meaning(KeyError("Error"))) == (None, None)


def test_an_unhandled_step_functions_refusal_becomes_our_error() -> None:
    failed = step_functions_failed("StartExecution", refusal("AccessDeniedException", "no"))
    assert isinstance(failed, StepFunctionsFailed)
    assert (failed.code, str(failed)) == (
        "AccessDeniedException",
        "StartExecution: AccessDeniedException: no",
    )


def test_a_cancelled_transaction_says_which_condition_failed() -> None:
    reasons = [{"Code": "None"}, {"Code": "ConditionalCheckFailed", "Message": "x"}]
    cancelled = transaction_cancelled(
        refusal("TransactionCanceledException", CancellationReasons=reasons)
    )
    assert cancelled is not None
    assert (cancelled.reasons, cancelled.failed(0), cancelled.failed(1)) == (
        ["None", "ConditionalCheckFailed"],
        False,
        True,
    )
    assert transaction_cancelled(refusal("ConditionalCheckFailedException")) is None


def test_a_failed_condition_on_dynamodb_is_a_write_not_done(tables: dict[str, str]) -> None:
    client = boto3.client("dynamodb")
    table = tables["Automations"]
    key = {"pk": "TEST", "sk": "1"}
    assert dynamo.put_new(client, table, key, "pk")
    assert not dynamo.put_new(client, table, key, "pk")  # moto's real ClientError, translated
    with pytest.raises(ClientError) as other:  # any other refusal goes on as it came
        dynamo.condition_held(lambda: client.get_item(TableName="no-such-table", Key={}))
    assert meaning(other.value) is Meaning.NOT_FOUND
