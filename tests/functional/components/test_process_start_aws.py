"""`process.start` on the AWS path: the step-runner function of `process.start` over an
`AwsRuntime` on moto (DynamoDB process store, Step Functions machines and executions, with the
differential harness's patches), every call it makes checked against the template's policies
for StepProcessStart."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import boto3
import handler_support as support
import iam_support as iam
import pytest
import sfn_support

from automations.adapters.aws.runtime import AwsRuntime
from automations.adapters.aws.tables import create_tables
from automations.model.process import EventRef, ProcessRecord, ProcessStatus
from automations.service.scenarios import save_scenario
from support.process_start_scenarios import child

# powertools warns when an invocation added no metric but the cold-start one (as on Lambda).
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics:UserWarning")
TABLES = {"Records": "test-records", "Automations": "test-automations"}
MAX_CHAIN = 3
PARENT = "p-parent"


class Deployment:
    """The process.start function over a runtime whose executions run in moto."""

    def __init__(self, moto: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        for name in sfn_support.registry.names():
            moto._function_arn(name)  # the harness's component functions
        account = moto._role.split(":")[4]
        region = sfn_support.REGION
        prefix = f"arn:aws:lambda:{region}:{account}:function:{sfn_support.FUNCTION_PREFIX}"
        support.handler_env(
            monkeypatch,
            TABLES,
            STATE_MACHINE_ROLE_ARN=moto._role,
            COMPONENT_FUNCTION_PREFIX=prefix,
            COMPONENT="process.start",
            AUTOMATIONS_MAX_CHAIN_DEPTH=str(MAX_CHAIN),
        )
        create_tables(boto3.client("dynamodb", region_name=region), TABLES)
        self.sync_call = sfn_support.MotoSyncCall(moto.sfn)
        self.recorder = iam.Recorder(TABLES)
        self.runtime: AwsRuntime = support.install_runtime(
            sync_call=self.sync_call, session=self.recorder.session
        )
        save_scenario(self.runtime.automation.scenarios, "double", child())
        self.handler = support.load_handler("step-runner").handler
        self.sfn = moto.sfn
        self.account = account

    def parent(self, depth: int) -> str:
        """The running process whose component calls the function; its execution ARN."""
        self.runtime.process_store.create(
            ProcessRecord(
                id=PARENT,
                scenario_id="orders",
                scenario_version=1,
                event=EventRef.model_validate({"id": "e", "type": "$manual", "async": True}),
                depth=depth,
                status=ProcessStatus.RUNNING,
                queued_at=datetime(2026, 11, 28, tzinfo=UTC),
            )
        )
        return f"arn:aws:states:{sfn_support.REGION}:{self.account}:execution:orders-std-0:{PARENT}"

    def start(self, execution: str, **inputs: Any) -> Any:
        event = {"inputs": inputs, "context": {"executionId": execution, "elementId": "Start1"}}
        with self.recorder.recording():
            return self.handler(event, support.LambdaContext())

    def process(self, process_id: str) -> ProcessRecord:
        found = self.runtime.process_store.get(process_id)
        assert found is not None
        return found


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployment]:
    with sfn_support.moto_support.moto_step_functions() as moto:
        deployed = Deployment(moto, monkeypatch)
        try:
            yield deployed
        finally:
            deployed.runtime.executor.close()
        # Everything the function did, its policies allow (StartSyncExecution goes through the
        # test double, outside the recorded session). The harness's moto region stands for the
        # deployment's, which the policies are read in.
        requests = [
            replace(r, resource=r.resource.replace(f":{sfn_support.REGION}:", f":{iam.REGION}:"))
            for r in deployed.recorder.requests
        ]
        assert iam.denied("StepProcessStart", requests) == []


def test_a_waited_start_runs_the_child_and_returns_its_variables(deployment: Deployment) -> None:
    execution = deployment.parent(depth=1)

    result = deployment.start(execution, scenarioId="double", variables={"n": 21})

    assert (result["status"], result["variables"]["doubled"]) == ("completed", 42)
    assert result["variables"]["seen"] == PARENT
    started = deployment.process(result["processId"])
    assert (started.status, started.depth, started.event.id) == (
        ProcessStatus.COMPLETED,
        2,
        PARENT,
    )
    # It ran while the function waited: on the EXPRESS machine, through StartSyncExecution.
    (call,) = deployment.sync_call.calls
    assert call["name"] == result["processId"]
    assert ":stateMachine:automations-double-exp:" in call["stateMachineArn"]  # a version


def test_a_start_not_waited_for_starts_an_execution_and_returns_at_once(
    deployment: Deployment,
) -> None:
    execution = deployment.parent(depth=0)

    result = deployment.start(execution, scenarioId="double", variables={"n": 4}, wait=False)

    assert (result["status"], result["variables"]) == ("running", None)
    assert deployment.sync_call.calls == []
    # A STANDARD execution named after the process; its end reaches the process as the
    # dispatcher's status-change event does.
    arn = deployment.runtime.executor._standard_execution(result["processId"])
    assert arn is not None
    sfn_support.finished(deployment.sfn, arn)
    event = sfn_support.status_change_event(deployment.sfn, arn)
    finished = deployment.runtime.finish_execution(event["detail"])
    assert finished is not None
    assert (finished.status, finished.output["doubled"]) == (ProcessStatus.COMPLETED, 8)
    assert finished.depth == 1


def test_at_the_chain_limit_the_start_is_refused_with_its_code(deployment: Deployment) -> None:
    execution = deployment.parent(depth=MAX_CHAIN - 1)

    with pytest.raises(Exception) as refused:
        deployment.start(execution, scenarioId="double", variables={"n": 1})

    assert type(refused.value).__name__ == "process.chain_too_deep"
    assert "AUTOMATIONS_MAX_CHAIN_DEPTH" in str(refused.value)
    assert deployment.sync_call.calls == []


def test_an_unknown_scenario_is_process_not_found(deployment: Deployment) -> None:
    execution = deployment.parent(depth=0)

    with pytest.raises(Exception) as refused:
        deployment.start(execution, scenarioId="nowhere", wait=False)

    assert type(refused.value).__name__ == "process.not_found"
