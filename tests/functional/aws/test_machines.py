"""Machines in moto: one per scenario and kind, a version per change, ARNs substituted."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import sfn_support as sfn

from automations.adapters.aws.errors import CalledScenarioMissing, MachineSetupInvalid
from automations.adapters.aws.machine_logs import (
    EXECUTION_DATA_ENV,
    LOG_GROUP_ENV,
    logging_configuration,
)
from automations.adapters.aws.machines import (
    COMPONENT_PREFIX_ENV,
    PREFIX_ENV,
    ROLE_ENV,
    Machines,
    machine_name,
)

ROLE = "arn:aws:iam::123456789012:role/automations-machines"
LEGAL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def calling(*scenario_ids: str) -> dict[str, Any]:
    """A small JSONata machine that calls each scenario in turn (as call activities do)."""
    names = [f"Call{i}" for i in range(len(scenario_ids))]
    states: dict[str, Any] = {}
    for i, (name, called) in enumerate(zip(names, scenario_ids, strict=True)):
        states[name] = {
            "Type": "Task",
            "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Arguments": {"StateMachineArn": "${Scenario." + called + "}", "Input": {}},
            **({"Next": names[i + 1]} if i + 1 < len(names) else {"End": True}),
        }
    return {"QueryLanguage": "JSONata", "StartAt": names[0], "States": states}


def machines_over(world: Any, definitions: dict[str, dict[str, Any]]) -> Machines:
    """Machines whose called scenarios are `definitions` (id -> STANDARD definition)."""
    return Machines(
        world.sfn,
        role_arn=world.moto._role,
        component_arn=lambda name: f"arn:aws:lambda:{sfn.REGION}:123456789012:function:fn-{name}",
        children=lambda sid: (sid, definitions[sid]) if sid in definitions else None,
    )


def definition_of(world: Any, arn: str) -> dict[str, Any]:
    return json.loads(world.sfn.describe_state_machine(stateMachineArn=arn)["definition"])


def test_a_name_is_the_scenario_and_its_kind_and_always_fits() -> None:
    assert machine_name("order-approval", "STANDARD") == "order-approval-std"
    assert machine_name("order-approval", "EXPRESS", prefix="my-stack-") == (
        "my-stack-order-approval-exp"
    )
    prefix = "p" * 39 + "-"
    long_a, long_b = "a" * 99 + "1", "a" * 99 + "2"
    names = {machine_name(i, "STANDARD", prefix) for i in (long_a, long_b, "a.b", "a_b")}
    assert all(LEGAL_NAME.match(n) and n.startswith(prefix) for n in names)
    assert len(names) == 4  # cut ids end in a hash of the whole id: still apart


def test_an_unchanged_definition_publishes_nothing(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        world.save("order-approval")
        definition = world.scenarios.latest("order-approval").compiled["STANDARD"]
        first = world.machines.publish("order-approval", "STANDARD", definition)
        again = world.machines.publish(
            "order-approval", "STANDARD", json.loads(json.dumps(definition))
        )
        reordered = dict(reversed(list(definition.items())))  # a store may not keep key order
        cold = Machines(  # a new Lambda: nothing cached, it looks the version up
            world.sfn,
            role_arn=world.moto._role,
            component_arn=world.machines._component_arn,
            children=lambda sid: None,
        )
        found = cold.publish("order-approval", "STANDARD", reordered)
        started_on = cold.version_of("order-approval", "STANDARD", definition)
        machine = world.machines.machine_arn("order-approval", "STANDARD")
        versions = world.sfn.list_state_machine_versions(stateMachineArn=machine)

    assert first == again == found == started_on == machine + ":1"
    assert len(versions["stateMachineVersions"]) == 1


def test_a_changed_definition_updates_the_machine_and_publishes_a_version(
    tmp_path: Path,
) -> None:
    with sfn.world(tmp_path) as world:
        world.save("order-approval")
        compiled = world.scenarios.latest("order-approval").compiled
        definition = compiled["STANDARD"]
        first = world.machines.publish("order-approval", "STANDARD", definition)
        changed = {**definition, "TimeoutSeconds": 60}
        second = world.machines.publish("order-approval", "STANDARD", changed, "version 2")
        express = world.machines.publish("order-approval", "EXPRESS", compiled["EXPRESS"])
        machines = {
            m["name"]: world.sfn.describe_state_machine(stateMachineArn=m["stateMachineArn"])
            for m in world.sfn.list_state_machines()["stateMachines"]
        }
        old_timeout = definition_of(world, first).get("TimeoutSeconds")
        new = world.sfn.describe_state_machine(stateMachineArn=second)

    assert first.endswith("order-approval-std:1") and second.endswith("order-approval-std:2")
    assert express.endswith("order-approval-exp:1")
    assert {n: m["type"] for n, m in machines.items()} == {
        "order-approval-std": "STANDARD",
        "order-approval-exp": "EXPRESS",
    }
    assert json.loads(machines["order-approval-std"]["definition"])["TimeoutSeconds"] == 60
    assert json.loads(new["definition"])["TimeoutSeconds"] == 60
    assert new["description"] == "version 2"
    assert old_timeout == definition["TimeoutSeconds"] != 60  # version 1 keeps its text


def test_components_become_function_arns(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        world.save("parallel-enrichment")
        definition = world.scenarios.latest("parallel-enrichment").compiled["STANDARD"]
        arn = world.machines.publish("parallel-enrichment", "STANDARD", definition)
        text = world.sfn.describe_state_machine(stateMachineArn=arn)["definition"]

    assert "${" not in text
    assert f"arn:aws:lambda:{sfn.REGION}:123456789012:function:automations-parse" in text


def test_a_call_activity_calls_the_callee_machine_itself(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        world.save("discount-calculator")
        world.save("call-discount")
        caller = world.scenarios.latest("call-discount").compiled["STANDARD"]
        arn = world.machines.publish("call-discount", "STANDARD", caller)
        names = sorted(m["name"] for m in world.sfn.list_state_machines()["stateMachines"])
        text = world.sfn.describe_state_machine(stateMachineArn=arn)["definition"]
        callee = world.machines.machine_arn("discount-calculator", "STANDARD")

    assert names == ["call-discount-std", "discount-calculator-std"]  # the callee's was made
    assert f'"{callee}"' in text and "${Scenario." not in text  # unqualified: its newest


def test_a_changed_callee_leaves_the_caller_as_it_is(tmp_path: Path) -> None:
    child_v1 = {
        "QueryLanguage": "JSONata",
        "StartAt": "Done",
        "States": {"Done": {"Type": "Succeed"}},
    }
    definitions = {"child": child_v1}
    with sfn.world(tmp_path) as world:
        machines = machines_over(world, definitions)
        first = machines.publish("parent", "STANDARD", calling("child"))
        child = machines.publish("child", "STANDARD", {**child_v1, "TimeoutSeconds": 30})
        second = machines.publish("parent", "STANDARD", calling("child"))
        called = definition_of(world, second)["States"]["Call0"]["Arguments"]["StateMachineArn"]
        count = world.machine_count()

    assert first == second
    assert child.endswith("child-std:2")
    assert called == machines.machine_arn("child", "STANDARD")
    assert count == 2


def test_a_scenario_that_calls_itself_gets_its_own_arn(tmp_path: Path) -> None:
    definitions = {"loop": calling("loop")}
    with sfn.world(tmp_path) as world:
        machines = machines_over(world, definitions)
        version = machines.publish("loop", "STANDARD", definitions["loop"])
        called = definition_of(world, version)["States"]["Call0"]["Arguments"]["StateMachineArn"]
        count = world.machine_count()

    assert called == machines.machine_arn("loop", "STANDARD")
    assert count == 1


def test_scenarios_that_call_each_other_point_at_each_other(tmp_path: Path) -> None:
    definitions = {"ping": calling("pong"), "pong": calling("ping")}
    with sfn.world(tmp_path) as world:
        machines = machines_over(world, definitions)
        ping = machines.publish("ping", "STANDARD", definitions["ping"])
        pong = definition_of(world, ping)["States"]["Call0"]["Arguments"]["StateMachineArn"]
        back = definition_of(world, pong)["States"]["Call0"]["Arguments"]["StateMachineArn"]
        count = world.machine_count()

    assert pong == machines.machine_arn("pong", "STANDARD")  # made from pong's newest
    assert back == machines.machine_arn("ping", "STANDARD")
    assert count == 2


def test_a_call_to_an_unsaved_scenario_is_refused(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        machines = machines_over(world, {})
        with pytest.raises(CalledScenarioMissing, match="nowhere"):
            machines.publish("caller", "STANDARD", calling("nowhere"))
        count = world.machine_count()

    assert count == 0


def test_the_environment_names_role_and_functions() -> None:
    client = type("Client", (), {"meta": type("Meta", (), {"region_name": "us-east-1"})()})()
    environ = {
        ROLE_ENV: ROLE,
        COMPONENT_PREFIX_ENV: "arn:aws:lambda:us-east-1:123456789012:function:stack-",
    }
    machines = Machines.from_environment(client, lambda sid: None, environ)
    task = {"Type": "Task", "Arguments": {"FunctionName": "${Component.records.get}"}, "End": True}
    definition = {"StartAt": "T", "States": {"T": task}}

    assert machines.machine_arn("s", "STANDARD") == (
        "arn:aws:states:us-east-1:123456789012:stateMachine:s-std"
    )
    assert "arn:aws:lambda:us-east-1:123456789012:function:stack-records-get" in machines.text(
        definition
    )
    prefixed = Machines.from_environment(client, lambda sid: None, {**environ, PREFIX_ENV: "st-"})
    assert prefixed.machine_arn("s", "EXPRESS").endswith(":stateMachine:st-s-exp")
    with pytest.raises(MachineSetupInvalid, match=PREFIX_ENV):
        Machines.from_environment(client, lambda sid: None, {**environ, PREFIX_ENV: "x" * 41})
    with pytest.raises(MachineSetupInvalid, match=COMPONENT_PREFIX_ENV):
        Machines.from_environment(client, lambda sid: None, {ROLE_ENV: ROLE})
    with pytest.raises(MachineSetupInvalid, match="not an IAM role ARN"):
        Machines.from_environment(
            client, lambda sid: None, {**environ, ROLE_ENV: "automations-role"}
        )


LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/stack:*"


@pytest.mark.parametrize("execution_data", ["false", "true"])
def test_machines_log_errors_where_the_environment_says(
    tmp_path: Path, execution_data: str
) -> None:
    environ = {
        ROLE_ENV: ROLE,
        COMPONENT_PREFIX_ENV: "arn:aws:lambda:us-east-1:123456789012:function:stack-",
        LOG_GROUP_ENV: LOG_GROUP,
        EXECUTION_DATA_ENV: execution_data,
    }
    with sfn.world(tmp_path) as world:
        machines = Machines.from_environment(
            world.sfn, lambda sid: None, {**environ, ROLE_ENV: world.moto._role}
        )
        arns = [
            machines.publish("s", flavour, calling_nothing()) for flavour in ("STANDARD", "EXPRESS")
        ]
        logged = [
            world.sfn.describe_state_machine(stateMachineArn=arn)["loggingConfiguration"]
            for arn in arns
        ]

    expected = {
        "level": "ERROR",
        "includeExecutionData": execution_data == "true",
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": LOG_GROUP}}],
    }
    assert logged == [expected, expected]


def test_without_a_log_group_machines_are_created_without_logging(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        arn = machines_over(world, {}).publish("s", "STANDARD", calling_nothing())
        logged = world.sfn.describe_state_machine(stateMachineArn=arn).get("loggingConfiguration")

    # moto answers Step Functions' default for a machine created without one.
    assert logged == {"level": "OFF"}


def test_a_bad_logging_setting_names_the_variable() -> None:
    assert logging_configuration({LOG_GROUP_ENV: LOG_GROUP.removesuffix(":*")}) == (
        logging_configuration({LOG_GROUP_ENV: LOG_GROUP})
    )
    with pytest.raises(MachineSetupInvalid, match=EXECUTION_DATA_ENV):
        logging_configuration({LOG_GROUP_ENV: LOG_GROUP, EXECUTION_DATA_ENV: "yes"})
    with pytest.raises(MachineSetupInvalid, match=LOG_GROUP_ENV):
        logging_configuration({LOG_GROUP_ENV: "/aws/vendedlogs/states/stack"})


def calling_nothing() -> dict[str, Any]:
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "End": True}},
    }
