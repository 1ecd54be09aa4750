"""The process namespace: which variables a scenario reads and writes, and where."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping

from automations.bpmn.model import Element, Graph
from automations.compiler import jsonata_text as jt

# Names the scenario format binds itself; they are never process variables.
LOCAL_NAMES = frozenset({"result", "error", "states"})


def assigned_by(element: Element) -> list[str]:
    """Variables an element writes into the enclosing scope (not its instance-local ones)."""
    if element.loop is not None:
        return [element.loop.output_collection] if element.loop.output_collection else []
    names = [p.name for p in element.outputs]
    if element.body is not None:
        names += assigned_in(element.body)
    return names


def assigned_in(graph: Graph) -> list[str]:
    return assigned_in_nodes(graph, graph.elements)


def assigned_in_nodes(
    graph: Graph, nodes: Collection[str], position: Mapping[str, int] | None = None
) -> list[str]:
    """Names assigned by `nodes`, in document order (`position`: element id → its index)."""
    if position is not None:
        # Sorting a branch beats scanning the whole scope once per fork (forks nest).
        ordered: Iterable[str] = sorted(nodes, key=position.__getitem__)
    else:
        ordered = [e for e in graph.elements if e in nodes]
    names: dict[str, None] = {}
    for element_id in ordered:  # document order keeps the compiled text stable
        names.update(dict.fromkeys(assigned_by(graph.elements[element_id])))
    return list(names)


def expressions(graph: Graph, *, in_instances: bool = True) -> Iterator[str]:
    """Every `{% %}` body in a scope and the scopes inside it (without `in_instances`, only
    those evaluated outside every multi-instance's iterations)."""
    every: list[str] = []
    outside: list[str] = []
    _collect(graph, every, outside)
    return iter(every if in_instances else outside)


def _collect(graph: Graph, every: list[str], outside: list[str] | None) -> None:
    """Both lists of `expressions` in one walk; `outside` is None inside an iteration."""
    for flow in graph.flows.values():
        if flow.condition and jt.is_expression(flow.condition):
            every.append(jt.body(flow.condition))
            if outside is not None:
                outside.append(every[-1])
    for element in graph.elements.values():
        values = [p.value for p in (*element.inputs, *element.outputs)]
        loop = element.loop
        if loop is not None:
            values += [loop.input_collection, loop.output_element or ""]
        if element.timer is not None:
            values.append(element.timer.value)
        found = [jt.body(v) for v in values if jt.is_expression(v)]
        every += found
        if outside is not None and loop is None:
            outside += found
        elif outside is not None and loop is not None:  # what its iterations evaluate stays
            values = [loop.input_collection]  # inside them
            if element.timer is not None:
                values.append(element.timer.value)
            outside.extend(jt.body(v) for v in values if jt.is_expression(v))
        if element.body is not None:
            _collect(element.body, every, outside if loop is None else None)


def loop_locals(graph: Graph) -> set[str]:
    found: set[str] = set()
    for element in graph.elements.values():
        if element.loop is not None:
            found.add(element.loop.input_element)
        if element.body is not None:
            found |= loop_locals(element.body)
    return found


def process_variables(graph: Graph, free: jt.FreeVariables) -> list[str]:
    """Names written anywhere, then names read anywhere, minus what the format binds locally."""
    assigned = assigned_in(graph)
    names: dict[str, None] = dict.fromkeys(assigned)
    every: list[str] = []
    evaluated_outside: list[str] = []
    _collect(graph, every, evaluated_outside)
    for text in every:
        names.update(dict.fromkeys(sorted(free(text))))
    # An inputElement is local to its instances only: the same name used outside them is the
    # process's own variable (else its reads there fail and its value leaves the result).
    outside = set(assigned).union(*map(free, evaluated_outside))
    excluded = LOCAL_NAMES | (loop_locals(graph) - outside)
    return [n for n in names if n not in excluded]
