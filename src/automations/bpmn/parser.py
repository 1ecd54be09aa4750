"""BPMN XML -> `Scenario`: one pass over the tree, a table from BPMN tag to parser function.

The parser records what the file says and reports only what the model cannot hold (a missing
extension attribute, a number that is not a number, a loop marker without `auto:loop`, a
duplicate id). Whether the graph makes sense is `validate.py`'s job.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial

from lxml import etree

from automations.bpmn.errors import Problem
from automations.bpmn.model import (
    AUTO_NS,
    BPMN_NS,
    ErrorDef,
    Flow,
    Graph,
    Kind,
    Loop,
    Param,
    Process,
    RetryPolicy,
    Scenario,
    Timer,
)
from automations.bpmn.model import (
    Element as Node,  # "Element" would be confused with lxml's elements everywhere below
)
from automations.bpmn.xml import Document, element_label, source_line
from automations.expressions.template import is_expression

Xml = etree._Element
MAX_SUBPROCESS_DEPTH = 32


@dataclass(slots=True)
class _Reader:
    """What one parse carries along: the file name, the ids seen so far and the problems."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)  # id -> line of its first use
    depth: int = 0  # subprocesses entered

    def problem(self, line: int, element: str, message: str) -> None:
        self.problems.append(Problem(self.file, line, element, message))

    def claim_id(self, el: Xml, line: int) -> str | None:
        """The element's id if it has a usable one; reports a missing or repeated id.

        `line` is the element's `source_line` (which its caller needs too)."""
        ident = (el.get("id") or "").strip()
        if not ident:
            tag = _local(el)
            self.problem(line, tag, f"bpmn:{tag} has no id; give it one")
            return None
        if ident in self.ids:
            self.problem(
                line, ident, f"duplicate id {ident!r} (first used on line {self.ids[ident]})"
            )
            return None
        self.ids[ident] = line
        return ident


def build_scenario(doc: Document) -> tuple[Scenario, list[Problem]]:
    """Read every process and error definition of a well-formed document."""
    reader = _Reader(doc.file)
    scenario = Scenario(file=doc.file, processes=[])
    for child in _children(doc.root, BPMN_NS):
        handler = _ROOT_CHILDREN.get(_local(child))
        if handler is not None:
            handler(reader, child, scenario)
    if not scenario.processes:
        reader.problem(
            source_line(doc.root), element_label(doc.root), "the file has no bpmn:process"
        )
    _resolve_errors(scenario)
    return scenario, reader.problems


def graphs(scenario: Scenario) -> Iterator[Graph]:
    """Every scope of the scenario: each process and, depth first, each embedded subprocess."""
    stack: list[Graph] = list(reversed(scenario.processes))
    while stack:
        graph = stack.pop()
        yield graph
        bodies = [n.body for n in graph.elements.values() if n.body is not None]
        stack.extend(reversed(bodies))


# -- definitions children ------------------------------------------------------------------


def _add_process(reader: _Reader, el: Xml, scenario: Scenario) -> None:
    line = source_line(el)
    ident = reader.claim_id(el, line)
    if ident is None:
        return
    process = Process(
        id=ident,
        line=line,
        name=el.get("name"),
        is_executable=_bool(el.get("isExecutable"), default=False),
    )
    _read_graph(reader, el, process)
    scenario.processes.append(process)


def _add_error(reader: _Reader, el: Xml, scenario: Scenario) -> None:
    line = source_line(el)
    ident = reader.claim_id(el, line)
    if ident is not None:
        code = el.get("errorCode")
        scenario.errors[ident] = ErrorDef(ident, code, el.get("name"), line)


_ROOT_CHILDREN: dict[str, Callable[[_Reader, Xml, Scenario], None]] = {
    "process": _add_process,
    "error": _add_error,
}


