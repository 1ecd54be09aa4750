"""AWS's refusals read in one place: a botocore `ClientError`'s code -> what it means here.

botocore raises every refusal as a `ClientError` whose `response["Error"]["Code"]` names it.
The adapters never look inside one: they ask what it means (`meaning(exc)`) or have it turned
into the project's error (`step_functions_failed`, `transaction_cancelled`). A code the table
does not list means nothing in particular, and the adapter lets the error go on as it came.

Reading works on any exception (a non-ClientError has no code), so that the DynamoDB helpers
need no botocore import.
"""

from __future__ import annotations

from enum import Enum
from types import MappingProxyType
from typing import Any

from automations.adapters.aws.errors import StepFunctionsFailed, TransactionCancelled


class Meaning(Enum):
    """What a refused call tells the adapter that made it."""

    CONDITION_FAILED = "condition_failed"  # a write's condition did not hold: exists, gone, moved
    ALREADY_EXISTS = "already_exists"  # the name is taken (a state machine, an execution)
    NOT_FOUND = "not_found"  # what the call names does not exist (a machine, a secret)
    CANCELLED = "cancelled"  # a DynamoDB transaction: its reasons say which action failed
    NOT_REDRIVABLE = "not_redrivable"  # RedriveExecution: the execution cannot go on
    CONFLICT = "conflict"  # Step Functions: another call is publishing the same machine
    # Throttled or down after botocore's own retries. Nothing acts on it yet: such an error
    # goes on as it came (a 500 from the API, a failed Lambda invocation that is retried).
    UNAVAILABLE = "unavailable"


MEANINGS = MappingProxyType(
    {
        "ConditionalCheckFailedException": Meaning.CONDITION_FAILED,
        "TransactionCanceledException": Meaning.CANCELLED,
        "StateMachineAlreadyExists": Meaning.ALREADY_EXISTS,
        "ExecutionAlreadyExists": Meaning.ALREADY_EXISTS,
        "ResourceNotFoundException": Meaning.NOT_FOUND,
        "StateMachineDoesNotExist": Meaning.NOT_FOUND,
        "ExecutionDoesNotExist": Meaning.NOT_FOUND,
        "ExecutionNotRedrivable": Meaning.NOT_REDRIVABLE,
        "ConflictException": Meaning.CONFLICT,
        # S3: GetObject says NoSuchKey; HeadObject has no body, only its status.
        "NoSuchKey": Meaning.NOT_FOUND,
        "404": Meaning.NOT_FOUND,
        "ThrottlingException": Meaning.UNAVAILABLE,
        "ProvisionedThroughputExceededException": Meaning.UNAVAILABLE,
        "RequestLimitExceeded": Meaning.UNAVAILABLE,
        "InternalServerError": Meaning.UNAVAILABLE,
        "InternalServiceError": Meaning.UNAVAILABLE,
        "ServiceUnavailable": Meaning.UNAVAILABLE,
    }
)

# Reasons DynamoDB gives, one per action, when it cancels a transaction.
CONDITION_FAILED_REASON = "ConditionalCheckFailed"
CONFLICT_REASON = "TransactionConflict"  # another transaction held an item: worth retrying


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ClientError (None for any other exception)."""
    code = _error(exc).get("Code")
    return code if isinstance(code, str) else None


def meaning(exc: BaseException) -> Meaning | None:
    """What the refusal means to the adapter (None: nothing it handles)."""
    code = error_code(exc)
    return None if code is None else MEANINGS.get(code)


def step_functions_failed(action: str, exc: BaseException) -> StepFunctionsFailed:
    """Our error for a Step Functions call that failed in a way the adapter does not handle."""
    return StepFunctionsFailed(action, error_code(exc) or "", str(_error(exc).get("Message", "")))


def transaction_cancelled(exc: BaseException) -> TransactionCancelled | None:
    """Our error for a cancelled DynamoDB transaction (None when `exc` is not one)."""
    if meaning(exc) is not Meaning.CANCELLED:
        return None
    response = getattr(exc, "response", None) or {}
    reasons = [str(r.get("Code", "None")) for r in response.get("CancellationReasons", [])]
    failed = [i for i, reason in enumerate(reasons) if reason == CONDITION_FAILED_REASON]
    return TransactionCancelled(reasons, failed)


def _error(exc: BaseException) -> dict[str, Any]:
    response = getattr(exc, "response", None)
    error = response.get("Error") if isinstance(response, dict) else None
    return error if isinstance(error, dict) else {}
