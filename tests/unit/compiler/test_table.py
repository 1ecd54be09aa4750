"""compiler/table.py: every element kind has its compiler, and the table is what runs."""

from __future__ import annotations

import pytest
from tests.unit.compiler.graphs import chain, graph, node, region

from automations.bpmn.model import Kind
from automations.compiler import activities, events, gateways
from automations.compiler.table import COMPILERS, compile_element


def test_every_kind_of_element_has_a_compiler() -> None:
    # A new Kind fails here until it has its row.
    assert set(COMPILERS) == set(Kind)


def test_each_kind_is_compiled_by_the_module_that_owns_it() -> None:
    owners = {kind: compiler.__module__.rpartition(".")[2] for kind, compiler in COMPILERS.items()}
    assert owners == {
        Kind.START: "events",
        Kind.END: "events",
        Kind.TERMINATE_END: "events",
        Kind.ERROR_END: "events",
        Kind.TIMER_CATCH: "events",
        Kind.ERROR_BOUNDARY: "events",
        Kind.TIMER_BOUNDARY: "events",
        Kind.TASK: "activities",
        Kind.SERVICE_TASK: "activities",
        Kind.CALL_ACTIVITY: "activities",
        Kind.SUBPROCESS: "activities",
        Kind.EXCLUSIVE_GATEWAY: "gateways",
        Kind.PARALLEL_GATEWAY: "gateways",
        Kind.INCLUSIVE_GATEWAY: "gateways",
        Kind.UNSUPPORTED: "events",
    }
    assert COMPILERS[Kind.TERMINATE_END] is events.end  # at the top level, a none end too
    assert COMPILERS[Kind.TIMER_BOUNDARY] is events.boundary
    assert COMPILERS[Kind.SUBPROCESS] is activities.subprocess
    assert COMPILERS[Kind.INCLUSIVE_GATEWAY] is gateways.gateway


def test_compile_element_dispatches_on_the_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    monkeypatch.setitem(COMPILERS, Kind.TASK, lambda r, element: seen.append(element.id))
    g = graph(node("S", Kind.START), node("T", Kind.TASK), *chain("S", "T"))
    r = region(g)
    compile_element(r, g.elements["T"])
    compile_element(r, g.elements["S"])
    assert seen == ["T"]
    assert r.states == {"S": {"Type": "Pass", "Next": "T"}}