def _resolve_errors(scenario: Scenario) -> None:
    # bpmn:error definitions may come after the processes that use them, hence a second step.
    for graph in graphs(scenario):
        for node in graph.elements.values():
            error = scenario.errors.get(node.error_ref or "")
            if error is not None:
                # Without an errorCode the error's id is its code, on both throw and catch side.
                node.error_code = error.code or error.id
                node.error_message = error.name


# -- scopes --------------------------------------------------------------------------------


def _read_graph(reader: _Reader, el: Xml, graph: Graph) -> None:
    for child in el:  # (comments' and other namespaces' tags are in no table)
        handler = _GRAPH_CHILD_TAGS.get(child.tag)
        if handler is not None:  # lanes, data objects, artifacts, ...: not part of the run
            handler(reader, child, graph)
    _link(graph)


def _add_flow(reader: _Reader, el: Xml, graph: Graph) -> None:
    line = source_line(el)
    ident = reader.claim_id(el, line)
    if ident is None:
        return
    flow = Flow(
        id=ident,
        source=(el.get("sourceRef") or "").strip(),
        target=(el.get("targetRef") or "").strip(),
        line=line,
        name=el.get("name"),
    )
    condition = _child(el, "conditionExpression") if len(el) else None
    if condition is not None:
        text = _text(condition).strip()
        flow.condition = text or None  # tools write an empty element for "no condition"
        flow.condition_line = source_line(condition) if text else None
    graph.flows[ident] = flow


def _add_node(reader: _Reader, el: Xml, graph: Graph) -> None:
    line = source_line(el)
    ident = reader.claim_id(el, line)
    if ident is None:
        return
    tag = _local(el)
    node = Node(
        id=ident,
        kind=Kind.UNSUPPORTED,
        tag=tag,
        line=line,
        name=el.get("name"),
        default_flow=(el.get("default") or "").strip() or None,
    )
    # Most flow nodes have no child elements (gateways, plain events), the others a few: read
    # them once rather than searching the children once per construct.
    children = _first_children(el) if len(el) else _NO_CHILDREN
    extensions = children.get(_EXTENSION_ELEMENTS)
    spec = _read_extensions(reader, extensions, node) if extensions is not None else None
    _read_loop(reader, children, spec, node)
    _NODE_PARSERS[tag](reader, el, node)
    graph.elements[ident] = node


def _link(graph: Graph) -> None:
    """incoming/outgoing from the flows themselves (tools may omit <incoming>/<outgoing>)."""
    for flow in graph.flows.values():
        if flow.source in graph.elements:
            graph.elements[flow.source].outgoing.append(flow.id)
        if flow.target in graph.elements:
            graph.elements[flow.target].incoming.append(flow.id)
    for node in graph.elements.values():
        if node.attached_to in graph.elements:
            graph.elements[node.attached_to].boundaries.append(node.id)


# -- flow nodes ----------------------------------------------------------------------------

_NodeParser = Callable[[_Reader, Xml, Node], None]


def _start_event(reader: _Reader, el: Xml, node: Node) -> None:
    kinds = _definition_kinds(el)
    if not kinds:
        node.kind = Kind.START
        return
    node.note = (
        f"a {_describe(kinds)} start event cannot start a scenario; "
        "subscriptions start scenarios, so use a none start event"
    )


_END_KINDS = {"": Kind.END, "terminate": Kind.TERMINATE_END, "error": Kind.ERROR_END}


def _end_event(reader: _Reader, el: Xml, node: Node) -> None:
    kinds = _definition_kinds(el)
    kind = _END_KINDS.get("+".join(kinds))  # "" for a none end event; "a+b" is never known
    if kind is None:
        node.note = (
            f"it throws a {_describe(kinds)} event; use a none, terminate or error end event"
        )
        return
    node.kind = kind
    if kind is Kind.ERROR_END:
        node.error_ref = _error_ref(el)


def _intermediate_catch_event(reader: _Reader, el: Xml, node: Node) -> None:
    kinds = _definition_kinds(el)
    if kinds != ["timer"]:
        node.note = f"it waits for a {_describe(kinds)} event; only timer catch events can run"
        return
    node.kind = Kind.TIMER_CATCH
    node.timer = _timer(el)


