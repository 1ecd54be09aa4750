"""compiler/gateways.py: exclusive gateways become `Choice`; parallel and inclusive blocks a
`Parallel` whose branch variables are merged back at the join."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.compiler.graphs import (
    chain,
    compiled,
    flow,
    graph,
    node,
    out,
    problems_of,
    refused,
    region,
    succeed,
)

from automations.asl import run_execution
from automations.bpmn import ScenarioInvalid, parse_scenario
from automations.bpmn.model import Element, Flow, Graph, Kind
from automations.compiler import compile_scenario, gateways
from automations.expressions import compile_jsonata, expression_text
from support.bpmn_documents import load_scenario, make_xml

X, P, INC = Kind.EXCLUSIVE_GATEWAY, Kind.PARALLEL_GATEWAY, Kind.INCLUSIVE_GATEWAY


def _task(ident: str, *outputs: tuple[str, str]) -> Element:
    return node(ident, Kind.TASK, outputs=[out(n, v) for n, v in outputs])


def _exclusive(*flows: Flow, default: str | None = None) -> Graph:
    """S -> G -> A | B | C -> E, with the gateway's flows as given."""
    return graph(
        node("S", Kind.START),
        node("G", X, line=4, default_flow=default),
        _task("A"),
        _task("B"),
        _task("C"),
        node("E", Kind.END),
        flow("s", "S", "G"),
        *flows,
        *chain("A", "E", prefix="a"),
        *chain("B", "E", prefix="b"),
        *chain("C", "E", prefix="c"),
    )


def _fork(kind: Kind, *flows: Flow, default: str | None = None, **tasks: Element) -> Graph:
    """S -> F -> (A | B) -> J -> E; `flows` are F's outgoing ones."""
    return graph(
        node("S", Kind.START),
        node("F", kind, default_flow=default),
        tasks.get("A", _task("A")),
        tasks.get("B", _task("B")),
        node("J", kind),
        node("E", Kind.END),
        flow("s", "S", "F"),
        *flows,
        flow("aj", "A", "J"),
        flow("bj", "B", "J"),
        flow("je", "J", "E"),
    )


def _gateway_state(g: Graph, gateway_id: str = "G") -> tuple[dict[str, Any] | None, list[Any]]:
    r = region(g)
    gateways.gateway(r, g.elements[gateway_id])
    return r.states.get(gateway_id), problems_of(r)


# -- exclusive gateways --------------------------------------------------------------------


def test_an_exclusive_gateway_tries_conditions_in_flow_order_then_the_default() -> None:
    g = _exclusive(
        flow("fb", "G", "B", "{% $x > 1 %}"),
        flow("fc", "G", "C"),
        flow("fa", "G", "A", "{% $x > 0 %}"),
        default="fc",
    )
    state, problems = _gateway_state(g)
    assert problems == []
    assert state == {
        "Type": "Choice",
        "Choices": [
            {"Condition": "{% $x > 1 %}", "Next": "B"},
            {"Condition": "{% $x > 0 %}", "Next": "A"},
        ],
        "Default": "C",
    }


def test_without_a_default_flow_the_choice_has_no_default() -> None:
    g = _exclusive(flow("fa", "G", "A", "{% $a %}"), flow("fb", "G", "B", "{% $b %}"))
    state, _ = _gateway_state(g)
    assert state is not None and "Default" not in state


def test_a_condition_inside_a_branch_reads_the_branch_copy_of_a_variable() -> None:
    g = _exclusive(flow("fa", "G", "A", "{% $x > 1 %}"), flow("fb", "G", "B"), default="fb")
    branch = region(g).scope(g, succeed, ["x"])
    gateways.gateway(branch, g.elements["G"])
    condition = branch.states["G"]["Choices"][0]["Condition"]
    assert condition == "{% ($x := ($exists($x__s1) ? $x__s1 : $x); $x > 1) %}"


