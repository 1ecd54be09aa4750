"""ProvisioningScenarioStore: saving a scenario creates its machines, once per content."""

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


def test_saving_creates_a_machine_per_flavour(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        store = ProvisioningScenarioStore(world.scenarios, world.machines)
        saved = save_scenario(store, "order-approval", bpmn("order-approval"))
        created = names(world)

    assert saved.version == 1
    assert len(created) == 2
    assert created[0].startswith("order-approval-exp-")
    assert created[1].startswith("order-approval-std-")


def test_saving_the_same_bpmn_twice_creates_one_machine_per_flavour(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        store = ProvisioningScenarioStore(world.scenarios, world.machines)
        save_scenario(store, "order-approval", bpmn("order-approval"))
        first = names(world)
        again = save_scenario(store, "order-approval", bpmn("order-approval"))
        second = names(world)

    assert again.version == 2  # a new version, the same machines
    assert second == first


def test_a_changed_scenario_gets_new_machines(tmp_path: Path) -> None:
    changed = bpmn("order-approval").replace("{% 'manager' %}", "{% 'director' %}")
    assert changed != bpmn("order-approval")
    with sfn.world(tmp_path) as world:
        store = ProvisioningScenarioStore(world.scenarios, world.machines)
        save_scenario(store, "order-approval", bpmn("order-approval"))
        first = names(world)
        save_scenario(store, "order-approval", changed)
        second = names(world)

    assert len(first) == 2
    assert len(second) == 4 and set(first) < set(second)


def test_a_caller_saved_after_its_callee_calls_the_callees_machine(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        store = ProvisioningScenarioStore(world.scenarios, world.machines)
        save_scenario(store, "discount-calculator", bpmn("discount-calculator"))
        save_scenario(store, "call-discount", bpmn("call-discount"))
        machines = {
            m["name"]: m["stateMachineArn"]
            for m in world.sfn.list_state_machines()["stateMachines"]
        }
        (caller,) = [arn for name, arn in machines.items() if name.startswith("call-discount-std-")]
        (callee,) = [
            arn for name, arn in machines.items() if name.startswith("discount-calculator-std-")
        ]
        text = world.sfn.describe_state_machine(stateMachineArn=caller)["definition"]
        latest = store.latest("call-discount")

    assert callee in text
    assert latest is not None and latest.version == 1
    assert len(machines) == 3  # a call activity has no EXPRESS machine