def _boundary_event(reader: _Reader, el: Xml, node: Node) -> None:
    node.attached_to = (el.get("attachedToRef") or "").strip()
    node.cancel_activity = _bool(el.get("cancelActivity"), default=True)
    kinds = _definition_kinds(el)
    if kinds == ["error"]:
        node.kind = Kind.ERROR_BOUNDARY
        node.error_ref = _error_ref(el)
    elif kinds == ["timer"] and node.cancel_activity:
        node.kind = Kind.TIMER_BOUNDARY
        node.timer = _timer(el)
    elif kinds == ["timer"]:
        node.note = "a non-interrupting timer cannot run; make it interrupting"
    else:
        node.note = (
            f"it catches a {_describe(kinds)} event; only error and timer boundary events can run"
        )


def _task(reader: _Reader, el: Xml, node: Node) -> None:
    if _compensation_handler(el, node):
        return
    node.kind = Kind.SERVICE_TASK if node.component else Kind.TASK


# scriptFormat values that mean JavaScript, as tools write them (compared lower-case).
SCRIPT_CODE_COMPONENT = "code.js"
_JAVASCRIPT_FORMATS = frozenset(
    {
        "javascript",
        "js",
        "ecmascript",
        "text/javascript",
        "application/javascript",
        "application/x-javascript",
        "text/ecmascript",
        "application/ecmascript",
    }
)


def _script_task(reader: _Reader, el: Xml, node: Node) -> None:
    script = _child(el, "script")
    text = _text(script) if script is not None else ""
    if not text.strip():
        _task(reader, el, node)
        return
    script_format = (el.get("scriptFormat") or "").strip()
    if script_format.lower() not in _JAVASCRIPT_FORMATS:
        # Dropping the script silently would surprise its author.
        said = (
            f"its scriptFormat is {script_format!r}" if script_format else "it has no scriptFormat"
        )
        node.note = f'{said}; only JavaScript scripts run (scriptFormat="javascript")'
        return
    if node.component is not None:
        node.note = "a script task with a script runs it as code.js; remove its auto:component"
        return
    if _compensation_handler(el, node):
        return
    assert script is not None
    # The script is the body of a code.js call; its return value is `$result`.
    node.kind = Kind.SERVICE_TASK
    node.component = SCRIPT_CODE_COMPONENT
    node.component_line = source_line(script)
    node.inputs.insert(0, Param("code", text, source_line(script)))
    node.script_variables = not any(p.name == "variables" for p in node.inputs)
    result_variable = _result_variable(el)
    if result_variable:
        node.outputs.insert(0, Param(result_variable, "{% $result %}", node.line))


def _result_variable(el: Xml) -> str | None:
    """Camunda's, Flowable's and Activiti's `resultVariable` attribute: where the value goes."""
    for name, value in el.attrib.items():
        if str(name).rpartition("}")[2] == "resultVariable" and str(value).strip():
            return str(value).strip()
    return None


def _sub_process(reader: _Reader, el: Xml, node: Node) -> None:
    if _bool(el.get("triggeredByEvent"), default=False):
        node.note = "event subprocesses cannot run; use boundary events on an activity"
        return
    if _compensation_handler(el, node):
        return
    if reader.depth >= MAX_SUBPROCESS_DEPTH:
        # The parser, the checks and the compiler recurse per level: keep the stack bounded.
        node.note = f"subprocesses nest at most {MAX_SUBPROCESS_DEPTH} deep"
        return
    node.kind = Kind.SUBPROCESS
    node.body = Graph(id=node.id, line=node.line)
    reader.depth += 1
    _read_graph(reader, el, node.body)
    reader.depth -= 1


