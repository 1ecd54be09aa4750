"""Machines in moto: content-addressed names, ARN substitution, created once and reused."""

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


def test_a_name_is_legal_and_says_what_it_is() -> None:
    name = machine_name("a" * 100 + "é/ü", "EXPRESS", "0123456789abcdef" * 4)
    assert LEGAL_NAME.match(name)
    assert name.startswith("a" * 20) and "-exp-0123456789abcdef" in name
    assert machine_name("order-approval", "STANDARD", "f" * 64) == "order-approval-std-" + "f" * 16


def test_a_prefix_leads_every_name_and_the_name_still_fits() -> None:
    name = machine_name("b" * 100, "STANDARD", "f" * 64, prefix="my-stack-")
    assert LEGAL_NAME.match(name)
    assert name.startswith("my-stack-bbb") and name.endswith("-std-" + "f" * 16)


def test_the_same_definition_makes_one_machine(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        world.save("order-approval")
        definition = world.scenarios.latest("order-approval").compiled["STANDARD"]
        first = world.machines.ensure("order-approval", "STANDARD", definition)
        again = world.machines.ensure(
            "order-approval", "STANDARD", json.loads(json.dumps(definition))
        )
        reordered = dict(reversed(list(definition.items())))  # a store may not keep key order
        cold = Machines(  # a new Lambda: nothing cached, it looks the name up
            world.sfn,
            role_arn=world.moto._role,
            component_arn=world.machines._component_arn,
            children=lambda sid: None,
        ).ensure("order-approval", "STANDARD", reordered)
        count = world.machine_count()

    assert first == again == cold
    assert count == 1


def test_a_changed_definition_makes_a_second_machine(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        world.save("order-approval")
        definition = world.scenarios.latest("order-approval").compiled["STANDARD"]
        first = world.machines.ensure("order-approval", "STANDARD", definition)
        changed = {**definition, "TimeoutSeconds": 60}
        second = world.machines.ensure("order-approval", "STANDARD", changed)
        express = world.machines.ensure(
            "order-approval",
            "EXPRESS",
            world.scenarios.latest("order-approval").compiled["EXPRESS"],
        )
        types = {
            m["stateMachineArn"]: world.sfn.describe_state_machine(
                stateMachineArn=m["stateMachineArn"]
            )["type"]
            for m in world.sfn.list_state_machines()["stateMachines"]
        }
        timeout = definition_of(world, second)["TimeoutSeconds"]

    assert len({first, second, express}) == 3
    assert types == {first: "STANDARD", second: "STANDARD", express: "EXPRESS"}
    assert timeout == 60


def test_components_become_function_arns(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        world.save("parallel-enrichment")
        definition = world.scenarios.latest("parallel-enrichment").compiled["STANDARD"]
        arn = world.machines.ensure("parallel-enrichment", "STANDARD", definition)
        text = world.sfn.describe_state_machine(stateMachineArn=arn)["definition"]

    assert "${" not in text
    assert f"arn:aws:lambda:{sfn.REGION}:123456789012:function:automations-parse" in text


def test_a_called_scenario_gets_its_machine_and_its_arn_substituted(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        world.save("discount-calculator")
        world.save("call-discount")
        caller = world.scenarios.latest("call-discount").compiled["STANDARD"]
        arn = world.machines.ensure("call-discount", "STANDARD", caller)
        machines = {
            m["name"]: m["stateMachineArn"]
            for m in world.sfn.list_state_machines()["stateMachines"]
        }
        text = world.sfn.describe_state_machine(stateMachineArn=arn)["definition"]

    (child,) = [a for n, a in machines.items() if n.startswith("discount-calculator-std-")]
    assert len(machines) == 2
    assert child in text and "${Scenario." not in text


def test_a_changed_called_scenario_changes_the_callers_machine(tmp_path: Path) -> None:
    child_v1 = {
        "QueryLanguage": "JSONata",
        "StartAt": "Done",
        "States": {"Done": {"Type": "Succeed"}},
    }
    child_v2 = {**child_v1, "TimeoutSeconds": 30}
    definitions = {"child": child_v1}
    with sfn.world(tmp_path) as world:
        machines = machines_over(world, definitions)
        first = machines.ensure("parent", "STANDARD", calling("child"))
        definitions["child"] = child_v2
        second = machines.ensure("parent", "STANDARD", calling("child"))
        called = definition_of(world, second)["States"]["Call0"]["Arguments"]["StateMachineArn"]
        called_timeout = definition_of(world, called)["TimeoutSeconds"]
        count = world.machine_count()

    assert first != second
    assert called_timeout == 30
    assert count == 4  # two parents, two children


def test_a_scenario_that_calls_itself_gets_its_own_arn(tmp_path: Path) -> None:
    definitions = {"loop": calling("loop")}
    with sfn.world(tmp_path) as world:
        machines = machines_over(world, definitions)
        arn = machines.ensure("loop", "STANDARD", definitions["loop"])
        called = definition_of(world, arn)["States"]["Call0"]["Arguments"]["StateMachineArn"]
        count = world.machine_count()

    assert called == arn
    assert count == 1


def test_scenarios_that_call_each_other_point_at_each_other(tmp_path: Path) -> None:
    definitions = {"ping": calling("pong"), "pong": calling("ping")}
    with sfn.world(tmp_path) as world:
        machines = machines_over(world, definitions)
        ping = machines.ensure("ping", "STANDARD", definitions["ping"])
        pong = definition_of(world, ping)["States"]["Call0"]["Arguments"]["StateMachineArn"]
        back = definition_of(world, pong)["States"]["Call0"]["Arguments"]["StateMachineArn"]
        from_pong = machines.ensure("pong", "STANDARD", definitions["pong"])
        count = world.machine_count()

    assert back == ping
    assert from_pong == pong  # the same names whichever end one starts from
    assert count == 2


def test_a_call_to_an_unsaved_scenario_is_refused(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        machines = machines_over(world, {})
        with pytest.raises(CalledScenarioMissing, match="nowhere"):
            machines.ensure("caller", "STANDARD", calling("nowhere"))
        count = world.machine_count()

    assert count == 0


def test_arn_of_names_the_machine_without_creating_it(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world:
        machines = machines_over(world, {"child": calling("child")})
        planned = machines.arn_of("parent", "STANDARD", calling("child"))
        before = world.machine_count()
        created = machines.ensure("parent", "STANDARD", calling("child"))

    assert before == 0
    assert planned == created


def test_the_environment_names_role_and_functions() -> None:
    client = type("Client", (), {"meta": type("Meta", (), {"region_name": "us-east-1"})()})()
    environ = {
        ROLE_ENV: ROLE,
        COMPONENT_PREFIX_ENV: "arn:aws:lambda:us-east-1:123456789012:function:stack-",
    }
    machines = Machines.from_environment(client, lambda sid: None, environ)
    task = {"Type": "Task", "Arguments": {"FunctionName": "${Component.records.get}"}, "End": True}
    definition = {"StartAt": "T", "States": {"T": task}}
    arn = machines.arn_of("s", "STANDARD", definition)
    (machine,) = machines.plan("s", "STANDARD", definition)

    assert arn.startswith("arn:aws:states:us-east-1:123456789012:stateMachine:s-std-")
    assert "arn:aws:lambda:us-east-1:123456789012:function:stack-records-get" in machine.definition
    prefixed = Machines.from_environment(client, lambda sid: None, {**environ, PREFIX_ENV: "st-"})
    assert prefixed.arn_of("s", "STANDARD", definition).split(":")[-1].startswith("st-s-std-")
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
            machines.ensure("s", flavour, calling_nothing()) for flavour in ("STANDARD", "EXPRESS")
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
        arn = machines_over(world, {}).ensure("s", "STANDARD", calling_nothing())
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
