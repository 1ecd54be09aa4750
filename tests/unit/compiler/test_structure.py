"""compiler/structure.py: control-flow successors, post-dominators, and which forks are blocks."""

from __future__ import annotations

from tests.unit.compiler.graphs import chain, flow, graph, node

from automations.bpmn.model import Element, Graph, Kind
from automations.compiler.structure import EXIT, Block, analyse, post_dominators, successors

P, INC, X = Kind.PARALLEL_GATEWAY, Kind.INCLUSIVE_GATEWAY, Kind.EXCLUSIVE_GATEWAY


def _tasks(*ids: str) -> list[Element]:
    return [node(i, Kind.TASK) for i in ids]


def _diamond(fork: Kind = P, join: Kind | None = None) -> Graph:
    """S -> F -> (A | B) -> J -> E"""
    return graph(
        node("S", Kind.START),
        node("F", fork),
        *_tasks("A", "B"),
        node("J", join or fork),
        node("E", Kind.END),
        *chain("S", "F"),
        flow("fa", "F", "A"),
        flow("fb", "F", "B"),
        flow("aj", "A", "J"),
        flow("bj", "B", "J"),
        flow("je", "J", "E"),
    )


def _messages(g: Graph) -> list[tuple[str, str]]:
    return [(element.id, message) for element, message in analyse(g).problems]


# -- successors and post-dominators --------------------------------------------------------


def test_successors_are_flow_targets_boundaries_and_exit_after_normal_ends() -> None:
    g = graph(
        node("S", Kind.START),
        node("T", Kind.SERVICE_TASK),
        node("B", Kind.ERROR_BOUNDARY, attached_to="T"),
        node("E", Kind.END),
        node("K", Kind.TERMINATE_END),
        node("X", Kind.ERROR_END),
        flow("f1", "S", "T"),
        flow("f2", "T", "E"),
        flow("f3", "B", "X"),
        flow("f4", "T", "Nowhere"),  # a dangling target (validation reports it) is no successor
    )
    succ = successors(g)
    assert succ["S"] == ["T"]
    assert succ["T"] == ["E", "B"]
    assert succ["E"] == [EXIT]
    assert succ["K"] == [EXIT]
    assert succ["X"] == []  # an error end leaves the scope, it does not finish it
    assert succ[EXIT] == []


def test_the_immediate_post_dominator_of_a_fork_is_its_join() -> None:
    ipdom = post_dominators(successors(_diamond()))
    assert ipdom == {"S": "F", "F": "J", "A": "J", "B": "J", "J": "E", "E": EXIT}


def test_nodes_that_never_reach_the_end_have_no_post_dominator_and_do_not_decide_one() -> None:
    g = graph(
        node("S", Kind.START),
        node("G", X),
        *_tasks("A", "Spin"),
        node("Fail", Kind.ERROR_END),
        node("E", Kind.END),
        flow("f1", "S", "G"),
        flow("f2", "G", "A"),
        flow("f3", "G", "Fail"),
        flow("f4", "A", "E"),
        flow("f5", "G", "Spin"),
        flow("f6", "Spin", "Spin"),  # an endless loop
    )
    ipdom = post_dominators(successors(g))
    assert "Fail" not in ipdom and "Spin" not in ipdom
    assert ipdom["G"] == "A"


def test_post_dominators_follow_a_loop_back_to_its_exit() -> None:
    g = graph(
        node("S", Kind.START),
        *_tasks("A", "B"),
        node("G", X),
        node("E", Kind.END),
        *chain("S", "A", "B", "G"),
        flow("back", "G", "A"),
        flow("out", "G", "E"),
    )
    assert post_dominators(successors(g)) == {"S": "A", "A": "B", "B": "G", "G": "E", "E": EXIT}


# -- blocks --------------------------------------------------------------------------------


def test_a_parallel_diamond_is_one_block_with_a_branch_per_flow() -> None:
    found = analyse(_diamond())
    assert found.problems == []
    assert found.blocks == {"F": Block("F", "J", [{"A"}, {"B"}])}
    assert found.joins == {"J"}
    assert found.position == {"S": 0, "F": 1, "A": 2, "B": 3, "J": 4, "E": 5}


def test_an_inclusive_diamond_is_a_block_and_an_exclusive_one_is_not() -> None:
    assert analyse(_diamond(INC)).blocks == {"F": Block("F", "J", [{"A"}, {"B"}])}
    exclusive = analyse(_diamond(X))
    assert (exclusive.blocks, exclusive.joins, exclusive.problems) == ({}, set(), [])


def test_a_branch_holds_its_boundary_paths_and_error_ends() -> None:
    g = graph(
        node("S", Kind.START),
        node("F", P),
        node("A", Kind.SERVICE_TASK),
        node("Late", Kind.TIMER_BOUNDARY, attached_to="A"),
        node("Fail", Kind.ERROR_END),
        node("B", Kind.TASK),
        node("J", P),
        node("E", Kind.END),
        *chain("S", "F"),
        flow("fa", "F", "A"),
        flow("fb", "F", "B"),
        flow("aj", "A", "J"),
        flow("late", "Late", "Fail"),
        flow("bj", "B", "J"),
        flow("je", "J", "E"),
    )
    found = analyse(g)
    assert found.problems == []
    assert found.blocks["F"].branches == [{"A", "Late", "Fail"}, {"B"}]