def _call_activity(reader: _Reader, el: Xml, node: Node) -> None:
    if _compensation_handler(el, node):
        return
    node.kind = Kind.CALL_ACTIVITY
    called = el.get("calledElement")
    node.called_element = called.strip() if called is not None else None


def _intermediate_throw_event(reader: _Reader, el: Xml, node: Node) -> None:
    kinds = _definition_kinds(el)
    if not kinds:
        node.note = "an intermediate none event has no effect in a scenario; remove it"
    else:
        node.note = f"it throws a {_describe(kinds)} event; scenarios cannot send events"


def _gateway(kind: Kind, reader: _Reader, el: Xml, node: Node) -> None:
    node.kind = kind


def _unsupported(note: str, reader: _Reader, el: Xml, node: Node) -> None:
    node.note = note


_TASK_TAGS = (
    "task",
    "serviceTask",
    "userTask",
    "manualTask",
    "sendTask",
    "receiveTask",
    "businessRuleTask",
)
# Flow nodes that parse (so they can be reported with a line) but never run.
_UNSUPPORTED_NOTES = {
    "implicitThrowEvent": "it has no effect in a scenario; remove it",
    "eventBasedGateway": "it waits for events; decide on data with an exclusive gateway",
    "complexGateway": "use exclusive, parallel or inclusive gateways",
    "transaction": "use an embedded subprocess",
    "adHocSubProcess": "use an embedded subprocess",
    "callChoreography": "choreographies describe messages between participants, not a run",
    "subChoreography": "choreographies describe messages between participants, not a run",
    "choreographyTask": "choreographies describe messages between participants, not a run",
}
_NODE_PARSERS: dict[str, _NodeParser] = {
    "startEvent": _start_event,
    "endEvent": _end_event,
    "intermediateCatchEvent": _intermediate_catch_event,
    "intermediateThrowEvent": _intermediate_throw_event,
    "boundaryEvent": _boundary_event,
    **{tag: _task for tag in _TASK_TAGS},
    "scriptTask": _script_task,
    "subProcess": _sub_process,
    "callActivity": _call_activity,
    "exclusiveGateway": partial(_gateway, Kind.EXCLUSIVE_GATEWAY),
    "parallelGateway": partial(_gateway, Kind.PARALLEL_GATEWAY),
    "inclusiveGateway": partial(_gateway, Kind.INCLUSIVE_GATEWAY),
    **{tag: partial(_unsupported, note) for tag, note in _UNSUPPORTED_NOTES.items()},
}
_GRAPH_CHILDREN: dict[str, Callable[[_Reader, Xml, Graph], None]] = {
    "sequenceFlow": _add_flow,
    **{tag: _add_node for tag in _NODE_PARSERS},
}
# The same table by lxml's `{namespace}local` tag, which needs no splitting per element.
_GRAPH_CHILD_TAGS = {f"{{{BPMN_NS}}}{tag}": handler for tag, handler in _GRAPH_CHILDREN.items()}


def _compensation_handler(el: Xml, node: Node) -> bool:
    if not _bool(el.get("isForCompensation"), default=False):
        return False
    node.note = "compensation handlers cannot run"
    return True


# -- event definitions ---------------------------------------------------------------------


def _definition_kinds(el: Xml) -> list[str]:
    """ "error", "timer", ... for each event definition; "reference" for an eventDefinitionRef."""
    kinds = []
    for child in _children(el, BPMN_NS):
        local = _local(child)
        if local.endswith("EventDefinition"):
            kinds.append(local.removesuffix("EventDefinition"))
        elif local == "eventDefinitionRef":
            kinds.append("reference")
    return kinds


def _describe(kinds: list[str]) -> str:
    return "+".join(kinds) if kinds else "none"


def _error_ref(el: Xml) -> str | None:
    definition = _child(el, "errorEventDefinition")
    ref = (definition.get("errorRef") or "").strip() if definition is not None else ""
    # errorRef is an xsd:QName; ids never contain ':', so a prefix can only be a namespace.
    return ref.rpartition(":")[2] or None