def test_a_branch_without_condition_nor_default_is_reported_at_its_flow() -> None:
    g = _exclusive(
        flow("fa", "G", "A", "{% $a %}"), flow("fb", "G", "B", line=8), flow("fc", "G", "C")
    )
    state, problems = _gateway_state(g)
    assert problems == [
        (
            "fb",
            8,
            "flow fb out of exclusive gateway G needs a condition or must be the gateway's "
            "default flow",
        ),
        (
            "fc",
            1,
            "flow fc out of exclusive gateway G needs a condition or must be the gateway's "
            "default flow",
        ),
    ]
    assert state is not None and [c["Next"] for c in state["Choices"]] == ["A"]


def test_a_literal_condition_is_reported_at_its_line() -> None:
    g = _exclusive(
        flow("fa", "G", "A", "$a > 1", line=5, condition_line=6), flow("fb", "G", "B"), default="fb"
    )
    state, problems = _gateway_state(g)
    assert problems == [
        (
            "fa",
            6,
            "condition of fa must be a {% JSONata %} expression, e.g. {% $amount > 100 %}",
        ),
        ("G", 4, "an exclusive gateway needs at least one conditional branch"),
    ]
    assert state is None


def test_an_exclusive_gateway_with_only_a_default_branch_is_refused() -> None:
    g = _exclusive(flow("fa", "G", "A"), flow("fb", "G", "B", "$literal"), default="fa")
    _, problems = _gateway_state(g)
    assert problems[-1] == ("G", 4, "an exclusive gateway needs at least one conditional branch")


def test_a_default_that_is_not_one_of_the_gateways_flows_is_not_its_default() -> None:
    # Validation refuses such a file; the compiler, handed it unvalidated, must not make
    # another element's flow the way out of the gateway.
    g = _exclusive(flow("fa", "G", "A", "{% $a %}"), flow("fb", "G", "B", "{% $b %}"), default="a0")
    state, _ = _gateway_state(g)
    assert state is not None and "Default" not in state


def test_a_single_conditional_flow_out_of_an_exclusive_gateway_is_still_tested() -> None:
    # BPMN: when no condition holds and there is no default, the gateway fails the run. Passing
    # through would take the flow whatever its condition says.
    g = _exclusive(flow("fa", "G", "A", "{% $go %}"))
    machine = compiled(g)
    assert machine["States"]["G"] == {
        "Type": "Choice",
        "Choices": [{"Condition": "{% $go %}", "Next": "A"}],
    }
    assert run_execution(machine, {"go": True}).status == "SUCCEEDED"
    stopped = run_execution(machine, {"go": False})
    assert (stopped.status, stopped.error) == ("FAILED", "States.NoChoiceMatched")


def test_a_single_unconditional_flow_out_of_an_exclusive_gateway_is_a_plain_merge() -> None:
    machine = compiled(_exclusive(flow("fa", "G", "A")))
    assert "G" not in machine["States"]
    assert machine["States"]["S"]["Next"] == "A"


def test_a_gateway_without_outgoing_flows_is_reported() -> None:
    g = graph(node("S", Kind.START), node("G", X, line=3), flow("s", "S", "G"))
    assert _gateway_state(g) == (None, [("G", 3, "a gateway needs outgoing flows")])


def test_a_join_without_a_fork_is_reported() -> None:
    g = graph(
        node("S", Kind.START),
        node("G", X),
        _task("A"),
        _task("B"),
        node("J", P, line=6),
        node("E", Kind.END),
        flow("s", "S", "G"),
        flow("ga", "G", "A", "{% $a %}"),
        flow("gb", "G", "B", "{% $b %}"),
        flow("aj", "A", "J"),
        flow("bj", "B", "J"),
        flow("je", "J", "E"),
    )
    assert ("J", 6, "this join has no matching fork gateway before it") in refused(g)


