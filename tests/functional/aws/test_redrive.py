"""A retry on AWS is RedriveExecution of the process's STANDARD execution.

moto 5.2.5 does not implement RedriveExecution (it raises NotImplementedError), so the request
the executor sends, and how it reads Step Functions' refusals, are tested with botocore's
Stubber on a real client; the run in moto is skipped with that reason (and fails instead when
moto starts implementing it: then write that test).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from automations.adapters.aws.stepfunctions import REDRIVE_RULES, StepFunctionsExecutor
from automations.model.process import ProcessRecord
from automations.model.scenario import ScenarioVersion
from automations.ports import ExecutionRequest, RedriveRefused

REGION = "eu-west-1"
MACHINE = f"arn:aws:states:{REGION}:123456789012:stateMachine:stack-order-std"
EXECUTION = f"arn:aws:states:{REGION}:123456789012:execution:stack-order-std:p-1"
REQUEST = ExecutionRequest(
    process_id="p-1",
    definition={"StartAt": "A", "States": {"A": {"Type": "Succeed"}}},
    definition_key="order/1",
    input={},
    scenario_id="order",
)


class NamedMachines:
    """`Machines.machine_arn` for one machine: the executor names the execution with it (an
    execution keeps its version: redriving it needs no version)."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    def machine_arn(self, scenario_id: str, flavour: str) -> str:
        self.asked.append((scenario_id, flavour))
        return MACHINE


class NoStore:
    def get(self, process_id: str) -> ProcessRecord | None:
        return None

    def get_version(self, scenario_id: str, version: int) -> ScenarioVersion | None:
        return None


@pytest.fixture
def stubbed() -> Iterator[tuple[StepFunctionsExecutor, Stubber, NamedMachines]]:
    client = boto3.client(
        "stepfunctions",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    machines = NamedMachines()
    executor = StepFunctionsExecutor(
        client, machines, processes=NoStore(), versions=NoStore(), sync_call=lambda **_: {}
    )  # type: ignore[arg-type]
    with Stubber(client) as stubber:
        yield executor, stubber, machines
        stubber.assert_no_pending_responses()
    executor.close()


def never(end: Any) -> None:
    raise AssertionError("on AWS the end arrives as a status-change event, not through on_end")


def test_a_retry_redrives_the_process_execution(
    stubbed: tuple[StepFunctionsExecutor, Stubber, NamedMachines],
) -> None:
    executor, stubber, machines = stubbed
    stubber.add_response(
        "redrive_execution",
        {"redriveDate": "2026-01-02T03:04:05Z"},
        expected_params={"executionArn": EXECUTION},
    )
    executor.redrive(REQUEST, None, never)
    assert machines.asked == [("order", "STANDARD")]


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (
            "ExecutionNotRedrivable",
            "Execution redrivable period exceeded. (" + REDRIVE_RULES + ")",
        ),
        ("ExecutionDoesNotExist", "its execution is gone from Step Functions"),
    ],
)
def test_a_refused_redrive_says_why(
    stubbed: tuple[StepFunctionsExecutor, Stubber, NamedMachines], code: str, says: str
) -> None:
    executor, stubber, _ = stubbed
    stubber.add_client_error(
        "redrive_execution",
        service_error_code=code,
        service_message="Execution redrivable period exceeded.",
        http_status_code=400,
        expected_params={"executionArn": EXECUTION},
    )
    with pytest.raises(RedriveRefused) as refused:
        executor.redrive(REQUEST, None, never)
    assert refused.value.message == says
    assert "14 days" in REDRIVE_RULES and "EXPRESS" in REDRIVE_RULES


def test_changed_variables_are_refused_before_any_call(
    stubbed: tuple[StepFunctionsExecutor, Stubber, NamedMachines],
) -> None:
    executor, _, machines = stubbed  # (the Stubber fails any call it was not given)
    with pytest.raises(RedriveRefused, match="cannot change them: retry without variables"):
        executor.redrive(REQUEST, {"order": {"code": "42"}}, never)
    assert machines.asked == []


def test_a_retry_in_moto() -> None:
    with mock_aws():
        client = boto3.client("stepfunctions", region_name=REGION)
        try:
            client.redrive_execution(executionArn=EXECUTION)
        except NotImplementedError:
            pytest.skip(
                "moto 5.2.5 does not implement RedriveExecution: the request the executor "
                "sends and the refusals it reads are tested with botocore's Stubber above"
            )
        except client.exceptions.ExecutionDoesNotExist:
            pass
    pytest.fail("moto implements RedriveExecution now: test a retry end to end in moto here")
