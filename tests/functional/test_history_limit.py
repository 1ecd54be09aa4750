"""Step Functions' history quota, held by the embedded engine as AWS documents it: a STANDARD
execution's history holds at most 25,000 events; when event 25,000 would be anything but
`ExecutionSucceeded`, it is `ExecutionFailed` with `States.Runtime` "The execution reached the
maximum number of history events (25000)." (the AWS guide "Avoid reaching the history quota"),
which no Retry or Catch sees. EXPRESS executions keep no history there and have no such quota.

Moto's interpreter holds no history quota, so the AWS side is checked where it differs from
moto: the end Step Functions reports for such an execution (its status-change event) gives the
process the same error as the embedded run.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.aws.history import ended
from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.asl import Definition, Engine, VirtualClock
from automations.asl.errors import MAX_HISTORY_EVENTS
from automations.model.event import EventType
from automations.model.process import ProcessRecord, ProcessStatus
from automations.service.errors import ProcessNotRetryable
from automations.service.outcome import ended_as
from automations.service.processes import Start
from automations.service.scenarios import compile_bpmn, save_scenario
from automations.service.sync_runs import SYNC_LIMIT_TEXT
from automations.service.variables import Trigger
from automations.settings import Settings

MESSAGE = "The execution reached the maximum number of history events (25000)."
BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:auto="urn:automations:bpmn:1" id="D" targetNamespace="urn:t">
  <bpmn:process id="counting" isExecutable="true">
    <bpmn:startEvent id="Begin"/>
    <bpmn:task id="Count">
      <bpmn:extensionElements>
        <auto:output name="i" value="{% ($i ? $i : 0) + 1 %}"/>
      </bpmn:extensionElements>
    </bpmn:task>
    <bpmn:exclusiveGateway id="More" default="enough"/>
    <bpmn:endEvent id="Done"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Begin" targetRef="Count"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Count" targetRef="More"/>
    <bpmn:sequenceFlow id="again" sourceRef="More" targetRef="Count">
      <bpmn:conditionExpression>{% $i &lt; $times %}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="enough" sourceRef="More" targetRef="Done"/>
  </bpmn:process>
</bpmn:definitions>
"""
WAIT_SECONDS = 60.0


def loop(*, caught: bool = False) -> dict[str, Any]:
    """A Pass-and-Choice loop `$times` round (4 events a round; 8 more around it), inside a
    Parallel whose Catch takes every error when `caught`."""
    states: dict[str, Any] = {
        "Init": {"Type": "Pass", "Assign": {"i": 0}, "Next": "Count"},
        "Count": {"Type": "Pass", "Assign": {"i": "{% $i + 1 %}"}, "Next": "More"},
        "More": {
            "Type": "Choice",
            "Choices": [{"Condition": "{% $i < $states.input.times %}", "Next": "Count"}],
            "Default": "Tally",
        },
        "Tally": {"Type": "Pass", "Next": "Done"},
        "Done": {"Type": "Succeed", "Output": {"i": "{% $i %}"}},
    }
    if not caught:
        return {"QueryLanguage": "JSONata", "StartAt": "Init", "States": states}
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "Scope",
        "States": {
            "Scope": {
                "Type": "Parallel",
                "Arguments": {"times": "{% $states.input.times %}"},
                "Branches": [{"StartAt": "Init", "States": states}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Rescued"}],
                "End": True,
            },
            "Rescued": {"Type": "Succeed"},
        },
    }


def run(definition: dict[str, Any], times: int, flavour: str = "STANDARD") -> Any:
    engine = Engine(clock=VirtualClock())
    parsed = Definition.parse(definition, state_machine_type=flavour)  # type: ignore[arg-type]
    return asyncio.run(
        engine.start(parsed, {"times": times}, state_machine_type=flavour)  # type: ignore[arg-type]
    )


def test_a_success_that_is_event_25000_still_succeeds_one_round_more_fails() -> None:
    # 4 events a round and 8 around them: 6,248 rounds end at event 25,000 exactly.
    at_limit = run(loop(), 6248)
    assert (at_limit.status, len(at_limit.history)) == ("SUCCEEDED", MAX_HISTORY_EVENTS)
    assert at_limit.history[-1]["type"] == "ExecutionSucceeded"
    assert at_limit.output == {"i": 6248}

    past = run(loop(), 6249)
    assert (past.status, past.error, past.cause) == ("FAILED", "States.Runtime", MESSAGE)
    assert len(past.history) == MAX_HISTORY_EVENTS
    last = past.history[-1]
    assert last["type"] == "ExecutionFailed"
    assert last["executionFailedEventDetails"] == {"error": "States.Runtime", "cause": MESSAGE}


def test_no_catch_sees_the_history_quota() -> None:
    result = run(loop(caught=True), 10_000)
    assert (result.status, result.error, result.cause) == ("FAILED", "States.Runtime", MESSAGE)
    entered = [
        event["stateEnteredEventDetails"]["name"]
        for event in result.history
        if "stateEnteredEventDetails" in event
    ]
    assert "Rescued" not in entered


def test_an_express_execution_has_no_history_quota() -> None:
    result = run(loop(), 10_000, flavour="EXPRESS")
    assert (result.status, result.output) == ("SUCCEEDED", {"i": 10_000})


# --- a process on the embedded runtime, and the same end reported by AWS ----------------------


@pytest.fixture
def runtime(tmp_path: Path) -> Any:
    built = build_runtime(tmp_path / "limit.db", Settings(demo=False))
    save_scenario(built.automation.scenarios, "counting", BPMN)
    built.start()
    yield built
    built.close()