def test_an_unstructured_fork_is_reported_once_by_the_structure_analysis() -> None:
    g = graph(
        node("S", Kind.START),
        node("F", P, line=3),
        node("E1", Kind.END),
        node("E2", Kind.END),
        flow("s", "S", "F"),
        flow("a", "F", "E1"),
        flow("b", "F", "E2"),
    )
    found = refused(g)
    assert [element for element, _, _ in found] == ["F"]
    assert "never meet again" in found[0][2]


# -- conditions where they have no place (what validation says of them too) -----------------


def _validation_and_compilation(body: str) -> tuple[list[Any], list[Any]]:
    """Problems of the same file through validation, and through the compiler on its own."""
    text = make_xml(body)
    found: list[list[Any]] = []
    for load in (load_scenario, parse_scenario):
        try:
            compile_scenario(load(text, file="t.bpmn"))
            found.append([])
        except ScenarioInvalid as exc:
            found.append([(p.element, p.line, p.message) for p in exc.problems])
    return found[0], found[1]


@pytest.mark.parametrize(
    ("gateway", "flows", "message"),
    [
        (
            '<bpmn:exclusiveGateway id="G" default="fd"/>',
            '<bpmn:sequenceFlow id="fa" sourceRef="G" targetRef="E">'
            "<bpmn:conditionExpression>{% $a %}</bpmn:conditionExpression></bpmn:sequenceFlow>\n"
            '<bpmn:sequenceFlow id="fd" sourceRef="G" targetRef="E">'
            "<bpmn:conditionExpression>{% $d %}</bpmn:conditionExpression></bpmn:sequenceFlow>",
            "default flow fd must not have a condition; remove it",
        ),
        (
            '<bpmn:exclusiveGateway id="G" default="fd"/>',
            '<bpmn:sequenceFlow id="fd" sourceRef="G" targetRef="E">'
            "<bpmn:conditionExpression>{% $d %}</bpmn:conditionExpression></bpmn:sequenceFlow>",
            "default flow fd must not have a condition; remove it",
        ),
        (
            '<bpmn:parallelGateway id="G"/><bpmn:parallelGateway id="J"/>',
            '<bpmn:sequenceFlow id="fd" sourceRef="G" targetRef="J">'
            "<bpmn:conditionExpression>{% $d %}</bpmn:conditionExpression></bpmn:sequenceFlow>\n"
            '<bpmn:sequenceFlow id="fb" sourceRef="G" targetRef="J"/>\n'
            '<bpmn:sequenceFlow id="fj" sourceRef="J" targetRef="E"/>',
            "flow fd has a condition but leaves parallel gateway G, which takes every branch; "
            "remove the condition or use an inclusive gateway",
        ),
    ],
    ids=["default of a choice", "default as the only flow", "parallel fork"],
)
def test_a_misplaced_condition_out_of_a_gateway_is_refused_as_validation_does(
    gateway: str, flows: str, message: str
) -> None:
    body = (
        '<bpmn:startEvent id="S"/>\n'
        f"{gateway}\n"
        '<bpmn:endEvent id="E"/>\n'
        '<bpmn:sequenceFlow id="s" sourceRef="S" targetRef="G"/>\n'
        f"{flows}"
    )
    validated, compiled_alone = _validation_and_compilation(body)
    expected = ("fd", 8 if "fa" in flows else 7, message)
    assert expected in validated
    assert expected in compiled_alone


# -- parallel and inclusive blocks ---------------------------------------------------------


def test_a_parallel_block_runs_each_branch_then_what_follows_its_join() -> None:
    machine = compiled(_fork(P, flow("fa", "F", "A"), flow("fb", "F", "B")))
    assert machine["States"]["F"] == {
        "Type": "Parallel",
        "Branches": [
            {
                "StartAt": "A",
                "States": {
                    "A": {"Type": "Pass", "Next": "J__0"},
                    "J__0": {"Type": "Pass", "Output": "{% {} %}", "End": True},
                },
            },
            {
                "StartAt": "B",
                "States": {
                    "B": {"Type": "Pass", "Next": "J__1"},
                    "J__1": {"Type": "Pass", "Output": "{% {} %}", "End": True},
                },
            },
        ],
        "Next": "E",
    }
    assert "J" not in machine["States"]


