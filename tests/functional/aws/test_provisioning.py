"""ProvisioningScenarioStore: saving a scenario publishes its machines' versions, once per
change: one machine per scenario and kind, however often it is saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sfn_support as sfn

from automations.adapters.aws.provisioning import ProvisioningScenarioStore
from automations.service.scenarios import save_scenario


def bpmn(stem: str) -> str:
    return (sfn.EXAMPLES / f"{stem}.bpmn").read_text(encoding="utf-8")


def names(world: Any) -> list[str]:
    return sorted(m["name"] for m in world.sfn.list_state_machines()["stateMachines"])


def versions(world: Any, name: str) -> list[str]:
    """The machine's version ARNs, oldest first, with each one's description."""
    arn = world.machines.machine_arn(name.rsplit("-", 1)[0], KINDS[name.rsplit("-", 1)[1]])
    listed = world.sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    return [
        world.sfn.describe_state_machine(stateMachineArn=v["stateMachineVersionArn"]).get(
            "description", ""
        )
        for v in reversed(listed)
    ]


KINDS = {"std": "STANDARD", "exp": "EXPRESS"}


def test_saving_creates_a_machine_per_flavour(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        store = ProvisioningScenarioStore(world.scenarios, world.machines)
        saved = save_scenario(store, "order-approval", bpmn("order-approval"))
        created = names(world)

    assert saved.version == 1
    assert created == ["order-approval-exp", "order-approval-std"]


def test_an_unchanged_save_publishes_nothing(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        store = ProvisioningScenarioStore(world.scenarios, world.machines)
        save_scenario(store, "order-approval", bpmn("order-approval"))
        first = names(world)
        again = save_scenario(store, "order-approval", bpmn("order-approval"))
        second = names(world)
        published = versions(world, "order-approval-std")

    assert again.version == 2  # a new scenario version, the same machine version
    assert second == first
    assert published == ["scenario order-approval version 1"]


def test_a_changed_save_publishes_a_version_and_leaves_one_machine_per_kind(
    tmp_path: Path,
) -> None:
    changed = bpmn("order-approval").replace("{% 'manager' %}", "{% 'director' %}")
    assert changed != bpmn("order-approval")
    with sfn.world(tmp_path) as world:
        store = ProvisioningScenarioStore(world.scenarios, world.machines)
        save_scenario(store, "order-approval", bpmn("order-approval"))
        first = names(world)
        save_scenario(store, "order-approval", changed)
        second = names(world)
        standard = versions(world, "order-approval-std")
        express = versions(world, "order-approval-exp")
        current = world.sfn.describe_state_machine(
            stateMachineArn=world.machines.machine_arn("order-approval", "STANDARD")
        )["definition"]

    assert first == second == ["order-approval-exp", "order-approval-std"]
    assert (
        standard
        == express
        == [
            "scenario order-approval version 1",
            "scenario order-approval version 2",
        ]
    )
    assert "director" in current  # the machine itself runs the newest (call activities)


def test_a_caller_saved_after_its_callee_calls_the_callees_machine(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        store = ProvisioningScenarioStore(world.scenarios, world.machines)
        save_scenario(store, "discount-calculator", bpmn("discount-calculator"))
        save_scenario(store, "call-discount", bpmn("call-discount"))
        machines = {
            m["name"]: m["stateMachineArn"]
            for m in world.sfn.list_state_machines()["stateMachines"]
        }
        caller = machines["call-discount-std"]
        callee = machines["discount-calculator-std"]
        text = world.sfn.describe_state_machine(stateMachineArn=caller)["definition"]
        latest = store.latest("call-discount")

    assert callee in text
    assert latest is not None and latest.version == 1
    assert len(machines) == 3  # a call activity has no EXPRESS machine
