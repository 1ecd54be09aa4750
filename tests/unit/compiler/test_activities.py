"""compiler/activities.py: tasks, service tasks, call activities, subprocesses, multi-instance,
and the boundary events that decorate them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tests.unit.compiler.graphs import (
    body,
    chain,
    compiled,
    graph,
    loop,
    node,
    out,
    problems_of,
    refused,
    region,
    timer,
)

from automations.asl import run_execution
from automations.bpmn import ScenarioInvalid, parse_scenario
from automations.bpmn.model import Element, Flow, Graph, Kind, RetryPolicy, Scenario
from automations.compiler import Flavour, activities, compile_scenario
from automations.compiler.events import ERROR_VALUE
from support.bpmn_documents import load_scenario, make_xml


def _problems(load: Callable[..., Scenario], text: str) -> list[tuple[str, int, str]]:
    """What compiling `text` read by `load` (validating or not) refuses."""
    try:
        compile_scenario(load(text, file="t.bpmn"))
    except ScenarioInvalid as exc:
        return [(p.element, p.line, p.message) for p in exc.problems]
    return []


TRANSIENT = {
    "ErrorEquals": activities.TRANSIENT_LAMBDA_ERRORS,
    "IntervalSeconds": 1,
    "MaxAttempts": 3,
    "BackoffRate": 2,
    "JitterStrategy": "FULL",
}


def _around(activity: Element, *extra: Element) -> Graph:
    """S -> activity -> E, plus `extra` elements (boundaries and where they lead: to E)."""
    ids = [e.id for e in extra if e.kind in (Kind.ERROR_BOUNDARY, Kind.TIMER_BOUNDARY)]
    return graph(
        node("S", Kind.START),
        activity,
        *extra,
        node("E", Kind.END),
        *chain("S", activity.id, "E"),
        *(f for i, b in enumerate(ids) for f in chain(b, "E", prefix=f"b{i}_")),
    )


def _state(activity: Element, *extra: Element) -> dict[str, Any]:
    """The state `activity` compiles to between a start and an end; no problems allowed."""
    r = region(_around(activity, *extra))
    compile_one = activities.subprocess if activity.kind is Kind.SUBPROCESS else activities.activity
    compile_one(r, activity)
    assert problems_of(r) == []
    return dict(r.states[activity.id])


def _service(ident: str = "T", **fields: Any) -> Element:
    fields.setdefault("component", "parse")
    return node(ident, Kind.SERVICE_TASK, **fields)


def test_placeholders_name_what_deployment_fills_in() -> None:
    assert activities.function_name("http.request") == "${Component.http.request}"
    assert activities.scenario_arn("billing") == "${Scenario.billing}"


# -- the core state of each activity ---------------------------------------------------------


def test_a_task_is_a_pass_that_assigns_its_outputs() -> None:
    task = node("T", Kind.TASK, outputs=[out("a", "{% 1 %}"), out("b", "{% $a + 1 %}")])
    assert _state(task) == {
        "Type": "Pass",
        "Assign": {
            "a": "{% 1 %}",
            "b": "{% ($a := 1; $__value := $a + 1; $exists($__value) ? $__value : null) %}",
        },
        "Next": "E",
    }
    assert _state(node("T", Kind.TASK)) == {"Type": "Pass", "Next": "E"}


def test_a_service_task_invokes_its_components_function() -> None:
    task = _service(
        inputs=[out("data", "{% $text %}"), out("query", "$.a")],
        outputs=[out("v", "{% $result.value %}")],
    )
    assert _state(task) == {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {
            "FunctionName": "${Component.parse}",
            "Payload": {
                "inputs": {
                    "data": "{% ($__value := $text; $exists($__value) ? $__value : null) %}",
                    "query": "$.a",
                },
                "context": {
                    "executionId": "{% $states.context.Execution.Id %}",
                    "elementId": "T",
                    "enteredTime": "{% $states.context.State.EnteredTime %}",
                    "retryCount": "{% $states.context.State.RetryCount %}",
                },
            },
        },
        "Retry": [TRANSIENT],
        "Assign": {
            "v": "{% ($result := $states.result.Payload; $__value := $result.value; $exists($__value) ? $__value : null) %}"
        },
        "Next": "E",
    }


def test_auto_retry_comes_before_the_transient_lambda_retrier() -> None:
    retry = RetryPolicy(["http.timeout", "http.status"], 5, 2, 1.5)
    state = _state(_service(retry=retry))
    assert state["Retry"] == [
        {
            "ErrorEquals": ["http.timeout", "http.status"],
            "IntervalSeconds": 2,
            "MaxAttempts": 5,
            "BackoffRate": 1.5,
        },
        TRANSIENT,
    ]
    assert "Assign" not in state


def test_a_call_activity_starts_the_called_scenario_and_waits_for_it() -> None:
    call = node(
        "C",
        Kind.CALL_ACTIVITY,
        called_element="billing",
        inputs=[out("amount", "{% $total %}")],
        outputs=[out("paid", "{% $result.paid %}")],
    )
    assert _state(call) == {
        "Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Arguments": {
            "StateMachineArn": "${Scenario.billing}",
            "Input": {"amount": "{% ($__value := $total; $exists($__value) ? $__value : null) %}"},
        },
        "Assign": {
            "paid": "{% ($result := $states.result.Output; $__value := $result.paid; $exists($__value) ? $__value : null) %}"
        },
        "Next": "E",
    }
    bare = _state(node("C", Kind.CALL_ACTIVITY, called_element="billing"))
    assert "Assign" not in bare


def test_express_refuses_a_call_activity() -> None:
    g = _around(node("C", Kind.CALL_ACTIVITY, line=4, called_element="billing"))
    assert refused(g, Flavour.EXPRESS) == [
        (
            "C",
            4,
            "EXPRESS workflows cannot run this: a call activity waits for a nested execution "
            "(.sync), use STANDARD",
        )
    ]


def test_an_input_inside_a_branch_reads_the_branch_copy() -> None:
    g = _around(_service(inputs=[out("data", "{% $x %}")]))
    branch = region(g).scope(g, lambda r, e: {"Type": "Succeed"}, ["x"])
    activities.activity(branch, g.elements["T"])
    inputs = branch.states["T"]["Arguments"]["Payload"]["inputs"]
    assert inputs == {
        "data": "{% ($x := ($exists($x__s1) ? $x__s1 : $x); $__value := $x; $exists($__value) ? $__value : null) %}"
    }


# -- boundary events -------------------------------------------------------------------------


def _boundary(ident: str, kind: Kind = Kind.ERROR_BOUNDARY, **fields: Any) -> Element:
    return node(ident, kind, attached_to="T", **fields)


def test_error_boundaries_catch_their_code_and_a_catch_all_comes_last() -> None:
    state = _state(
        _service(),
        _boundary("Any"),
        _boundary("Timeout", error_code="http.timeout"),
        _boundary("Late", Kind.TIMER_BOUNDARY, timer=timer("PT30S")),
    )
    assert state["TimeoutSeconds"] == 30
    assert state["Catch"] == [
        {"ErrorEquals": ["http.timeout"], "Next": "Timeout"},
        {"ErrorEquals": ["States.Timeout"], "Next": "Late"},
        {"ErrorEquals": ["States.ALL"], "Next": "Any"},  # ASL: States.ALL must be the last
    ]


def test_a_second_catch_all_boundary_is_reported_at_the_activity() -> None:
    g = _around(_service(line=3), _boundary("B1"), _boundary("B2"))
    r = region(g)
    activities.activity(r, g.elements["T"])
    assert problems_of(r) == [("T", 3, "two catch-all error boundaries: B2 is unused")]
    assert r.states["T"]["Catch"] == [{"ErrorEquals": ["States.ALL"], "Next": "B1"}]


def test_a_second_timer_boundary_is_reported_at_itself() -> None:
    g = _around(
        _service(),
        _boundary("B1", Kind.TIMER_BOUNDARY, timer=timer("PT10S")),
        _boundary("B2", Kind.TIMER_BOUNDARY, line=6, timer=timer("PT20S")),
    )
    r = region(g)
    activities.activity(r, g.elements["T"])
    assert problems_of(r) == [("B2", 6, "only one timer boundary per activity")]
    assert r.states["T"]["TimeoutSeconds"] == 10


def test_a_refused_timer_boundary_sets_no_timeout() -> None:
    g = _around(_service(), _boundary("B", Kind.TIMER_BOUNDARY, line=5))
    r = region(g)
    activities.activity(r, g.elements["T"])
    assert problems_of(r) == [("B", 5, "timer needs a timeDuration or a timeDate")]
    assert "TimeoutSeconds" not in r.states["T"] and "Catch" not in r.states["T"]


def test_a_boundary_that_is_not_in_the_scope_is_ignored() -> None:
    state = _state(_service(boundaries=["Elsewhere"]))
    assert "Catch" not in state


def test_a_boundary_rule_is_reported_at_the_boundary_event() -> None:
    g = _around(node("T", Kind.TASK), _boundary("B", line=5))
    r = region(g)
    activities.activity(r, g.elements["T"])
    [(element, line, message)] = problems_of(r)
    assert (element, line) == ("B", 5)
    assert message.startswith("T is a task without a component")


def test_an_unsupported_boundary_is_refused_in_the_words_of_validation() -> None:
    text = make_xml(
        '<bpmn:startEvent id="S"/>\n'
        '<bpmn:serviceTask id="T"><bpmn:extensionElements><auto:component type="parse"/>'
        '<auto:input name="data" value="{% $d %}"/><auto:input name="query" value="$.a"/>'
        "</bpmn:extensionElements></bpmn:serviceTask>\n"
        '<bpmn:boundaryEvent id="B" attachedToRef="T"><bpmn:signalEventDefinition/>'
        "</bpmn:boundaryEvent>\n"
        '<bpmn:endEvent id="E"/>\n'
        '<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="T"/>\n'
        '<bpmn:sequenceFlow id="f2" sourceRef="T" targetRef="E"/>\n'
        '<bpmn:sequenceFlow id="f3" sourceRef="B" targetRef="E"/>'
    )
    expected = (
        "B",
        5,
        "boundaryEvent is not supported: it catches a signal event; only error and timer "
        "boundary events can run",
    )
    assert _problems(load_scenario, text) == [expected]
    assert _problems(parse_scenario, text) == [expected]


# -- embedded subprocesses -------------------------------------------------------------------


def _sub(*inner: Element | Flow, **fields: Any) -> Element:
    return node("Sub", Kind.SUBPROCESS, line=3, body=body(*inner), **fields)


def _inner() -> tuple[Element | Flow, ...]:
    """In -> Work (assigns `done`) -> Out"""
    return (
        node("In", Kind.START),
        node("Work", Kind.TASK, outputs=[out("done", "{% true %}")]),
        node("Out", Kind.END),
        *chain("In", "Work", "Out", prefix="i"),
    )


@pytest.mark.parametrize(
    "inner",
    [(), (node("Work", Kind.TASK),), (node("A", Kind.START), node("B", Kind.START))],
    ids=["empty", "no start", "two starts"],
)
def test_a_subprocess_needs_exactly_one_start_event(inner: tuple[Element, ...]) -> None:
    g = _around(_sub(*inner))
    r = region(g)
    activities.subprocess(r, g.elements["Sub"])
    assert problems_of(r) == [
        ("Sub", 3, "an embedded subprocess needs exactly one none start event")
    ]
    assert r.states == {}


def test_a_subprocess_without_a_body_is_refused_alike() -> None:
    g = _around(node("Sub", Kind.SUBPROCESS, line=3))
    r = region(g)
    activities.subprocess(r, g.elements["Sub"])
    assert problems_of(r) == [
        ("Sub", 3, "an embedded subprocess needs exactly one none start event")
    ]


def test_a_plain_subprocess_is_inlined_and_its_end_goes_on_after_it() -> None:
    machine = compiled(_around(_sub(*_inner())))
    states = machine["States"]
    assert states["S"]["Next"] == "In"
    assert states["In"] == {"Type": "Pass", "Next": "Work"}  # only the process start assigns
    assert states["Work"] == {"Type": "Pass", "Assign": {"done": "{% true %}"}, "Next": "Out"}
    assert states["Out"] == {"Type": "Pass", "Next": "E"}
    assert "Sub" not in states


def test_a_subprocess_with_a_boundary_is_a_one_branch_parallel() -> None:
    state = _state(_sub(*_inner()), node("B", Kind.ERROR_BOUNDARY, attached_to="Sub"))
    assert state == {
        "Type": "Parallel",
        "Branches": [
            {
                "StartAt": "In",
                "States": {
                    "In": {"Type": "Pass", "Next": "Work"},
                    "Work": {"Type": "Pass", "Assign": {"done__s1": "{% true %}"}, "Next": "Out"},
                    "Out": {
                        "Type": "Pass",
                        "Output": '{% {"done": ($exists($done__s1) ? $done__s1 : $done)} %}',
                        "End": True,
                    },
                },
            }
        ],
        "Assign": {"done": "{% ($r := $states.result; $r[0].`done`) %}"},
        "Catch": [
            {
                "ErrorEquals": ["States.ALL"],
                "Next": "B",
                # What an error end event inside carried out in its Cause, else as before.
                "Assign": {
                    "done": "{% ($__cause := $states.errorOutput.Cause; $__carried := "
                    "($type($__cause) = 'string' and $substring($__cause, 0, 1) = '{' and "
                    "$contains($__cause, '\"variables\":{') ? $parse($__cause).variables : {}); "
                    "$exists($__carried.`done`) ? $__carried.`done` : $done) %}"
                },
            }
        ],
        "Next": "E",
    }


def test_a_wrapped_subprocess_that_assigns_nothing_assigns_nothing_back() -> None:
    inner: list[Element | Flow] = [node("In", Kind.START), node("Out", Kind.END)]
    inner += chain("In", "Out", prefix="i")
    state = _state(_sub(*inner), node("B", Kind.ERROR_BOUNDARY, attached_to="Sub"))
    assert "Assign" not in state
    assert state["Branches"][0]["States"]["Out"] == {
        "Type": "Pass",
        "Output": "{% {} %}",
        "End": True,
    }


def test_an_error_thrown_in_a_wrapped_subprocess_is_caught_by_its_boundary() -> None:
    inner: list[Element | Flow] = [
        node("In", Kind.START),
        node("Boom", Kind.ERROR_END, error_code="bad"),
        *chain("In", "Boom", prefix="i"),
    ]
    g = _around(
        _sub(*inner),
        node(
            "B",
            Kind.ERROR_BOUNDARY,
            attached_to="Sub",
            error_code="bad",
            outputs=[out("why", "{% $error.code %}")],
        ),
    )
    machine = compiled(g)
    assert machine["States"]["B"]["Assign"]["why"] == (
        "{% ($error := "
        + ERROR_VALUE
        + "; $__value := $error.code; $exists($__value) ? $__value : null) %}"
    )
    result = run_execution(machine, {})
    assert (result.status, result.output) == ("SUCCEEDED", {"why": "bad"})


# -- multi-instance --------------------------------------------------------------------------


def test_a_literal_input_collection_is_refused_at_the_loop() -> None:
    g = _around(node("M", Kind.TASK, line=3, loop=loop("$items", line=4)))
    r = region(g)
    activities.activity(r, g.elements["M"])
    assert problems_of(r) == [
        ("M", 4, "auto:loop inputCollection must be a {% JSONata %} expression giving a list")
    ]
    assert r.states == {}


def test_a_multi_instance_task_maps_one_state_per_item() -> None:
    task = node(
        "M",
        Kind.TASK,
        outputs=[out("double", "{% $item * 2 %}")],
        loop=loop("{% $order.items %}", "item", "totals", "{% $double + 1 %}", sequential=True),
    )
    assert _state(task) == {
        "Type": "Map",
        "Items": "{% $order.items %}",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": "M__instance",
            "States": {
                "M__instance": {
                    "Type": "Pass",
                    # The task's own outputs are local to its instance: computed, not assigned.
                    "Output": "{% ($item := $states.input; $double := ($__value := $item * 2; $exists($__value) ? $__value : null); $__value := $double + 1; $exists($__value) ? $__value : null) %}",
                    "End": True,
                }
            },
        },
        "MaxConcurrency": 1,
        "Assign": {"totals": "{% $states.result %}"},
        "Next": "E",
    }


def test_a_multi_instance_without_output_collection_only_runs() -> None:
    state = _state(node("M", Kind.TASK, loop=loop()))
    assert state["ItemProcessor"]["States"] == {"M__instance": {"Type": "Pass", "End": True}}
    assert "Assign" not in state and "MaxConcurrency" not in state


def test_a_multi_instance_service_task_collects_each_result_by_default() -> None:
    task = _service("M", inputs=[out("data", "{% $item %}")], loop=loop(output="parsed"))
    instance = _state(task)["ItemProcessor"]["States"]["M__instance"]
    assert instance["Type"] == "Task"
    assert instance["Arguments"]["Payload"]["inputs"] == {
        "data": "{% ($item := $states.input; $__value := $item; $exists($__value) ? $__value : null) %}"
    }
    assert (
        instance["Output"]
        == "{% ($result := $states.result.Payload; $__value := $result; $exists($__value) ? $__value : null) %}"
    )
    assert "Assign" not in instance and instance["End"] is True
    # Iterations cannot be told apart: the step-runner must not deduplicate their calls.
    assert instance["Arguments"]["Payload"]["context"]["multiInstance"] is True


def test_a_multi_instance_call_activity_collects_each_called_result() -> None:
    call = node(
        "M",
        Kind.CALL_ACTIVITY,
        called_element="one",
        loop=loop(output="all", output_element="{% $result.total %}"),
    )
    instance = _state(call)["ItemProcessor"]["States"]["M__instance"]
    assert (
        instance["Output"]
        == "{% ($result := $states.result.Output; $__value := $result.total; $exists($__value) ? $__value : null) %}"
    )


def test_a_multi_instance_task_without_output_element_collects_nulls() -> None:
    # A task has no `$result`: reading one failed every iteration at run time.
    task = node("M", Kind.TASK, loop=loop("{% $items %}", "item", "seen"))
    g = _around(task)
    instance = compiled(g)["States"]["M"]["ItemProcessor"]["States"]["M__instance"]
    assert instance["Output"] == "{% null %}"
    result = run_execution(compiled(g), {"items": [1, 2]})
    assert (result.status, result.output) == ("SUCCEEDED", {"items": [1, 2], "seen": [None, None]})


def test_a_boundary_on_a_multi_instance_catches_on_the_map() -> None:
    state = _state(_service("T", loop=loop()), _boundary("B", error_code="parse.invalid_data"))
    assert state["Type"] == "Map"
    assert state["Catch"] == [{"ErrorEquals": ["parse.invalid_data"], "Next": "B"}]


def _lines() -> Element:
    return _sub(
        node("In", Kind.START),
        node("Work", Kind.TASK, outputs=[out("line", "{% $item * 10 %}")]),
        node("Out", Kind.END),
        *chain("In", "Work", "Out", prefix="i"),
        loop=loop("{% $items %}", "item", "lines", "{% $line + 1 %}"),
    )


def test_a_multi_instance_subprocess_runs_its_body_per_item_then_collects() -> None:
    state = _state(_lines())
    processor = state["ItemProcessor"]
    assert processor["StartAt"] == "Sub__item"
    assert processor["States"] == {
        "Sub__item": {"Type": "Pass", "Assign": {"item__s1": "{% $states.input %}"}, "Next": "In"},
        "In": {"Type": "Pass", "Next": "Work"},
        "Work": {
            "Type": "Pass",
            "Assign": {
                "line__s1": "{% ($item := ($exists($item__s1) ? $item__s1 : $item); $__value := $item * 10; $exists($__value) ? $__value : null) %}"
            },
            "Next": "Out",
        },
        "Out": {"Type": "Pass", "Next": "Sub__collect"},
        "Sub__collect": {
            "Type": "Pass",
            "Output": "{% ($line := ($exists($line__s1) ? $line__s1 : $line); $__value := $line + 1; $exists($__value) ? $__value : null) %}",
            "End": True,
        },
    }
    assert state["Assign"] == {"lines": "{% $states.result %}"}
    result = run_execution(compiled(_around(_lines())), {"items": [1, 2]})
    assert result.output["lines"] == [11, 21]


def test_a_multi_instance_subprocess_collects_null_without_output_element() -> None:
    sub = _sub(*_inner(), loop=loop(output="all"))
    collect = _state(sub)["ItemProcessor"]["States"]["Sub__collect"]
    assert collect == {"Type": "Pass", "Output": "{% null %}", "End": True}


def test_a_multi_instance_subprocess_without_output_collection_ends_with_its_body() -> None:
    states = _state(_sub(*_inner(), loop=loop()))["ItemProcessor"]["States"]
    assert "Sub__collect" not in states
    assert states["Out"] == {"Type": "Pass", "End": True}


def test_a_subprocess_start_problem_comes_before_its_loop() -> None:
    g = _around(_sub(node("Work", Kind.TASK), loop=loop("$literal")))
    assert refused(g) == [("Sub", 3, "an embedded subprocess needs exactly one none start event")]