_TIMER_FIELDS = {"timeDuration": "duration", "timeDate": "date", "timeCycle": "cycle"}


def _timer(el: Xml) -> Timer | None:
    definition = _child(el, "timerEventDefinition")
    for child in _children(definition, BPMN_NS) if definition is not None else []:
        kind = _TIMER_FIELDS.get(_local(child))
        if kind is not None:
            text = _text(child)
            return Timer(kind, normalize_value(text.strip()), source_line(child))
    return None


# -- loops ---------------------------------------------------------------------------------


def _read_loop(reader: _Reader, children: dict[str, Xml], spec: Xml | None, node: Node) -> None:
    """The multi-instance marker with its `auto:loop` (`spec`, the first one if any)."""
    standard = children.get(_STANDARD_LOOP)
    if standard is not None:
        reader.problem(
            source_line(standard),
            node.id,
            "standard loops (loop marker) are not supported; use a gateway loop",
        )
    marker = children.get(_MULTI_INSTANCE)
    if marker is None and spec is None:
        return
    if spec is None:
        line = source_line(marker) if marker is not None else node.line
        reader.problem(
            line, node.id, "multi-instance needs <auto:loop inputCollection= inputElement=>"
        )
        return
    if marker is None:
        reader.problem(
            source_line(spec),
            node.id,
            "auto:loop needs multiInstanceLoopCharacteristics on the same element",
        )
        return
    node.loop = Loop(
        input_collection=normalize_value(spec.get("inputCollection") or ""),
        input_element=(spec.get("inputElement") or "").strip(),
        output_collection=(spec.get("outputCollection") or "").strip() or None,
        output_element=normalize_value(spec.get("outputElement") or "") or None,
        sequential=_bool(marker.get("isSequential"), default=False),
        line=source_line(spec),
    )


# -- auto: extension elements --------------------------------------------------------------


def _read_extensions(reader: _Reader, extensions: Xml, node: Node) -> Xml | None:
    """Read the `auto:` extensions onto `node`; returns the first `auto:loop` for `_read_loop`."""
    loop: Xml | None = None
    for ext in extensions:
        handler = _EXTENSION_TAGS.get(ext.tag)
        if handler is None and _in_namespace(ext, AUTO_NS):
            known = ", ".join(f"auto:{name}" for name in _EXTENSIONS)
            reader.problem(
                source_line(ext), node.id, f"unknown extension auto:{_local(ext)}; known: {known}"
            )
            continue
        if handler is None:
            continue  # another vendor's extension, or a comment
        handler(reader, ext, node)
        if loop is None and handler is _ext_loop:
            loop = ext
    return loop


def _ext_component(reader: _Reader, ext: Xml, node: Node) -> None:
    name = (ext.get("type") or "").strip()
    if node.component is not None:
        reader.problem(source_line(ext), node.id, "only one auto:component per element")
    elif not name:
        reader.problem(source_line(ext), node.id, "auto:component needs type= (a component name)")
    else:
        node.component = name
        node.component_line = source_line(ext)


def _ext_input(reader: _Reader, ext: Xml, node: Node) -> None:
    param = _param(reader, ext, node)
    if param is not None:
        node.inputs.append(param)


def _ext_output(reader: _Reader, ext: Xml, node: Node) -> None:
    param = _param(reader, ext, node)
    if param is not None:
        node.outputs.append(param)


def _param(reader: _Reader, ext: Xml, node: Node) -> Param | None:
    name = (ext.get("name") or "").strip()
    value = ext.get("value")
    if not name or value is None:
        tag = _local(ext)
        reader.problem(source_line(ext), node.id, f"auto:{tag} needs both name= and value=")
        return None
    return Param(name, normalize_value(value), source_line(ext))


