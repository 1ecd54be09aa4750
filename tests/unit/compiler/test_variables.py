"""compiler/variables.py: which variables a scope writes and reads, in a stable order."""

from __future__ import annotations

from tests.unit.compiler.graphs import body, chain, compiled, flow, graph, loop, node, out, timer

from automations.asl import run_execution
from automations.bpmn.model import Kind
from automations.compiler.variables import (
    LOCAL_NAMES,
    assigned_by,
    assigned_in,
    assigned_in_nodes,
    expressions,
    loop_locals,
    process_variables,
)
from automations.expressions import free_variables


def test_an_activity_assigns_its_outputs_in_order() -> None:
    task = node("T", Kind.TASK, outputs=[out("b", "1"), out("a", "{% 2 %}")])
    assert assigned_by(task) == ["b", "a"]


def test_a_multi_instance_assigns_only_its_output_collection() -> None:
    # Its outputs and inputElement are local to each instance.
    looped = node("M", Kind.TASK, outputs=[out("x", "1")], loop=loop(output="all"))
    assert assigned_by(looped) == ["all"]
    looped.loop = loop(output=None)
    assert assigned_by(looped) == []


def test_a_subprocess_assigns_its_outputs_then_what_its_body_assigns() -> None:
    inner = body(node("In", Kind.TASK, outputs=[out("deep", "1")]))
    sub = node("Sub", Kind.SUBPROCESS, outputs=[out("own", "1")], body=inner)
    assert assigned_by(sub) == ["own", "deep"]


def test_assigned_in_keeps_document_order_once_per_name() -> None:
    scope = graph(
        node("A", Kind.TASK, outputs=[out("x", "1"), out("y", "1")]),
        node("B", Kind.TASK, outputs=[out("y", "2"), out("z", "2")]),
    )
    assert assigned_in(scope) == ["x", "y", "z"]


def test_assigned_in_nodes_orders_by_position_when_given_one() -> None:
    scope = graph(
        node("A", Kind.TASK, outputs=[out("a", "1")]),
        node("B", Kind.TASK, outputs=[out("b", "1")]),
        node("C", Kind.TASK, outputs=[out("c", "1")]),
    )
    picked = {"C", "A"}
    assert assigned_in_nodes(scope, picked) == ["a", "c"]
    # The position map may say another order than the dict's (it is the scope's own).
    assert assigned_in_nodes(scope, picked, {"A": 2, "B": 1, "C": 0}) == ["c", "a"]


def test_expressions_yields_every_expression_body_of_a_scope_and_its_subprocesses() -> None:
    inner = body(node("In", Kind.TASK, outputs=[out("o", "{% $deep %}")]))
    scope = graph(
        node("G", Kind.EXCLUSIVE_GATEWAY),
        node("T", Kind.SERVICE_TASK, inputs=[out("i", "{% $in %}"), out("lit", "$notread")]),
        node("M", Kind.TASK, loop=loop("{% $items %}", "item", "all", "{% $item * 2 %}")),
        node("N", Kind.TASK, loop=loop("{% $more %}")),  # no outputElement: nothing to yield
        node("W", Kind.TIMER_CATCH, timer=timer("{% $seconds %}")),
        node("W2", Kind.TIMER_CATCH, timer=timer("PT5M")),
        node("Sub", Kind.SUBPROCESS, body=inner),
        flow("f1", "G", "T", "{% $ok %}"),
        flow("f2", "G", "W", "literal"),
    )
    assert list(expressions(scope)) == [
        "$ok",
        "$in",
        "$items",
        "$item * 2",
        "$more",
        "$seconds",
        "$deep",
    ]


def test_expressions_outside_instances_skip_what_each_iteration_evaluates() -> None:
    inner = body(node("In", Kind.TASK, outputs=[out("o", "{% $perItem %}")]))
    scope = graph(
        node(
            "M",
            Kind.SERVICE_TASK,
            inputs=[out("i", "{% $item.id %}")],
            loop=loop("{% $items %}", "item", "all", "{% $result %}"),
        ),
        node("Sub", Kind.SUBPROCESS, body=inner, loop=loop("{% $lines %}", "line")),
        node("T", Kind.TASK, outputs=[out("x", "{% $after %}")]),
    )
    assert list(expressions(scope, in_instances=False)) == ["$items", "$lines", "$after"]
    assert list(expressions(scope)) == [
        "$item.id",
        "$items",
        "$result",
        "$lines",
        "$perItem",
        "$after",
    ]


def test_loop_locals_collects_input_elements_at_every_depth() -> None:
    inner = body(node("In", Kind.TASK, loop=loop(element="line")))
    scope = graph(
        node("M", Kind.TASK, loop=loop(element="item")), node("Sub", Kind.SUBPROCESS, body=inner)
    )
    assert loop_locals(scope) == {"item", "line"}


def test_process_variables_are_written_names_then_read_names_minus_locals() -> None:
    scope = graph(
        node(
            "T",
            Kind.SERVICE_TASK,
            inputs=[out("q", "{% $zeta & $alpha %}")],
            outputs=[
                out("total", "{% $result.n + $error.code %}"),
            ],
        ),
        node("M", Kind.TASK, loop=loop("{% $items %}", "item", "doubled", "{% $item * 2 %}")),
        node("S", Kind.TASK, outputs=[out("total", "{% $states.input %}")]),
    )
    # Written first (document order), then what each expression reads (sorted per
    # expression); $result, $error, $states and the loop's $item are never variables.
    assert process_variables(scope, free_variables) == [
        "total",
        "doubled",
        "alpha",
        "zeta",
        "items",
    ]
    assert {"result", "error", "states"} == LOCAL_NAMES


def test_a_loop_local_is_not_a_variable_when_only_its_instances_use_it() -> None:
    scope = graph(node("M", Kind.TASK, loop=loop("{% $items %}", "item", "all", "{% $item %}")))
    assert process_variables(scope, free_variables) == ["all", "items"]


def test_a_loop_element_name_also_read_outside_the_loop_is_a_process_variable() -> None:
    # Outside its instances `$item` is the process's own (from the input, or null): leaving it
    # out of the namespace made that read fail at run time.
    scope = graph(
        node("M", Kind.TASK, loop=loop(element="item")),
        node("T", Kind.TASK, outputs=[out("x", "{% $item %}")]),
    )
    assert process_variables(scope, free_variables) == ["x", "items", "item"]


def test_a_loop_element_name_also_assigned_outside_the_loop_is_a_process_variable() -> None:
    # Else the variable the task assigns would be missing from the process result.
    scope = graph(
        node("T", Kind.TASK, outputs=[out("item", "{% 1 %}")]),
        node("M", Kind.TASK, loop=loop(element="item")),
    )
    assert process_variables(scope, free_variables) == ["item", "items"]


def test_the_process_reads_its_own_variable_of_a_loop_element_name_at_run_time() -> None:
    scope = graph(
        node("S", Kind.START),
        node("T", Kind.TASK, outputs=[out("x", "{% $item + 1 %}")]),
        node("M", Kind.TASK, loop=loop("{% $items %}", "item", "all", "{% $item * 10 %}")),
        node("E", Kind.END),
        *chain("S", "T", "M", "E"),
    )
    result = run_execution(compiled(scope), {"items": [1, 2], "item": 5})
    assert result.status == "SUCCEEDED", result
    assert result.output == {"items": [1, 2], "item": 5, "x": 6, "all": [10, 20]}
