"""Compilation state: the scenario (`Context`) and one `States` object being filled (`Region`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from automations.bpmn import rules
from automations.bpmn.errors import Problem
from automations.bpmn.model import Element, Flow, Graph, Kind, Scenario
from automations.compiler.jsonata_text import FreeVariables
from automations.compiler.structure import Structure, analyse

State = dict[str, Any]
ElementCompiler = Callable[["Region", Element], None]
EXPRESS_MAX_SECONDS = 300


class Flavour(StrEnum):
    """Step Functions workflow type the machine is compiled for."""

    STANDARD = "STANDARD"
    EXPRESS = "EXPRESS"


@dataclass(slots=True)
class Context:
    """Everything shared by the whole compilation of one scenario.

    `compile_element` is the table of element compilers (`table.compile_element`): handed in,
    because those compilers build on this module.
    """

    scenario: Scenario
    flavour: Flavour
    free: FreeVariables
    variables: list[str]  # the process namespace, in first-seen order
    compile_element: ElementCompiler
    problems: list[Problem] = field(default_factory=list)
    _structures: dict[int, Structure] = field(default_factory=dict)
    _scopes: int = 0

    def new_scope(self) -> str:
        self._scopes += 1
        return f"s{self._scopes}"

    def problem(self, element: Element | Flow, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(self.scenario.file, line or element.line, element.id, message))

    def structure(self, graph: Graph) -> Structure:
        key = id(graph)
        if key not in self._structures:
            found = analyse(graph)
            for element, message in found.problems:
                self.problem(element, message)
            self._structures[key] = found
        return self._structures[key]

    def refuse_in_express(self, element: Element, why: str) -> None:
        if self.flavour is Flavour.EXPRESS:
            self.problem(element, f"EXPRESS workflows cannot run this: {why}")


EndCompiler = Callable[["Region", Element], State]


@dataclass(slots=True)
class Region:
    """One ASL `States` object (the machine, a Parallel branch, a Map iteration) being filled.

    `exits` redirects flows into an element (a block's join) to a state of this region;
    `on_end` decides what a none or terminate end event becomes here.
    """

    ctx: Context
    graph: Graph
    on_end: EndCompiler
    states: dict[str, State] = field(default_factory=dict)
    exits: dict[str, str] = field(default_factory=dict)
    top_level: bool = False
    # A Parallel branch or Map iteration may read the variables of the scopes around it but
    # not assign them. So inside one, a process variable the branch assigns is written under a
    # scoped name (`total__s3`), and every expression there reads it through a binding.
    writes: dict[str, str] = field(default_factory=dict)  # variable -> name assigned here
    reads: dict[str, str] = field(default_factory=dict)  # variable -> JSONata that reads it
    # Inside a subprocess with boundaries (a one-branch Parallel), the variables it assigns:
    # an error end event here carries their values out in its Cause, since a failed branch
    # hands nothing else back, and the boundary's Catch assigns them (`activities.carried`).
    carry: tuple[str, ...] = ()
    _queue: list[Element] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)
    _structure: Structure | None = None  # `ctx.structure(graph)`, asked for several times a state

    def child(self, graph: Graph, on_end: EndCompiler, *, share_states: bool = False) -> Region:
        """A region in the same variable scope (an inlined subprocess) or a nested one."""
        states = self.states if share_states else {}
        return Region(
            self.ctx,
            graph,
            on_end,
            states=states,
            writes=self.writes,
            reads=self.reads,
            carry=self.carry,
        )

    def scope(self, graph: Graph, on_end: EndCompiler, assigned: list[str]) -> Region:
        """A region in a new ASL variable scope (a branch, an iteration) that assigns `assigned`."""
        scope = self.ctx.new_scope()
        writes = dict(self.writes)
        reads = dict(self.reads)
        for name in assigned:
            scoped = f"{name}__{scope}"
            writes[name] = scoped
            reads[name] = f"($exists(${scoped}) ? ${scoped} : {self.read(name)})"
        return Region(self.ctx, graph, on_end, writes=writes, reads=reads, carry=self.carry)

    def binding(self, name: str, text: str) -> Region:
        """A view of this region in which `$name` reads as the JSONata `text`."""
        return Region(
            self.ctx,
            self.graph,
            self.on_end,
            states=self.states,
            writes=self.writes,
            reads={**self.reads, name: text},
            carry=self.carry,
        )

    def write(self, name: str) -> str:
        return self.writes.get(name, name)

    def read(self, name: str) -> str:
        return self.reads.get(name, f"${name}")

    def locals(self, **extra: str) -> dict[str, str]:
        """Bindings an expression here may need: the format's own names, then scoped reads."""
        return {**extra, **self.reads}

    @property
    def structure(self) -> Structure:
        if self._structure is None:
            self._structure = self.ctx.structure(self.graph)
        return self._structure

    def entry(self, element_id: str) -> str:
        """The state a flow into `element_id` must name as `Next` (scheduling it if needed)."""
        seen: set[str] | None = None  # (most flows lead straight to their state: no set)
        while element_id not in self.exits:
            element = self.graph.elements[element_id]
            if not self._is_pass_through(element):
                break
            if seen is None:
                seen = set()
            elif element_id in seen:
                break
            seen.add(element_id)  # a loop made only of merges would never stop
            element_id = self.structure.outs[element_id][0].target
        if element_id in self.exits:
            return self.exits[element_id]
        element = self.graph.elements[element_id]
        if element.id in self.structure.joins:
            self.ctx.problem(element, "this join is reached from outside the block it closes")
        self.schedule(element)
        if element.kind is Kind.SUBPROCESS and is_inline(element) and element.body:
            starts = element.body.starts()
            return starts[0].id if starts else element.id
        return element.id

    def _is_pass_through(self, element: Element) -> bool:
        # An exclusive merge is just a shared Next; a parallel/inclusive gateway only when it
        # neither splits nor joins (a join outside any block must be reported, not skipped).
        structure = self.structure
        outs = structure.outs[element.id]
        if len(outs) != 1 or element.id in structure.joins:
            return False
        if element.kind is Kind.EXCLUSIVE_GATEWAY:
            return outs[0].condition is None  # else its condition must still be tested
        gateways = (Kind.INCLUSIVE_GATEWAY, Kind.PARALLEL_GATEWAY)
        return element.kind in gateways and len(structure.ins[element.id]) <= 1

    def next_of(self, element: Element) -> str | None:
        """The `Next` of an element that has one way out; reports the other cases."""
        flows = self.structure.outs[element.id]
        if not flows:
            self.ctx.problem(element, "has no outgoing flow: connect it to an end event")
            return None
        if len(flows) > 1:
            self.ctx.problem(
                element,
                f"has {len(flows)} outgoing flows: split with an exclusive or parallel gateway",
            )
        for flow in flows:
            misplaced = rules.condition_place_problem(flow, element) if flow.condition else None
            if misplaced is not None:
                self.ctx.problem(flow, misplaced, flow.condition_line)
        return self.entry(flows[0].target)

    def schedule(self, element: Element) -> None:
        if element.id not in self._seen:
            self._seen.add(element.id)
            self._queue.append(element)

    def add(self, name: str, state: State) -> None:
        if name in self.states:
            raise AssertionError(f"state {name} compiled twice")  # a compiler bug, not user input
        self.states[name] = state

    def compile_from(self, element_id: str) -> str:
        """Compile everything reachable from `element_id`; returns the region's StartAt."""
        start = self.entry(element_id)
        while self._queue:
            self.ctx.compile_element(self, self._queue.pop(0))
        return start


def is_inline(element: Element) -> bool:
    """An embedded subprocess without boundary events or loop is inlined, not wrapped."""
    return not element.boundaries and element.loop is None


def with_next(state: State, next_name: str | None) -> State:
    if next_name is None:
        state["End"] = True
    else:
        state["Next"] = next_name
    return state