def background(runtime: LocalRuntime, times: int) -> ProcessRecord:
    trigger = Trigger(EventType.MANUAL, "test", None, sync=False, facts={"times": times})
    queued = runtime.automation.processes.enqueue(Start("counting", trigger))
    assert queued is not None
    runtime.automation.processes.pump()
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        process = runtime.automation.processes.get(queued.id)
        if process.status not in (ProcessStatus.QUEUED, ProcessStatus.RUNNING):
            return process
        assert time.monotonic() < deadline, f"{queued.id} is still {process.status}"
        time.sleep(0.05)


def test_a_10000_round_loop_fails_as_on_aws_and_a_1000_round_one_completes(
    runtime: LocalRuntime,
) -> None:
    short = background(runtime, 1_000)
    assert short.status is ProcessStatus.COMPLETED, short.error
    assert short.output is not None and short.output["i"] == 1_000

    long = background(runtime, 10_000)
    assert long.status is ProcessStatus.ERROR
    assert long.error is not None
    assert (long.error.code, long.error.message) == ("States.Runtime", MESSAGE)
    assert long.error.element in {"Count", "More"}  # where the loop was at event 25,000
    assert long.output is not None and 6_000 < long.output["i"] < 6_300  # kept at the failure
    assert len(long.trace) > 12_000  # its path up to there

    # Step Functions redrives no execution whose history reached the quota: neither here.
    with pytest.raises(ProcessNotRetryable, match="reached 25,000"):
        runtime.automation.processes.retry(long.id)

    # The same end as Step Functions reports it (status, error and cause of the execution
    # status-change event, over the history it ends): the same error for the process.
    history = runtime_history(long)
    aws_end = ended("FAILED", None, "States.Runtime", MESSAGE, history)
    status, _, failure = ended_as(
        aws_end.status, aws_end.output, aws_end.error, aws_end.cause, aws_end.history
    )
    assert status == "error" and failure is not None
    assert (failure.code, failure.message, failure.element) == (
        long.error.code,
        long.error.message,
        long.error.element,
    )


def runtime_history(process: ProcessRecord) -> list[dict[str, Any]]:
    """The engine's history of a 10,000-round run (the embedded one, to stand in for what
    GetExecutionHistory would give on AWS)."""
    scenario = save_definition()
    result = asyncio.run(
        Engine(clock=VirtualClock()).start(scenario, process.input, state_machine_type="STANDARD")
    )
    assert len(result.history) == MAX_HISTORY_EVENTS
    return list(result.history)


def save_definition() -> Definition:
    _, compiled = compile_bpmn(BPMN)
    return Definition.parse(compiled)


# --- the README's table of limits -----------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def readme_limits() -> dict[str, tuple[str, str]]:
    """The README's limits table: limit -> (in both runtimes, what a process ends with)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("| limit | in both runtimes |", 1)[1].split("\n\n", 1)[0]
    rows = [line.split(" | ") for line in table.splitlines()[2:]]
    return {row[0].strip("| "): (row[1], row[2].rstrip(" |")) for row in rows}


def test_the_readme_limits_table_says_what_both_runtimes_do() -> None:
    from cfnlint.decode import cfn_yaml

    from automations import settings as limits
    from automations.asl.options import EngineOptions
    from automations.service.outcome import ended_as as end_of

    rows = readme_limits()
    template = cfn_yaml.load(str(ROOT / "template.yaml"))["Parameters"]
    defaults = Settings()

    history_row = rows["history events"]
    assert f"{MAX_HISTORY_EVENTS:,} per process" in history_row[0]
    assert EngineOptions().max_history_events == MAX_HISTORY_EVENTS
    assert f'`States.Runtime` "{MESSAGE}"' in history_row[1]  # the engine's, pinned above

    data_row = rows["data per step"]
    assert f"{limits.MAX_STATE_BYTES:,} bytes at most" in data_row[0]
    assert template["MaxProcessDataBytes"]["MaxValue"] == limits.MAX_STATE_BYTES
    big = {
        "QueryLanguage": "JSONata",
        "StartAt": "Big",
        "States": {"Big": {"Type": "Pass", "Output": "{% $pad('', 300000, 'x') %}", "End": True}},
    }
    too_big = asyncio.run(Engine(clock=VirtualClock()).start(big, {}))
    assert too_big.error == "States.DataLimitExceeded"
    assert f'`{too_big.error}` "{too_big.cause}"' in data_row[1].replace("<element>", "Big")

    time_row = rows["time per process"]
    assert f"at most {limits.MAX_PROCESS_SECONDS:,} s" in time_row[0]
    assert template["ProcessTimeoutSeconds"]["MaxValue"] == limits.MAX_PROCESS_SECONDS
    # A timed-out execution names no error on AWS nor here: the same words for both.
    _, _, timed_out = end_of("TIMED_OUT", None, None, None, [])
    assert timed_out is not None
    assert f'`{timed_out.code}` "{timed_out.message}"' in time_row[1]

    sync_row = rows["a run someone waits for"]
    seconds = defaults.sync_timeout_seconds
    assert f"{seconds:g} s by default, {limits.MAX_SYNC_SECONDS:g} at most" in sync_row[0]
    assert template["SyncTimeoutSeconds"]["Default"] == seconds
    assert template["SyncTimeoutSeconds"]["MaxValue"] == limits.MAX_SYNC_SECONDS < 29
    said = SYNC_LIMIT_TEXT.format(seconds=seconds)
    assert f'`Process.Timeout` "{said}"' in sync_row[1]