def _ext_retry(reader: _Reader, ext: Xml, node: Node) -> None:
    line = source_line(ext)
    if node.retry is not None:
        reader.problem(line, node.id, "only one auto:retry per element")
        return
    numbers = {
        "maxAttempts": _number(reader, ext, node, "maxAttempts", int, 3),
        "intervalSeconds": _number(reader, ext, node, "intervalSeconds", int, 1),
        "backoffRate": _number(reader, ext, node, "backoffRate", float, 2.0),
    }
    node.retry = RetryPolicy(
        errors=(ext.get("errors") or "").split(),
        max_attempts=int(numbers["maxAttempts"]),
        interval_seconds=int(numbers["intervalSeconds"]),
        backoff_rate=float(numbers["backoffRate"]),
        line=line,
    )


def _ext_loop(reader: _Reader, ext: Xml, node: Node) -> None:
    """Read with the loop marker in `_read_loop`; listed so that it counts as known."""


_EXTENSIONS: dict[str, Callable[[_Reader, Xml, Node], None]] = {
    "component": _ext_component,
    "input": _ext_input,
    "output": _ext_output,
    "retry": _ext_retry,
    "loop": _ext_loop,
}
_EXTENSION_TAGS = {f"{{{AUTO_NS}}}{name}": handler for name, handler in _EXTENSIONS.items()}
_INT = re.compile(r"\s*[+-]?\d{1,9}\s*\Z")  # bounded: a million digits must not reach int()
_FLOAT = re.compile(r"\s*[+-]?(\d{1,9}(\.\d{0,9})?|\.\d{1,9})\s*\Z")


def _number(
    reader: _Reader, ext: Xml, node: Node, attr: str, kind: type[int] | type[float], default: float
) -> float:
    text = ext.get(attr)
    if text is None:
        return default
    if (_INT if kind is int else _FLOAT).match(text):
        value = kind(text)
        if math.isfinite(value):
            return value
    reader.problem(
        source_line(ext), node.id, f"auto:retry {attr}={text!r} is not a {kind.__name__} number"
    )
    return default


# -- helpers -------------------------------------------------------------------------------


def normalize_value(value: str) -> str:
    """`{% ... %}` with whitespace around it is an expression; store it without the padding
    (Step Functions only treats a string as JSONata when it starts with `{%` and ends with `%}`).
    A literal keeps its spaces."""
    stripped = value.strip()
    return stripped if is_expression(stripped) else value


def _children(el: Xml, namespace: str) -> Iterator[Xml]:
    """Element children in one namespace (comments and processing instructions skipped)."""
    # The tag filter runs inside lxml; `find()` would go through its Python ElementPath.
    return el.iterchildren(f"{{{namespace}}}*")


def _child(el: Xml, local: str) -> Xml | None:
    return next(el.iterchildren(f"{{{BPMN_NS}}}{local}"), None)


_EXTENSION_ELEMENTS = f"{{{BPMN_NS}}}extensionElements"
_STANDARD_LOOP = f"{{{BPMN_NS}}}standardLoopCharacteristics"
_MULTI_INSTANCE = f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics"
_NO_CHILDREN: dict[str, Xml] = {}


def _first_children(el: Xml) -> dict[str, Xml]:
    """The first BPMN child element of each tag, by lxml tag (what `_child` finds)."""
    found: dict[str, Xml] = {}
    for child in el:  # (comments are keyed by their tag function: never asked for)
        found.setdefault(child.tag, child)
    return found


def _in_namespace(el: Xml, namespace: str) -> bool:
    tag = el.tag
    return isinstance(tag, str) and tag.startswith(f"{{{namespace}}}")


def _text(el: Xml) -> str:
    """All text inside an element (CDATA included); lxml-stubs types it as str | bytes."""
    if not len(el):  # no child, comment or processing instruction: its text is all of it
        return str(el.text or "")
    return "".join(str(part) for part in el.itertext())


def _local(el: Xml) -> str:
    return str(el.tag).rpartition("}")[2]


def _bool(text: str | None, *, default: bool) -> bool:
    if text is None:
        return default
    return text.strip() in ("true", "1")