def test_a_branch_straight_into_the_join_is_just_its_exit() -> None:
    g = _fork(P, flow("fa", "F", "A"), flow("fb", "F", "B"), flow("fj", "F", "J"))
    branches = compiled(g)["States"]["F"]["Branches"]
    assert branches[2] == {
        "StartAt": "J__2",
        "States": {"J__2": {"Type": "Pass", "Output": "{% {} %}", "End": True}},
    }


def test_branch_variables_come_back_and_the_first_branch_that_changed_one_wins() -> None:
    g = _fork(
        P,
        flow("fa", "F", "A"),
        flow("fb", "F", "B"),
        A=_task("A", ("x", "{% $a %}"), ("left", "{% 1 %}")),
        B=_task("B", ("x", "{% $b %}")),
    )
    state = compiled(g)["States"]["F"]
    assert state["Branches"][1]["States"]["B"]["Assign"] == {
        "x__s2": "{% ($__value := $b; $exists($__value) ? $__value : null) %}"
    }
    assert state["Assign"] == {
        "x": "{% ($r := $states.result; ($r[0].`x` != $x ? $r[0].`x` : "
        "($r[1].`x` != $x ? $r[1].`x` : $x))) %}",
        "left": "{% ($r := $states.result; $r[0].`left`) %}",
    }
    machine = compiled(g)
    for a, b, x in ((1, 2, 1), (0, 2, 2), (0, 0, 0)):
        result = run_execution(machine, {"x": 0, "a": a, "b": b})
        assert result.output["x"] == x, (a, b)


def test_merge_assign_reads_and_writes_through_the_enclosing_scope() -> None:
    g = _fork(P, flow("fa", "F", "A"), flow("fb", "F", "B"))
    outer = region(g).scope(g, succeed, ["x"])
    assign = gateways.merge_assign(outer, {"x": [1]})
    assert assign == {"x__s1": "{% ($r := $states.result; $r[1].`x`) %}"}
    several = gateways.merge_assign(outer, {"x": [0, 2]})["x__s1"]
    before = "($exists($x__s1) ? $x__s1 : $x)"
    assert several == (
        f"{{% ($r := $states.result; ($r[0].`x` != {before} ? $r[0].`x` : "
        f"($r[2].`x` != {before} ? $r[2].`x` : {before}))) %}}"
    )
    value = compile_jsonata(expression_text(several)).evaluate(
        None, {"x": 0, "states": {"result": [{"x": 0}, {}, {"x": 5}]}}
    )
    assert value == 5


def test_branch_exit_hands_back_the_branch_copies() -> None:
    g = _fork(P, flow("fa", "F", "A"), flow("fb", "F", "B"))
    branch = region(g).scope(g, succeed, ["x", "y"])
    assert gateways.branch_exit(branch, ["x", "y"]) == {
        "Type": "Pass",
        "Output": '{% {"x": ($exists($x__s1) ? $x__s1 : $x), '
        '"y": ($exists($y__s1) ? $y__s1 : $y)} %}',
        "End": True,
    }


def test_an_end_event_inside_a_branch_is_refused() -> None:
    # (Structure analysis refuses such a fork first; this is the branch region's last word.)
    g = graph(node("E", Kind.END, line=9))
    r = region(g)
    assert gateways._end_in_branch(r, g.elements["E"]) == {"Type": "Succeed"}
    assert problems_of(r) == [
        ("E", 9, "an end event inside a parallel branch: lead the branch to its join instead")
    ]