def test_nested_blocks_are_each_found() -> None:
    g = graph(
        node("S", Kind.START),
        node("F1", P),
        node("F2", P),
        *_tasks("A", "B", "C"),
        node("J2", P),
        node("J1", P),
        node("E", Kind.END),
        flow("s", "S", "F1"),
        flow("f1a", "F1", "F2"),
        flow("f1c", "F1", "C"),
        flow("f2a", "F2", "A"),
        flow("f2b", "F2", "B"),
        flow("aj", "A", "J2"),
        flow("bj", "B", "J2"),
        flow("j2", "J2", "J1"),
        flow("cj", "C", "J1"),
        flow("e", "J1", "E"),
    )
    found = analyse(g)
    assert found.problems == []
    assert found.blocks["F1"] == Block("F1", "J1", [{"F2", "A", "B", "J2"}, {"C"}])
    assert found.blocks["F2"] == Block("F2", "J2", [{"A"}, {"B"}])
    assert found.joins == {"J1", "J2"}


def test_a_gateway_that_joins_and_splits_is_refused() -> None:
    g = graph(
        node("S", Kind.START),
        node("F", P),
        *_tasks("A", "B", "C", "D"),
        node("JF", P),
        node("J", P),
        node("E", Kind.END),
        flow("s", "S", "F"),
        flow("fa", "F", "A"),
        flow("fb", "F", "B"),
        flow("a", "A", "JF"),
        flow("b", "B", "JF"),
        flow("c", "JF", "C"),
        flow("d", "JF", "D"),
        flow("cj", "C", "J"),
        flow("dj", "D", "J"),
        flow("e", "J", "E"),
    )
    assert ("JF", "a gateway that both joins and splits cannot be compiled: use two") in _messages(
        g
    )


def test_branches_that_never_meet_are_refused_in_the_gateways_words() -> None:
    for kind, word in ((P, "parallel"), (INC, "inclusive")):
        g = graph(
            node("S", Kind.START),
            node("F", kind),
            node("E1", Kind.END),
            node("E2", Kind.END),
            flow("s", "S", "F"),
            flow("a", "F", "E1"),
            flow("b", "F", "E2"),
        )
        assert _messages(g) == [
            (
                "F",
                f"the branches of this {word} gateway never meet again at one {word} gateway "
                "(only block-structured forks and joins can be compiled)",
            )
        ]
        assert analyse(g).blocks == {}


def test_a_join_of_another_kind_does_not_close_a_fork() -> None:
    assert [element for element, _ in _messages(_diamond(P, INC))] == ["F"]
    assert "never meet again at one parallel gateway" in _messages(_diamond(P, INC))[0][1]
    assert "never meet again" in _messages(_diamond(P, X))[0][1]


def test_branches_that_meet_before_the_join_are_refused_where_they_meet() -> None:
    g = graph(
        node("S", Kind.START),
        node("F", P),
        *_tasks("A", "B", "C"),
        node("J1", P),
        node("J2", P),
        node("E", Kind.END),
        flow("s", "S", "F"),
        flow("fa", "F", "A"),
        flow("fb", "F", "B"),
        flow("fc", "F", "C"),
        flow("a", "A", "J1"),
        flow("b", "B", "J1"),
        flow("j", "J1", "J2"),
        flow("c", "C", "J2"),
        flow("e", "J2", "E"),
    )
    assert _messages(g) == [("J1", "branches of parallel gateway F meet here before J2")]


def test_a_flow_into_a_branch_from_outside_is_refused_at_its_target() -> None:
    g = graph(
        node("S", Kind.START),
        node("G", X),
        node("F", P),
        *_tasks("A", "B"),
        node("J", P),
        node("E", Kind.END),
        flow("s", "S", "G"),
        flow("gf", "G", "F", "{% $x %}"),
        flow("ga", "G", "A", "{% $y %}"),  # straight into branch A, past the fork
        flow("fa", "F", "A"),
        flow("fb", "F", "B"),
        flow("aj", "A", "J"),
        flow("bj", "B", "J"),
        flow("je", "J", "E"),
    )
    assert _messages(g) == [("A", "flow ga enters a branch of parallel gateway F from outside")]


def test_a_flow_into_the_join_from_outside_the_block_is_refused_at_the_join() -> None:
    g = graph(
        node("S", Kind.START),
        node("G", X),
        node("F", P),
        *_tasks("A", "B"),
        node("J", P),
        node("E", Kind.END),
        flow("s", "S", "G"),
        flow("gf", "G", "F", "{% $x %}"),
        flow("gj", "G", "J", "{% $y %}"),
        flow("fa", "F", "A"),
        flow("fb", "F", "B"),
        flow("aj", "A", "J"),
        flow("bj", "B", "J"),
        flow("je", "J", "E"),
    )
    found = analyse(g)
    assert _messages(g) == [("J", "flow gj reaches this join from outside the block of F")]
    assert found.blocks == {} and found.joins == set()
