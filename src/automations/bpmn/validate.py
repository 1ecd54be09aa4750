"""The checks the XSD cannot make: references, scopes, reachability, conditions, timers, the
`auto:` extensions against the components the caller says exist, and JSONata syntax.

Every check runs and every problem is collected; nothing stops at the first. Each check is a
small function in one of two tables (per scope, per element) that reports what it finds to the
context, so adding one is adding a row. (Plain calls, not generators: a scenario of a thousand
elements runs eleven thousand element checks, nearly all of which find nothing.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from automations.bpmn import rules
from automations.bpmn.errors import Problem
from automations.bpmn.model import Element, Flow, Graph, Kind, Param, Process, Scenario
from automations.bpmn.parser import graphs
from automations.bpmn.timers import timer_problem
from automations.expressions import (
    ExpressionError,
    expression_text,
    is_expression,
    parse_jsonata,
)
from automations.expressions.free_vars import RESERVED
from automations.expressions.jsonata_parse import simple_expression
from automations.state_names import HELPER_SEPARATOR

KnownScenarios = Callable[[str], bool]


class KnownComponent(Protocol):
    """What validation reads of a component: its inputs (in order), the required ones and the
    error codes it may raise (`automations.components.registry.CATALOGUE` answers it)."""

    @property
    def inputs(self) -> Sequence[str]: ...

    @property
    def required(self) -> Sequence[str]: ...

    @property
    def errors(self) -> Sequence[str]: ...


KnownComponents = Mapping[str, KnownComponent]

ACTIVITIES = frozenset({Kind.SERVICE_TASK, Kind.TASK, Kind.SUBPROCESS, Kind.CALL_ACTIVITY})
# Where an `auto:output` has a state to hang its Assign on.
_ASSIGNING = ACTIVITIES | {Kind.ERROR_BOUNDARY, Kind.TIMER_BOUNDARY, Kind.TIMER_CATCH}

_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_RESERVED_VARIABLES = frozenset({"states"})  # Step Functions owns $states
FUNCTION_NAMES = RESERVED - _RESERVED_VARIABLES - {"", "$"}
_MAX_ATTEMPTS = 100
_MAX_INTERVAL_SECONDS = 24 * 3600  # a process lives at most 24 h
_MAX_BACKOFF_RATE = 10.0


@dataclass(slots=True)
class _Context:
    """The scenario being checked, with indexes built once for every check."""

    scenario: Scenario
    known_scenarios: KnownScenarios | None
    known_components: KnownComponents
    scope_of: dict[str, str] = field(default_factory=dict)  # element id -> id of its scope
    problems: list[Problem] = field(default_factory=list)  # in the order the checks find them

    def report(self, line: int, element: str, message: str) -> None:
        self.problems.append(Problem(self.scenario.file, line, element, message))


def validate_scenario(
    scenario: Scenario,
    *,
    known_scenarios: KnownScenarios | None = None,
    known_components: KnownComponents | None = None,
) -> list[Problem]:
    """Every semantic problem of a parsed scenario (empty list: it can be compiled).

    `known_scenarios(id)` says whether a call activity's calledElement names a scenario; without
    it only an empty calledElement is reported. `known_components` are the components an
    `auto:component` may name (without them, none).
    """
    ctx = _Context(scenario, known_scenarios, known_components or {})
    scopes = [g for g in graphs(scenario) if g.elements]  # an empty pool or collapsed box: no run
    for graph in scopes:
        ctx.scope_of.update(dict.fromkeys(graph.elements, graph.id))
    for graph in scopes:
        for graph_check in _GRAPH_CHECKS:
            graph_check(ctx, graph)
        for node in graph.elements.values():
            for element_check in _ELEMENT_CHECKS:
                element_check(ctx, graph, node)
    return ctx.problems


# -- scope checks --------------------------------------------------------------------------


def _flow_references(ctx: _Context, graph: Graph) -> None:
    for flow in graph.flows.values():
        for attr, ref in (("sourceRef", flow.source), ("targetRef", flow.target)):
            if not ref or ref in graph.elements:
                continue  # an absent ref is an XSD problem, reported already
            if ref in ctx.scope_of:
                ctx.report(
                    flow.line,
                    flow.id,
                    f"flow {flow.id} leaves its {_scope_word(graph)}: {attr} {ref!r} is in "
                    f"{ctx.scope_of[ref]!r}; a sequence flow must stay inside one scope",
                )
            else:
                ctx.report(
                    flow.line, flow.id, f"flow {flow.id}: {attr} {ref!r} points to no element"
                )


def _one_start_event(ctx: _Context, graph: Graph) -> None:
    starts = graph.starts()
    # A scope whose only start events are unsupported ones is reported through those.
    if not starts and not any(n.tag == "startEvent" for n in graph.elements.values()):
        ctx.report(
            graph.line,
            graph.id,
            f"{_scope_word(graph)} {graph.id} has no none start event; add a "
            "<bpmn:startEvent> without an event definition",
        )
    for extra in starts[1:]:
        ctx.report(
            extra.line,
            extra.id,
            f"second none start event in {_scope_word(graph)} {graph.id} (the first is "
            f"{starts[0].id}); a {_scope_word(graph)} has exactly one",
        )


def _reachability(ctx: _Context, graph: Graph) -> None:
    # Every start event is an entry point, even one reported as unsupported, so that one
    # unsupported start does not also make everything behind it "unreachable".
    roots = [n.id for n in graph.elements.values() if n.tag == "startEvent"]
    if not roots:
        return
    seen = _reachable(graph, roots)
    for node in graph.elements.values():
        detached = node.tag == "boundaryEvent" and node.attached_to not in graph.elements
        if node.id not in seen and node.kind is not Kind.UNSUPPORTED and not detached:
            ctx.report(
                node.line,
                node.id,
                f"{node.id} cannot be reached from the start event; connect it or remove it",
            )


def _reachable(graph: Graph, roots: list[str]) -> set[str]:
    seen = set(roots)
    stack = list(roots)
    while stack:
        node = graph.elements[stack.pop()]
        targets = [graph.flows[f].target for f in node.outgoing if f in graph.flows]
        for nxt in targets + node.boundaries:  # a boundary event is live when its activity is
            if nxt in graph.elements and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _flow_conditions(ctx: _Context, graph: Graph) -> None:
    for flow in graph.flows.values():
        source = graph.elements.get(flow.source)
        if flow.condition is None or source is None or source.kind is Kind.UNSUPPORTED:
            continue
        line = flow.condition_line or flow.line
        misplaced = rules.condition_place_problem(flow, source)
        if misplaced is not None:
            ctx.report(line, flow.id, misplaced)
            continue
        _value_problems(ctx, flow.id, line, f"condition of {flow.id}", flow.condition)
        malformed = rules.condition_form_problem(flow)
        if malformed is not None:
            ctx.report(line, flow.id, malformed)


def _exclusive_branches(ctx: _Context, graph: Graph) -> None:
    for node in graph.elements.values():
        if node.kind is not Kind.EXCLUSIVE_GATEWAY:
            continue
        flows = graph.out_flows(node.id)
        if len(flows) < 2:
            continue
        for flow in flows:
            message = rules.exclusive_branch_problem(flow, node)
            if message is not None:
                ctx.report(flow.line, flow.id, message)


def _event_flows(ctx: _Context, graph: Graph) -> None:
    for node in graph.elements.values():
        if node.incoming and node.tag in ("startEvent", "boundaryEvent"):
            ctx.report(
                node.line, node.id, f"{node.tag} {node.id} cannot have incoming sequence flows"
            )
        if node.outgoing and node.tag == "endEvent":
            ctx.report(
                node.line, node.id, f"end event {node.id} cannot have outgoing sequence flows"
            )


def _state_names(ctx: _Context, graph: Graph) -> None:
    # Element (and flow) ids become state names; the compiler's own states are `<id>__<role>`.
    items: list[Element | Flow] = [*graph.elements.values(), *graph.flows.values()]
    for item in items:
        if HELPER_SEPARATOR in item.id:
            ctx.report(
                item.line,
                item.id,
                f"id {item.id!r} contains {HELPER_SEPARATOR!r}, which names the states the "
                "compiler adds (<id>__<role>); rename it",
            )


_GraphCheck = Callable[[_Context, Graph], None]
_GRAPH_CHECKS: tuple[_GraphCheck, ...] = (
    _state_names,
    _flow_references,
    _one_start_event,
    _reachability,
    _flow_conditions,
    _exclusive_branches,
    _event_flows,
)


# -- element checks ------------------------------------------------------------------------


def _unsupported(ctx: _Context, graph: Graph, node: Element) -> None:
    if node.kind is Kind.UNSUPPORTED:
        ctx.report(node.line, node.id, f"{node.tag} is not supported: {node.note}")


def _default_flow(ctx: _Context, graph: Graph, node: Element) -> None:
    if node.default_flow is not None and node.default_flow not in node.outgoing:
        ctx.report(
            node.line,
            node.id,
            f"default flow {node.default_flow!r} is not an outgoing flow of {node.id}",
        )


def _boundary(ctx: _Context, graph: Graph, node: Element) -> None:
    ref = node.attached_to
    if not ref:
        return  # not a boundary event, or attachedToRef absent (an XSD problem)
    activity = graph.elements.get(ref)
    if activity is None and ref in ctx.scope_of:
        message = f"attachedToRef {ref!r} is in another scope; put the event on the activity"
    elif activity is None:
        message = f"attachedToRef {ref!r} points to no activity"
    elif activity.kind not in ACTIVITIES and activity.kind is not Kind.UNSUPPORTED:
        message = f"boundary event is attached to {activity.tag} {ref}, which is not an activity"
    elif node.kind in (Kind.ERROR_BOUNDARY, Kind.TIMER_BOUNDARY) and activity.kind in ACTIVITIES:
        found = rules.boundary_problem(activity, node)
        if found is None:
            return
        message = found
    else:
        return
    ctx.report(node.line, node.id, message)


def _error_ref(ctx: _Context, graph: Graph, node: Element) -> None:
    if node.error_ref is not None and node.error_ref not in ctx.scenario.errors:
        ctx.report(
            node.line,
            node.id,
            f"errorRef {node.error_ref!r} points to no bpmn:error; "
            'define <bpmn:error id="..." errorCode="..."/>',
        )


def _call(ctx: _Context, graph: Graph, node: Element) -> None:
    if node.kind is not Kind.CALL_ACTIVITY:
        return
    called = node.called_element
    if not called:
        ctx.report(
            node.line, node.id, "call activity needs calledElement (the id of the scenario to call)"
        )
    elif ctx.known_scenarios is not None and not ctx.known_scenarios(called):
        ctx.report(node.line, node.id, f"calledElement {called!r} is not a known scenario")


def _timer(ctx: _Context, graph: Graph, node: Element) -> None:
    if node.kind not in (Kind.TIMER_CATCH, Kind.TIMER_BOUNDARY):
        return
    timer = node.timer
    message = timer_problem(timer, boundary=node.kind is Kind.TIMER_BOUNDARY)
    if message is not None:
        ctx.report(timer.line if timer else node.line, node.id, message)
    if timer is not None:
        what = f"time{timer.kind.title()}"
        _value_problems(ctx, node.id, timer.line, what, timer.value)


def _component(ctx: _Context, graph: Graph, node: Element) -> None:
    if node.component is None or node.kind is Kind.UNSUPPORTED:
        return
    line = node.component_line or node.line
    if node.kind is not Kind.SERVICE_TASK:
        ctx.report(line, node.id, f"auto:component belongs on a task, not a {node.tag}")
        return
    name = node.component
    shape = ctx.known_components.get(name)
    if shape is None:
        known = ", ".join(sorted(ctx.known_components)) or "none"
        ctx.report(line, node.id, f"unknown component {name!r}; known components: {known}")
        return
    for param in node.inputs:
        if param.name not in shape.inputs:
            ctx.report(
                param.line,
                node.id,
                f"component {name} takes no input {param.name!r}; "
                f"it takes: {', '.join(sorted(shape.inputs))}",
            )
    given = {p.name for p in node.inputs}
    for needed in shape.required:
        if needed not in given:
            ctx.report(line, node.id, f"component {name} needs input {needed!r}; add an auto:input")
    if node.retry is not None:
        for code in node.retry.errors:
            if code not in shape.errors and not code.startswith("States."):
                ctx.report(
                    node.retry.line,
                    node.id,
                    f"auto:retry: component {name} never raises {code!r}; "
                    f"it raises: {', '.join(shape.errors)}",
                )


def _inputs(ctx: _Context, graph: Graph, node: Element) -> None:
    # A call activity's inputs are the called scenario's start variables: no component needed.
    takes_inputs = node.component is not None or node.kind in (Kind.CALL_ACTIVITY, Kind.UNSUPPORTED)
    if node.inputs and not takes_inputs:
        ctx.report(
            node.inputs[0].line, node.id, "auto:input needs an auto:component on the same element"
        )
    seen: set[str] = set()
    for param in node.inputs:
        if param.name in seen:
            ctx.report(param.line, node.id, f"input {param.name!r} is given twice")
        seen.add(param.name)
        _param_value(ctx, node, "input", param)


def _outputs(ctx: _Context, graph: Graph, node: Element) -> None:
    if node.outputs and node.kind not in _ASSIGNING and node.kind is not Kind.UNSUPPORTED:
        ctx.report(
            node.outputs[0].line,
            node.id,
            f"auto:output is not allowed on a {node.tag}; activities and intermediate or "
            "boundary events assign variables",
        )
    for param in node.outputs:
        message = _variable_problem(param.name)
        if message is not None:
            ctx.report(param.line, node.id, f"output name {param.name!r} {message}")
        _param_value(ctx, node, "output", param)


def _retry(ctx: _Context, graph: Graph, node: Element) -> None:
    retry = node.retry
    if retry is None:
        return
    if node.component is None:
        ctx.report(retry.line, node.id, "auto:retry only applies to an auto:component call")
    for message in _retry_number_problems(
        retry.max_attempts, retry.interval_seconds, retry.backoff_rate
    ):
        ctx.report(retry.line, node.id, f"auto:retry {message}")


def _retry_number_problems(attempts: int, interval: int, backoff: float) -> Iterator[str]:
    if not 0 <= attempts <= _MAX_ATTEMPTS:
        yield f"maxAttempts={attempts} must be between 0 and {_MAX_ATTEMPTS}"
    if not 1 <= interval <= _MAX_INTERVAL_SECONDS:
        yield f"intervalSeconds={interval} must be between 1 and {_MAX_INTERVAL_SECONDS}"
    if not 1.0 <= backoff <= _MAX_BACKOFF_RATE:
        yield f"backoffRate={backoff:g} must be between 1 and {_MAX_BACKOFF_RATE:g}"


def _loop(ctx: _Context, graph: Graph, node: Element) -> None:
    loop = node.loop
    if loop is None:
        return
    report = _reporter(ctx, loop.line, node.id)
    if (collection := rules.collection_problem(loop)) is not None:
        report(collection)
    _value_problems(ctx, node.id, loop.line, "inputCollection", loop.input_collection)
    for attr, name in (
        ("inputElement", loop.input_element),
        ("outputCollection", loop.output_collection),
    ):
        message = _variable_problem(name) if name is not None else None
        if message is not None:
            report(f"auto:loop {attr} {name!r} {message}")
    if loop.output_element is not None:
        if loop.output_collection is None:
            report("auto:loop outputElement needs outputCollection (the list to fill)")
        _value_problems(ctx, node.id, loop.line, "outputElement", loop.output_element)


def _reporter(ctx: _Context, line: int, element: str) -> Callable[[str], None]:
    return lambda message: ctx.report(line, element, message)


_ElementCheck = Callable[[_Context, Graph, Element], None]
_ELEMENT_CHECKS: tuple[_ElementCheck, ...] = (
    _unsupported,
    _default_flow,
    _boundary,
    _error_ref,
    _call,
    _timer,
    _component,
    _inputs,
    _outputs,
    _retry,
    _loop,
)


# -- values and expressions ----------------------------------------------------------------


def _param_value(ctx: _Context, node: Element, what: str, param: Param) -> None:
    _value_problems(ctx, node.id, param.line, f"{what} {param.name!r}", param.value)


def _value_problems(ctx: _Context, element: str, line: int, what: str, value: str) -> None:
    """A `{% %}` value must parse as JSONata; `{%` inside a literal is almost surely a slip."""
    if is_expression(value):
        error = _jsonata_error(expression_text(value))  # the text the compiler reads too
        if error is not None:
            ctx.report(line, element, f"malformed JSONata in {what}: {error}")
    elif "{%" in value:
        ctx.report(
            line,
            element,
            f"{what}: an expression must be the whole value, {{% ... %}} "
            "(join text with &, e.g. {% 'Hello ' & $name %})",
        )


def _jsonata_error(text: str) -> str | None:
    """JSONata's own message when `text` does not parse, else None."""
    if simple_expression(text) is not None:
        return None  # it parses (jsonata_parse reads it as the library would); run, it compiles
    try:
        parse_jsonata(text)  # compiled once and cached by text, for the engines too
    except ExpressionError as exc:
        return " ".join(str(exc).split())
    return None


def _variable_problem(name: str) -> str | None:
    if name.startswith("$") and _VARIABLE.match(name[1:]):
        return f"must be written without the '$' ({name[1:]})"
    if not _VARIABLE.match(name):
        return "is not a variable name (letters, digits and _, not starting with a digit)"
    if name in _RESERVED_VARIABLES:
        return f"is reserved (${name} belongs to Step Functions)"
    if "__" in name:
        return "may not contain '__' (the compiler names scoped copies of variables with it)"
    if name in FUNCTION_NAMES:
        # A variable of that name would hide the function in every expression after it.
        return f"would hide the JSONata function ${name}(): choose another name"
    return None


def _scope_word(graph: Graph) -> str:
    return "process" if isinstance(graph, Process) else "subprocess"
