"""Scenario graphs built straight from `bpmn/model.py` for the compiler's module tests, and the
`Context`/`Region` to compile them in: no XML, so a test says exactly which node it is about.

    g = graph(node("S", Kind.START), node("E", Kind.END), flow("f1", "S", "E"))
    r = region(g)
    r.compile_from("S")
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from automations.bpmn.errors import ScenarioInvalid
from automations.bpmn.model import Element, Flow, Graph, Kind, Loop, Param, Process, Scenario, Timer
from automations.compiler import Flavour, compile_scenario
from automations.compiler.context import Context, EndCompiler, Region, State
from automations.compiler.table import compile_element
from automations.compiler.variables import process_variables
from automations.expressions import free_variables

FILE = "t.bpmn"
TAGS = {
    Kind.START: "startEvent",
    Kind.END: "endEvent",
    Kind.TERMINATE_END: "endEvent",
    Kind.ERROR_END: "endEvent",
    Kind.SERVICE_TASK: "serviceTask",
    Kind.TASK: "task",
    Kind.EXCLUSIVE_GATEWAY: "exclusiveGateway",
    Kind.PARALLEL_GATEWAY: "parallelGateway",
    Kind.INCLUSIVE_GATEWAY: "inclusiveGateway",
    Kind.TIMER_CATCH: "intermediateCatchEvent",
    Kind.ERROR_BOUNDARY: "boundaryEvent",
    Kind.TIMER_BOUNDARY: "boundaryEvent",
    Kind.SUBPROCESS: "subProcess",
    Kind.CALL_ACTIVITY: "callActivity",
    Kind.UNSUPPORTED: "complexGateway",
}

Problems = list[tuple[str, int, str]]


def node(ident: str, kind: Kind, *, line: int = 1, **fields: Any) -> Element:
    """An element of `kind` with the tag the parser gives it; `fields` as in `Element`."""
    fields.setdefault("tag", TAGS[kind])
    return Element(id=ident, kind=kind, line=line, **fields)


def flow(
    ident: str,
    source: str,
    target: str,
    condition: str | None = None,
    *,
    line: int = 1,
    condition_line: int | None = None,
) -> Flow:
    return Flow(ident, source, target, line, condition=condition, condition_line=condition_line)


def out(name: str, value: str, line: int = 1) -> Param:
    return Param(name, value, line)


def timer(value: str, kind: str = "duration", line: int = 1) -> Timer:
    return Timer(kind, value, line)


def loop(
    collection: str = "{% $items %}",
    element: str = "item",
    output: str | None = None,
    output_element: str | None = None,
    *,
    sequential: bool = False,
    line: int = 1,
) -> Loop:
    return Loop(collection, element, output, output_element, sequential, line)


def graph(*items: Element | Flow, ident: str = "P", process: bool = True) -> Graph:
    """A scope holding `items` in that order, linked as the parser links a file's."""
    scope = Process(id=ident, line=1) if process else Graph(id=ident, line=1)
    for item in items:
        if isinstance(item, Flow):
            scope.flows[item.id] = item
        else:
            scope.elements[item.id] = item
    for f in scope.flows.values():
        if f.source in scope.elements:
            scope.elements[f.source].outgoing.append(f.id)
        if f.target in scope.elements:
            scope.elements[f.target].incoming.append(f.id)
    for element in scope.elements.values():
        if element.attached_to in scope.elements:
            scope.elements[element.attached_to].boundaries.append(element.id)
    return scope


def body(*items: Element | Flow, ident: str = "Sub") -> Graph:
    """The graph of an embedded subprocess `ident`."""
    return graph(*items, ident=ident, process=False)


def chain(*ids: str, prefix: str = "c") -> list[Flow]:
    """Flows c0, c1, ... linking the ids in order."""
    return [flow(f"{prefix}{i}", a, b) for i, (a, b) in enumerate(pairwise(ids))]


def scenario(process: Graph) -> Scenario:
    assert isinstance(process, Process)
    return Scenario(FILE, [process])


def context(
    process: Graph, flavour: Flavour = Flavour.STANDARD, variables: list[str] | None = None
) -> Context:
    """The compilation context of a scenario whose main process is `process`."""
    names = process_variables(process, free_variables) if variables is None else variables
    scope = process if isinstance(process, Process) else Process(id="P", line=1)
    return Context(Scenario(FILE, [scope]), flavour, free_variables, names, compile_element)


def succeed(region: Region, element: Element) -> State:
    return {"Type": "Succeed"}


def region(
    scope: Graph,
    *,
    flavour: Flavour = Flavour.STANDARD,
    variables: list[str] | None = None,
    top_level: bool = True,
    on_end: EndCompiler = succeed,
) -> Region:
    """A region filling the top-level `States` of `scope`; ends become a bare `Succeed`."""
    return Region(context(scope, flavour, variables), scope, on_end, top_level=top_level)


def problems_of(r: Region) -> Problems:
    return [(p.element, p.line, p.message) for p in r.ctx.problems]


def compiled(process: Graph, flavour: Flavour = Flavour.STANDARD) -> dict[str, Any]:
    return compile_scenario(scenario(process), flavour)


def refused(process: Graph, flavour: Flavour = Flavour.STANDARD) -> Problems:
    with pytest.raises(ScenarioInvalid) as caught:
        compile_scenario(scenario(process), flavour)
    return [(p.element, p.line, p.message) for p in caught.value.problems]
