"""compiler/context.py: the compilation's shared state, and a region's scopes, entries and exits."""

from __future__ import annotations

import pytest
from tests.unit.compiler.graphs import (
    body,
    chain,
    context,
    flow,
    graph,
    loop,
    node,
    problems_of,
    region,
    succeed,
)

from automations.bpmn.model import Element, Kind
from automations.compiler.context import (
    EXPRESS_MAX_SECONDS,
    Flavour,
    Region,
    is_inline,
    with_next,
)

START_TASK_END = graph(
    node("S", Kind.START), node("T", Kind.TASK), node("E", Kind.END), *chain("S", "T", "E")
)


def test_flavours_are_the_step_functions_workflow_types() -> None:
    assert [f.value for f in Flavour] == ["STANDARD", "EXPRESS"]
    assert EXPRESS_MAX_SECONDS == 300


# -- Context -------------------------------------------------------------------------------


def test_scopes_are_numbered_in_the_order_they_are_opened() -> None:
    ctx = context(START_TASK_END)
    assert [ctx.new_scope(), ctx.new_scope(), ctx.new_scope()] == ["s1", "s2", "s3"]


def test_a_problem_points_at_the_element_line_unless_given_another() -> None:
    ctx = context(START_TASK_END)
    task = node("T", Kind.TASK, line=7)
    ctx.problem(task, "first")
    ctx.problem(task, "second", 9)
    ctx.problem(flow("f", "A", "B", line=4), "third")
    assert [(p.file, p.line, p.element, p.message) for p in ctx.problems] == [
        ("t.bpmn", 7, "T", "first"),
        ("t.bpmn", 9, "T", "second"),
        ("t.bpmn", 4, "f", "third"),
    ]


def test_a_scope_is_analysed_once_and_its_problems_reported_once() -> None:
    g = graph(
        node("S", Kind.START),
        node("F", Kind.PARALLEL_GATEWAY),
        node("E1", Kind.END),
        node("E2", Kind.END),
        flow("s", "S", "F"),
        flow("a", "F", "E1"),
        flow("b", "F", "E2"),
    )
    ctx = context(g)
    first = ctx.structure(g)
    assert ctx.structure(g) is first
    assert [p.element for p in ctx.problems] == ["F"]


def test_only_express_refuses() -> None:
    task = node("T", Kind.CALL_ACTIVITY)
    standard, express = context(START_TASK_END), context(START_TASK_END, Flavour.EXPRESS)
    standard.refuse_in_express(task, "why")
    express.refuse_in_express(task, "why")
    assert standard.problems == []
    assert [p.message for p in express.problems] == ["EXPRESS workflows cannot run this: why"]


# -- Region: scopes and bindings -----------------------------------------------------------


def test_a_region_writes_and_reads_variables_by_their_own_names() -> None:
    r = region(START_TASK_END)
    assert (r.write("x"), r.read("x"), r.locals()) == ("x", "$x", {})


def test_a_scope_writes_scoped_copies_and_reads_them_before_the_outer_value() -> None:
    outer = region(START_TASK_END)
    branch = outer.scope(outer.graph, succeed, ["x"])
    assert branch.write("x") == "x__s1"
    assert branch.read("x") == "($exists($x__s1) ? $x__s1 : $x)"
    assert branch.write("y") == "y"  # not assigned in the branch: the outer variable
    nested = branch.scope(branch.graph, succeed, ["x"])
    assert nested.write("x") == "x__s2"
    assert nested.read("x") == "($exists($x__s2) ? $x__s2 : ($exists($x__s1) ? $x__s1 : $x))"
    assert outer.write("x") == "x"  # the enclosing region is untouched
    assert branch.states == {} and branch.states is not outer.states


def test_a_child_shares_the_variable_scope_and_its_states_only_when_asked() -> None:
    outer = region(START_TASK_END).scope(START_TASK_END, succeed, ["x"])
    nested = outer.child(START_TASK_END, succeed)
    inlined = outer.child(START_TASK_END, succeed, share_states=True)
    assert (nested.write("x"), nested.read("x")) == (outer.write("x"), outer.read("x"))
    assert nested.states is not outer.states
    assert inlined.states is outer.states
    assert not nested.top_level


def test_a_binding_reads_one_name_as_given_text_and_the_rest_as_before() -> None:
    outer = region(START_TASK_END).scope(START_TASK_END, succeed, ["x"])
    item = outer.binding("item", "$states.input")
    assert item.read("item") == "$states.input"
    assert item.read("x") == outer.read("x")
    assert item.locals() == {"x": outer.read("x"), "item": "$states.input"}
    assert item.states is outer.states
    assert "item" not in outer.reads


def test_locals_put_the_formats_names_before_the_scoped_reads() -> None:
    r = region(START_TASK_END).scope(START_TASK_END, succeed, ["x"])
    assert list(r.locals(result="$states.result")) == ["result", "x"]


# -- Region: entries -----------------------------------------------------------------------


def test_entry_schedules_an_element_once_and_names_its_state() -> None:
    r = region(START_TASK_END)
    assert r.entry("T") == "T"
    assert r.entry("T") == "T"
    assert r._queue == [START_TASK_END.elements["T"]]


def test_entry_goes_through_exclusive_merges_without_states_of_their_own() -> None:
    g = graph(
        node("G1", Kind.EXCLUSIVE_GATEWAY),
        node("G2", Kind.EXCLUSIVE_GATEWAY),
        node("T", Kind.TASK),
        *chain("G1", "G2", "T"),
    )
    r = region(g)
    assert r.entry("G1") == "T"
    assert [e.id for e in r._queue] == ["T"]