def test_an_inclusive_branch_starts_with_a_choice_named_after_its_flow() -> None:
    g = _fork(INC, flow("fa", "F", "A", "{% $a %}"), flow("fb", "F", "B"))
    branches = compiled(g)["States"]["F"]["Branches"]
    assert branches[0]["StartAt"] == "fa"
    assert list(branches[0]["States"]) == ["fa", "A", "J__0"]  # the Choice first, for reading
    assert branches[0]["States"]["fa"] == {
        "Type": "Choice",
        "Choices": [{"Condition": "{% $a %}", "Next": "A"}],
        "Default": "J__0",
    }
    assert branches[1]["StartAt"] == "B"  # an unconditional branch is always taken


def test_an_inclusive_condition_reads_the_branch_scope() -> None:
    g = _fork(
        INC,
        flow("fa", "F", "A", "{% $x > 0 %}"),
        flow("fb", "F", "B"),
        A=_task("A", ("x", "{% 1 %}")),
    )
    gate = compiled(g)["States"]["F"]["Branches"][0]["States"]["fa"]
    assert gate["Choices"][0]["Condition"] == (
        "{% ($x := ($exists($x__s1) ? $x__s1 : $x); $x > 0) %}"
    )


def test_the_inclusive_default_runs_only_when_no_other_condition_holds() -> None:
    g = _fork(
        INC,
        flow("fa", "F", "A", "{% $a %}"),
        flow("fb", "F", "B", "{% $b %}"),
        flow("fd", "F", "J"),
        default="fd",
        A=_task("A", ("took", "{% 'a' %}")),
    )
    branches = compiled(g)["States"]["F"]["Branches"]
    assert branches[2]["States"]["fd"]["Choices"][0]["Condition"] == "{% $not($a) and $not($b) %}"


def test_an_inclusive_default_beside_an_unconditional_branch_never_runs() -> None:
    # BPMN: the default is taken only when no other flow is, and an unconditional one always is.
    g = _fork(
        INC,
        flow("fa", "F", "A"),
        flow("fb", "F", "B"),
        default="fb",
        A=_task("A", ("a", "{% true %}")),
        B=_task("B", ("b", "{% true %}")),
    )
    result = run_execution(compiled(g), {})
    assert result.output == {"a": True, "b": None}


def test_a_literal_inclusive_condition_is_reported_and_not_gated() -> None:
    g = _fork(
        INC,
        flow("fa", "F", "A", "$a", condition_line=5),
        flow("fb", "F", "B", "{% $b %}"),
        flow("fd", "F", "J"),
        default="fd",
    )
    found = refused(g)
    assert found == [
        ("fa", 5, "condition of fa must be a {% JSONata %} expression, e.g. {% $amount > 100 %}")
    ]
    # Only the well-formed conditions make up the default's.
    r = region(g)
    gateways.gateway(r, g.elements["F"])
    branches = r.states["F"]["Branches"]
    assert branches[0]["StartAt"] == "A"
    assert branches[2]["States"]["fd"]["Choices"][0]["Condition"] == "{% $not($b) %}"


def test_an_inclusive_default_beside_only_literal_conditions_is_not_gated() -> None:
    g = _fork(INC, flow("fa", "F", "A", "$a", condition_line=5), flow("fb", "F", "B"), default="fb")
    r = region(g)
    gateways.gateway(r, g.elements["F"])
    assert [b["StartAt"] for b in r.states["F"]["Branches"]] == ["A", "B"]
    assert [element for element, _, _ in problems_of(r)] == ["fa"]


def test_a_branch_whose_first_element_is_refused_still_compiles_the_rest() -> None:
    g = _fork(
        P,
        flow("fa", "F", "A"),
        flow("fb", "F", "B"),
        A=node("A", Kind.TIMER_CATCH, line=7),  # no timer definition: no state
    )
    r = region(g)
    gateways.gateway(r, g.elements["F"])
    assert problems_of(r) == [("A", 7, "timer needs a timeDuration or a timeDate")]
    assert r.states["F"]["Branches"][0] == {
        "StartAt": "A",
        "States": {"J__0": {"Type": "Pass", "Output": "{% {} %}", "End": True}},
    }
