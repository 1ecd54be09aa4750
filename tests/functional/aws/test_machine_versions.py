"""Machine versions in moto: a running process keeps its version across saves, a queued one
starts on its own, old versions are pruned only when no execution can need them, a deleted
scenario keeps its machines."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sfn_support as sfn
from moto.awslambda_simple.models import LambdaSimpleBackend

from automations.adapters.aws.errors import MachineVersionGone
from automations.adapters.aws.machines import Machines
from automations.adapters.aws.provisioning import ProvisioningScenarioStore
from automations.ports import ExecutionRequest
from automations.service.scenarios import save_scenario

ENRICHMENT = sfn.EXPECTATIONS["parallel-enrichment"][0]["input"]


def bpmn(stem: str) -> str:
    return (sfn.EXAMPLES / f"{stem}.bpmn").read_text(encoding="utf-8")


@contextmanager
def held_components(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, ...]]:
    """Component calls wait for `release` (set `reached` first): an execution that is
    certainly still running while the test saves a new version."""
    reached, release = threading.Event(), threading.Event()
    invoke = LambdaSimpleBackend.invoke  # moto_support's: it runs the component

    def held(self: Any, *args: Any, **kwargs: Any) -> bytes:
        reached.set()
        release.wait(sfn.DEADLINE_SECONDS)
        return bytes(invoke(self, *args, **kwargs))

    monkeypatch.setattr(LambdaSimpleBackend, "invoke", held)
    try:
        yield reached, release
    finally:
        release.set()


def test_a_process_started_before_a_save_runs_its_own_version_to_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = bpmn("parallel-enrichment").replace("'Dear '", "'Hello '")
    assert changed != bpmn("parallel-enrichment")
    with sfn.world(tmp_path) as world:
        store = ProvisioningScenarioStore(world.scenarios, world.machines)
        save_scenario(store, "parallel-enrichment", bpmn("parallel-enrichment"))
        with held_components(monkeypatch) as (reached, release):
            before = world.enqueue("parallel-enrichment", ENRICHMENT)
            assert reached.wait(sfn.DEADLINE_SECONDS)  # it runs version 1, waiting in a task
            save_scenario(store, "parallel-enrichment", changed)
            release.set()
        old = sfn.finished(world.sfn, world.execution_of(before))
        after = world.enqueue("parallel-enrichment", ENRICHMENT)
        new = sfn.finished(world.sfn, world.execution_of(after))
        machine = world.machines.machine_arn("parallel-enrichment", "STANDARD")
        on_version = {
            n: [
                e["name"]
                for e in world.sfn.list_executions(stateMachineArn=f"{machine}:{n}")["executions"]
            ]
            for n in (1, 2)
        }
        count = world.machine_count()

    assert json.loads(old["output"])["greeting"].startswith("Dear ")
    assert json.loads(new["output"])["greeting"].startswith("Hello ")
    assert on_version == {1: [before], 2: [after]}
    assert count == 2  # STANDARD and EXPRESS, whatever the number of saves


def test_a_queued_process_of_an_older_version_starts_on_that_version(tmp_path: Path) -> None:
    changed = bpmn("order-approval").replace("{% 'manager' %}", "{% 'director' %}")
    with sfn.world(tmp_path) as world:
        store = ProvisioningScenarioStore(world.scenarios, world.machines)
        v1 = save_scenario(store, "order-approval", bpmn("order-approval"))
        save_scenario(store, "order-approval", changed)
        cold = Machines(  # another Lambda: it finds version 1 by its text
            world.sfn,
            role_arn=world.moto._role,
            component_arn=world.machines._component_arn,
            children=lambda sid: None,
        )
        found = cold.version_of("order-approval", "STANDARD", v1.compiled["STANDARD"])

    assert found == world.machines.machine_arn("order-approval", "STANDARD") + ":1"


def test_a_version_no_longer_kept_is_refused_unless_it_is_the_newest(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        machines = machines_in(world)
        machines.publish("s", "STANDARD", passing("one"))
        machines.publish("s", "STANDARD", passing("two"))
        with pytest.raises(MachineVersionGone, match="scenario s"):
            machines.version_of("s", "STANDARD", passing("zero"))
        published = machines.version_of("s", "STANDARD", passing("three"), lambda: True)
        current = json.loads(
            world.sfn.describe_state_machine(stateMachineArn=machines.machine_arn("s", "STANDARD"))[
                "definition"
            ]
        )

    assert published.endswith("s-std:3")
    assert current["States"]["P"]["Output"] == "three"


def test_a_version_pruned_by_another_lambda_is_looked_up_again(tmp_path: Path) -> None:
    request = ExecutionRequest("p-1", passing("one"), "s/1", {}, scenario_id="s")
    with sfn.world(tmp_path) as world:
        first = world.machines.publish("s", "STANDARD", passing("one"))  # remembered here
        world.machines.publish("s", "STANDARD", passing("two"))
        pruned = machines_in(world).prune("s", "STANDARD", keep=1)  # by another Lambda
        with pytest.raises(MachineVersionGone, match="scenario s"):
            world.executor.start(request, lambda end: None)

    assert pruned == [first]


def test_prune_deletes_only_versions_no_execution_may_need(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        machines = machines_in(world)
        running = machines.publish("s", "STANDARD", waiting())  # 1: an execution runs
        failed = machines.publish("s", "STANDARD", failing())  # 2: may be redriven
        succeeded = machines.publish("s", "STANDARD", passing("done"))  # 3: ended for good
        unused = machines.publish("s", "STANDARD", passing("unused"))  # 4: never started
        machines.publish("s", "STANDARD", passing("newest"))  # 5: kept as the newest
        long_run = world.sfn.start_execution(stateMachineArn=running, name="long")
        sfn.entered(world.sfn, long_run["executionArn"], "W")
        for version, name in ((failed, "f"), (succeeded, "s")):
            started = world.sfn.start_execution(stateMachineArn=version, name=name)
            sfn.finished(world.sfn, started["executionArn"])
        deleted = machines.prune("s", "STANDARD", keep=1)
        later = machines_in(world, clock=lambda: datetime.now(UTC) + timedelta(days=15))
        deleted_later = later.prune("s", "STANDARD", keep=1)
        still_running = world.sfn.describe_execution(executionArn=long_run["executionArn"])
        world.sfn.stop_execution(executionArn=long_run["executionArn"])
        left = world.sfn.list_state_machine_versions(
            stateMachineArn=machines.machine_arn("s", "STANDARD")
        )["stateMachineVersions"]

    assert deleted == [succeeded, unused]  # oldest first; 1 and 2 are needed
    assert deleted_later == [failed]  # past the 14 days in which a retry may redrive it
    assert still_running["status"] == "RUNNING"
    assert [v["stateMachineVersionArn"].rsplit(":", 1)[1] for v in left] == ["5", "1"]


def test_express_versions_are_pruned_once_no_run_can_last(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        machines = machines_in(world)
        old = machines.publish("s", "EXPRESS", passing("old"))
        machines.publish("s", "EXPRESS", passing("new"))
        now = machines.prune("s", "EXPRESS", keep=1)
        later = machines_in(world, clock=lambda: datetime.now(UTC) + timedelta(minutes=6))
        after_five_minutes = later.prune("s", "EXPRESS", keep=1)

    assert now == []  # replaced a moment ago: a run of it may still be going on
    assert after_five_minutes == [old]


def test_deleting_a_scenario_keeps_its_machines_and_versions(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        store = ProvisioningScenarioStore(world.scenarios, world.machines)
        save_scenario(store, "order-approval", bpmn("order-approval"))
        process_id = world.enqueue("order-approval", {"order": {"id": "A-1", "total": 5}})
        assert store.delete("order-approval")
        ended = sfn.finished(world.sfn, world.execution_of(process_id))
        count = world.machine_count()
        kept = world.sfn.list_state_machine_versions(
            stateMachineArn=world.machines.machine_arn("order-approval", "STANDARD")
        )["stateMachineVersions"]

    assert ended["status"] == "SUCCEEDED"
    assert count == 2 and len(kept) == 1


# --- helpers ------------------------------------------------------------------------------------


def machines_in(world: Any, **options: Any) -> Machines:
    return Machines(
        world.sfn,
        role_arn=world.moto._role,
        component_arn=lambda name: name,
        children=lambda sid: None,
        **options,
    )


def passing(output: str) -> dict[str, Any]:
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": output, "End": True}},
    }


def failing() -> dict[str, Any]:
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "F",
        "States": {"F": {"Type": "Fail", "Error": "Broken", "Cause": "on purpose"}},
    }


def waiting() -> dict[str, Any]:
    # A year: even compressed by the harness, it outlasts the test (which stops it).
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 31_536_000, "End": True}},
    }
