"""`process.start` in the embedded server: the child is a process of its own (stored, one chain
step deeper), waited for or not; and in a bare engine (`automations run`), nested."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.cli import main
from automations.model.process import FINAL_STATUSES, ProcessRecord, ProcessStatus
from automations.ports import ProcessQuery
from automations.service.manual import run_manual
from automations.service.scenarios import save_scenario
from automations.settings import Settings
from support.process_start_scenarios import child, failing, starter

MAX_CHAIN = 3
DEADLINE_SECONDS = 20.0  # bounds a hang only: nothing asserts how long anything took


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalRuntime]:
    runtime = build_runtime(tmp_path / "app.db", Settings(demo=False, max_chain_depth=MAX_CHAIN))
    runtime.start()
    store = runtime.automation.scenarios
    save_scenario(store, "double", child())
    save_scenario(store, "failing", failing())
    yield runtime
    runtime.close()


def run(runtime: LocalRuntime, scenario_id: str, variables: dict[str, object]) -> ProcessRecord:
    return run_manual(runtime.automation.processes, scenario_id, variables, user_id=None)


def stored(runtime: LocalRuntime, process_id: str) -> ProcessRecord:
    found = runtime.automation.processes.deps.processes.get(process_id)
    assert found is not None, f"no process {process_id}"
    return found


def ended(runtime: LocalRuntime, process_id: str) -> ProcessRecord:
    """The process once it is final (polled; bounded)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while (process := stored(runtime, process_id)).status not in FINAL_STATUSES:
        assert time.monotonic() < deadline, f"{process_id} is still {process.status}"
        time.sleep(0.01)
    return process


def every_process(runtime: LocalRuntime) -> list[ProcessRecord]:
    return runtime.automation.processes.find(ProcessQuery(limit=1000))


def test_a_waited_start_returns_the_childs_variables(runtime: LocalRuntime) -> None:
    save_scenario(
        runtime.automation.scenarios, "parent", starter("parent", "double", "{% {'n': $n} %}", True)
    )
    parent = run(runtime, "parent", {"n": 21})

    assert parent.status is ProcessStatus.COMPLETED, parent.error
    started = parent.output["started"]
    assert (started["status"], started["variables"]["doubled"]) == ("completed", 42)
    child_process = stored(runtime, started["processId"])
    assert child_process.scenario_id == "double"
    assert child_process.status is ProcessStatus.COMPLETED
    assert child_process.depth == parent.depth + 1
    # Started by the parent: its `$event.id` names it.
    assert started["variables"]["seen"] == parent.id
    assert child_process.event.id == parent.id and child_process.event.type == "$manual"


def test_a_start_not_waited_for_returns_the_childs_id_at_once(runtime: LocalRuntime) -> None:
    save_scenario(
        runtime.automation.scenarios,
        "parent",
        starter("parent", "double", "{% {'n': $n} %}", False),
    )
    parent = run(runtime, "parent", {"n": 5})

    assert parent.status is ProcessStatus.COMPLETED, parent.error
    started = parent.output["started"]
    assert started["variables"] is None
    assert started["status"] in {"queued", "running", "completed"}
    child_process = ended(runtime, started["processId"])
    assert child_process.status is ProcessStatus.COMPLETED
    assert child_process.output["doubled"] == 10
    assert child_process.event.async_ is True  # nobody waits for it


def test_the_scenario_may_come_from_a_variable(runtime: LocalRuntime) -> None:
    save_scenario(
        runtime.automation.scenarios,
        "parent",
        starter("parent", "{% $which %}", "{% {'n': 4} %}", True),
    )
    parent = run(runtime, "parent", {"which": "double"})
    assert parent.output["started"]["variables"]["doubled"] == 8


def test_a_child_that_fails_is_process_failed_naming_its_error(runtime: LocalRuntime) -> None:
    save_scenario(
        runtime.automation.scenarios,
        "parent",
        starter("parent", "failing", "{% {} %}", True, catch="process.failed"),
    )
    parent = run(runtime, "parent", {})

    assert parent.status is ProcessStatus.COMPLETED, parent.error
    failure = parent.output["failure"]
    assert failure["code"] == "process.failed"
    assert "child.refused" in failure["message"] and "Refuse" in failure["message"]
    failed_child = [p for p in every_process(runtime) if p.scenario_id == "failing"]
    assert [p.status for p in failed_child] == [ProcessStatus.ERROR]


