"""compiler/events.py: start, the three ends, timer catch events, boundary events, the rest."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.unit.compiler.graphs import chain, flow, graph, node, out, problems_of, region, timer

from automations.bpmn.model import Kind
from automations.compiler import events
from automations.compiler.context import Region
from automations.compiler.table import compile_element
from automations.expressions import compile_jsonata, expression_text


def _one(r: Region, element_id: str) -> dict[str, Any]:
    """The state element `element_id` compiles to (through the table: these are events')."""
    compile_element(r, r.graph.elements[element_id])
    return dict(r.states[element_id])


START_END = graph(node("S", Kind.START), node("E", Kind.END), *chain("S", "E"))


# -- start -----------------------------------------------------------------------------------


def test_the_top_level_start_gives_every_variable_its_input_or_null() -> None:
    state = _one(region(START_END, variables=["amount", "and"]), "S")
    assert state == {
        "Type": "Pass",
        "Assign": {
            "amount": "{% $exists($states.input.`amount`) ? $states.input.`amount` : null %}",
            "and": "{% $exists($states.input.`and`) ? $states.input.`and` : null %}",
        },
        "Next": "E",
    }
    read = compile_jsonata(expression_text(state["Assign"]["and"]))
    assert read.evaluate(None, {"states": {"input": {"and": 0}}}) == 0
    assert read.evaluate(None, {"states": {"input": {}}}) is None


def test_a_start_without_variables_or_inside_a_scope_only_passes_on() -> None:
    assert _one(region(START_END, variables=[]), "S") == {"Type": "Pass", "Next": "E"}
    nested = region(START_END, variables=["x"], top_level=False)
    assert _one(nested, "S") == {"Type": "Pass", "Next": "E"}


# -- ends ------------------------------------------------------------------------------------


def test_a_none_or_terminate_end_is_what_the_region_decides() -> None:
    g = graph(node("E", Kind.END), node("K", Kind.TERMINATE_END))
    r = region(g, on_end=lambda r, e: {"Type": "Pass", "Comment": e.id, "End": True})
    assert _one(r, "E") == {"Type": "Pass", "Comment": "E", "End": True}
    assert _one(r, "K") == {"Type": "Pass", "Comment": "K", "End": True}


@pytest.mark.parametrize(
    ("fields", "state"),
    [
        (
            {"error_code": "order.invalid", "error_ref": "Err", "error_message": "Bad order"},
            {"Type": "Fail", "Error": "order.invalid", "Cause": "Bad order"},
        ),
        (
            {"error_ref": "Err", "name": "Stop here"},
            {"Type": "Fail", "Error": "Err", "Cause": "Stop here"},
        ),
        (
            {"error_message": "why", "name": "label"},
            {"Type": "Fail", "Error": "Error", "Cause": "why"},
        ),
        ({}, {"Type": "Fail", "Error": "Error"}),
    ],
    ids=["code and message", "unresolved ref, name as cause", "no code", "bare"],
)
def test_an_error_end_fails_with_its_code_and_message(
    fields: dict[str, Any], state: dict[str, str]
) -> None:
    assert _one(region(graph(node("X", Kind.ERROR_END, **fields))), "X") == state


# -- timer catch -------------------------------------------------------------------------------


def test_a_timer_catch_waits_then_goes_on() -> None:
    g = graph(
        node("W", Kind.TIMER_CATCH, timer=timer("PT2M")), node("E", Kind.END), *chain("W", "E")
    )
    assert _one(region(g), "W") == {"Type": "Wait", "Seconds": 120, "Next": "E"}


def test_a_refused_timer_catch_adds_no_state() -> None:
    g = graph(node("W", Kind.TIMER_CATCH, line=3), node("E", Kind.END), *chain("W", "E"))
    r = region(g)
    events.timer_catch(r, g.elements["W"])
    assert r.states == {}
    assert problems_of(r) == [("W", 3, "timer needs a timeDuration or a timeDate")]


# -- boundary events ---------------------------------------------------------------------------


def test_a_boundary_event_assigns_its_outputs_with_error_bound() -> None:
    g = graph(
        node("B", Kind.ERROR_BOUNDARY, outputs=[out("why", "{% $error.message %}"), out("n", "1")]),
        node("E", Kind.END),
        *chain("B", "E"),
    )
    state = _one(region(g), "B")
    assert state == {
        "Type": "Pass",
        "Assign": {
            "why": "{% ($error := "
            + events.ERROR_VALUE
            + "; $__value := $error.message; $exists($__value) ? $__value : null) %}",
            "n": "1",
        },
        "Next": "E",
    }


def test_a_boundary_event_without_outputs_only_passes_on() -> None:
    g = graph(node("B", Kind.TIMER_BOUNDARY), node("E", Kind.END), *chain("B", "E"))
    assert _one(region(g), "B") == {"Type": "Pass", "Next": "E"}


@pytest.mark.parametrize(
    ("caught", "error"),
    [
        (  # a component's error: Lambda puts its message in a JSON Cause
            {"Error": "http.timeout", "Cause": json.dumps({"errorMessage": "no answer in 10 s"})},
            {"code": "http.timeout", "message": "no answer in 10 s"},
        ),
        (  # a timeout or a Fail state: the Cause is the text itself
            {"Error": "States.Timeout", "Cause": "The state timed out"},
            {"code": "States.Timeout", "message": "The state timed out"},
        ),
        (
            {"Error": "x", "Cause": '{"other": "json"}'},
            {"code": "x", "message": '{"other": "json"}'},
        ),
    ],
    ids=["lambda", "plain", "json without errorMessage"],
)
def test_error_is_code_and_readable_message(caught: dict[str, str], error: dict[str, str]) -> None:
    value = compile_jsonata(events.ERROR_VALUE).evaluate(None, {"states": {"input": caught}})
    assert value == error


# -- unsupported -------------------------------------------------------------------------------


def test_an_unsupported_element_is_reported_with_its_note() -> None:
    g = graph(
        node("C", Kind.UNSUPPORTED, line=4, note="use exclusive, parallel or inclusive gateways"),
        node("Q", Kind.UNSUPPORTED, tag="weirdThing", line=5),
        flow("f", "C", "Q"),
    )
    r = region(g)
    events.unsupported(r, g.elements["C"])
    events.unsupported(r, g.elements["Q"])
    assert problems_of(r) == [
        ("C", 4, "complexGateway is not supported: use exclusive, parallel or inclusive gateways"),
        ("Q", 5, "weirdThing is not supported: no ASL form"),
    ]
    assert r.states == {}