def test_entry_ends_a_loop_made_only_of_merges() -> None:
    g = graph(
        node("G1", Kind.EXCLUSIVE_GATEWAY),
        node("G2", Kind.EXCLUSIVE_GATEWAY),
        flow("a", "G1", "G2"),
        flow("b", "G2", "G1"),
    )
    assert region(g).entry("G1") == "G1"


def test_a_parallel_gateway_that_neither_splits_nor_joins_is_passed_through() -> None:
    g = graph(
        node("S", Kind.START),
        node("P1", Kind.PARALLEL_GATEWAY),
        node("T", Kind.TASK),
        node("P2", Kind.INCLUSIVE_GATEWAY),
        node("U", Kind.TASK),
        *chain("S", "P1", "T"),
        flow("x1", "S", "P2"),
        flow("x2", "T", "P2"),
        flow("x3", "P2", "U"),
    )
    r = region(g)
    assert r.entry("P1") == "T"
    # Two flows in: a join without a fork, which the gateway compiler must get to report.
    assert r.entry("P2") == "P2"


def test_exits_redirect_a_flow_into_a_join_also_through_merges() -> None:
    g = graph(node("G", Kind.EXCLUSIVE_GATEWAY), node("J", Kind.PARALLEL_GATEWAY), *chain("G", "J"))
    r = region(g)
    r.exits["J"] = "J__0"
    assert r.entry("J") == "J__0"
    assert r.entry("G") == "J__0"
    assert r._queue == []


def test_a_join_entered_from_outside_its_block_is_reported() -> None:
    g = graph(
        node("S", Kind.START),
        node("F", Kind.PARALLEL_GATEWAY),
        node("A", Kind.TASK),
        node("B", Kind.TASK),
        node("J", Kind.PARALLEL_GATEWAY),
        node("E", Kind.END),
        flow("s", "S", "F"),
        flow("fa", "F", "A"),
        flow("fb", "F", "B"),
        flow("aj", "A", "J"),
        flow("bj", "B", "J"),
        flow("je", "J", "E"),
    )
    r = region(g)
    assert r.entry("J") == "J"  # no exit set: this region is not inside the block
    assert problems_of(r) == [("J", 1, "this join is reached from outside the block it closes")]


def test_entry_into_an_inlined_subprocess_is_its_start_event() -> None:
    inner = body(node("In", Kind.START), node("Out", Kind.END), *chain("In", "Out"))
    g = graph(node("Sub", Kind.SUBPROCESS, body=inner))
    assert region(g).entry("Sub") == "In"
    g.elements["Sub"].body = body()  # no start event: the subprocess compiler reports it
    assert region(g).entry("Sub") == "Sub"
    g.elements["Sub"].body = inner
    g.elements["Sub"].boundaries = ["B"]  # wrapped in a Parallel: its own state
    assert region(g).entry("Sub") == "Sub"


# -- Region: next_of, add, compile_from ----------------------------------------------------


def test_next_of_an_element_without_outgoing_flow_is_none_and_reported() -> None:
    r = region(graph(node("T", Kind.TASK, line=3)))
    assert r.next_of(r.graph.elements["T"]) is None
    assert problems_of(r) == [("T", 3, "has no outgoing flow: connect it to an end event")]


def test_next_of_an_element_with_two_flows_is_the_first_and_reported() -> None:
    g = graph(
        node("T", Kind.TASK, line=3),
        node("A", Kind.END),
        node("B", Kind.END),
        flow("f1", "T", "A"),
        flow("f2", "T", "B"),
    )
    r = region(g)
    assert r.next_of(g.elements["T"]) == "A"
    assert problems_of(r) == [
        ("T", 3, "has 2 outgoing flows: split with an exclusive or parallel gateway")
    ]


def test_next_of_reports_a_condition_on_a_flow_out_of_an_activity_at_the_condition() -> None:
    g = graph(
        node("T", Kind.TASK),
        node("E", Kind.END),
        flow("f1", "T", "E", "{% $ok %}", line=5, condition_line=6),
    )
    r = region(g)
    assert r.next_of(g.elements["T"]) == "E"
    [(element, line, message)] = problems_of(r)
    assert (element, line) == ("f1", 6)
    assert message.startswith("flow f1 has a condition but leaves a task;")


def test_a_state_added_twice_is_a_compiler_bug() -> None:
    r = region(START_TASK_END)
    r.add("T", {"Type": "Pass"})
    with pytest.raises(AssertionError, match="state T compiled twice"):
        r.add("T", {"Type": "Pass"})


def test_compile_from_compiles_what_is_reachable_in_breadth_first_order() -> None:
    seen: list[str] = []

    def record(r: Region, element: Element) -> None:
        seen.append(element.id)
        for f in r.graph.out_flows(element.id):
            r.entry(f.target)

    g = graph(
        node("S", Kind.START),
        node("A", Kind.TASK),
        node("B", Kind.TASK),
        node("C", Kind.TASK),
        node("Lost", Kind.TASK),
        flow("1", "S", "A"),
        flow("2", "S", "B"),
        flow("3", "A", "C"),
        flow("4", "C", "A"),
    )
    r = region(g)
    r.ctx.compile_element = record
    assert r.compile_from("S") == "S"
    assert seen == ["S", "A", "B", "C"]


def test_is_inline_and_with_next() -> None:
    assert is_inline(node("Sub", Kind.SUBPROCESS))
    assert not is_inline(node("Sub", Kind.SUBPROCESS, boundaries=["B"]))
    assert not is_inline(node("Sub", Kind.SUBPROCESS, loop=loop()))
    assert with_next({"Type": "Pass"}, "N") == {"Type": "Pass", "Next": "N"}
    assert with_next({"Type": "Pass"}, None) == {"Type": "Pass", "End": True}