def test_a_scenario_that_has_no_version_is_process_not_found(runtime: LocalRuntime) -> None:
    save_scenario(
        runtime.automation.scenarios,
        "parent",
        starter("parent", "nowhere", "{% {} %}", True, catch=""),
    )
    parent = run(runtime, "parent", {})

    assert parent.output["failure"]["code"] == "process.not_found"
    assert "nowhere" in parent.output["failure"]["message"]


def test_invalid_inputs_are_the_components_input_error(runtime: LocalRuntime) -> None:
    save_scenario(
        runtime.automation.scenarios,
        "parent",
        starter("parent", "double", "{% 'not an object' %}", True),
    )
    parent = run(runtime, "parent", {})

    assert parent.status is ProcessStatus.ERROR
    assert parent.error is not None and parent.error.code == "Component.InvalidInput"
    assert "variables" in parent.error.message


@pytest.mark.parametrize("wait", [True, False])
def test_a_scenario_starting_itself_ends_at_the_chain_limit(
    runtime: LocalRuntime, wait: bool
) -> None:
    save_scenario(
        runtime.automation.scenarios, "again", starter("again", "again", "{% {} %}", wait)
    )
    top = run(runtime, "again", {})
    # Depths 0 (the manual run) to MAX_CHAIN - 1 ran; the start at MAX_CHAIN was refused.
    deadline = time.monotonic() + DEADLINE_SECONDS
    while len(processes := every_process(runtime)) < MAX_CHAIN + 1 or any(
        p.status not in FINAL_STATUSES for p in processes
    ):
        assert time.monotonic() < deadline, [(p.depth, p.status) for p in processes]
        time.sleep(0.01)

    by_depth = {p.depth: p for p in processes}
    assert sorted(by_depth) == list(range(MAX_CHAIN + 1))
    refused = by_depth[MAX_CHAIN]
    assert refused.error is not None and refused.error.code == "Process.ChainTooDeep"
    last_to_run = by_depth[MAX_CHAIN - 1]
    assert last_to_run.error is not None
    assert last_to_run.error.code == "process.chain_too_deep"
    assert "AUTOMATIONS_MAX_CHAIN_DEPTH" in last_to_run.error.message
    if wait:  # each waiting parent fails with its child
        assert top.error is not None and top.error.code == "process.failed"
    else:  # nobody waited: only the start that was refused failed its process
        assert [by_depth[d].status for d in range(MAX_CHAIN - 1)] == [ProcessStatus.COMPLETED] * (
            MAX_CHAIN - 1
        )


# --- a bare engine: automations run ---------------------------------------------------------


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.bpmn"
    path.write_text(text, encoding="utf-8")
    return path


def run_file(
    path: Path, variables: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> dict[str, Any]:
    main(["run", str(path), "--input", json.dumps(variables), "--json"])
    answer: dict[str, Any] = json.loads(capsys.readouterr().out)
    return answer


@pytest.mark.parametrize("wait", [True, False])
def test_automations_run_starts_the_file_beside_it_as_a_nested_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], wait: bool
) -> None:
    write(tmp_path, "double", child())
    parent = write(tmp_path, "parent", starter("parent", "double", "{% {'n': $n} %}", wait))

    result = run_file(parent, {"n": 3}, capsys)

    assert result["status"] == "completed", result
    started = result["output"]["started"]
    assert started["status"] == "completed" and started["processId"]
    if wait:
        assert (started["variables"]["n"], started["variables"]["doubled"]) == (3, 6)
    else:
        assert started["variables"] is None


def test_automations_run_holds_the_chain_limit_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    again = write(tmp_path, "again", starter("again", "again", "{% {} %}", True))

    result = run_file(again, {}, capsys)

    assert result["status"] == "error"
    assert result["error"]["code"] == "process.failed"
    assert "process.chain_too_deep" in result["error"]["message"]


def test_automations_run_names_a_scenario_that_is_not_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = write(tmp_path, "parent", starter("parent", "missing", "{% {} %}", True))
    result = run_file(parent, {}, capsys)
    assert result["error"]["code"] == "process.not_found"
    assert "missing" in result["error"]["message"]
