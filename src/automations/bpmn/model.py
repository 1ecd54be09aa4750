"""The scenario graph: what a BPMN file means, independent of XML and of ASL.

The parser builds it, the validator checks it, the compiler turns it into ASL. Every node keeps
the line it came from so that any later problem can point at the diagram.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

AUTO_NS = "urn:automations:bpmn:1"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


class Kind(StrEnum):
    """What an element is, as far as running it is concerned."""

    START = "start"  # none start event
    END = "end"  # none end event
    TERMINATE_END = "terminate_end"
    ERROR_END = "error_end"
    SERVICE_TASK = "service_task"  # an activity with auto:component
    TASK = "task"  # task / script task / other task without component: assigns outputs only
    EXCLUSIVE_GATEWAY = "exclusive_gateway"
    PARALLEL_GATEWAY = "parallel_gateway"
    INCLUSIVE_GATEWAY = "inclusive_gateway"
    TIMER_CATCH = "timer_catch"  # intermediate catch event with a timer
    ERROR_BOUNDARY = "error_boundary"
    TIMER_BOUNDARY = "timer_boundary"
    SUBPROCESS = "subprocess"  # embedded subprocess
    CALL_ACTIVITY = "call_activity"
    UNSUPPORTED = "unsupported"  # parsed so it can be reported, never compiled


@dataclass(slots=True)
class Param:
    """One `auto:input` or `auto:output`: a name and a literal or `{% JSONata %}` value."""

    name: str
    value: str
    line: int


@dataclass(slots=True)
class RetryPolicy:
    """`auto:retry`: which component error codes to retry and how (ASL Retrier fields)."""

    errors: list[str]
    max_attempts: int = 3
    interval_seconds: int = 1
    backoff_rate: float = 2.0
    line: int = 0


@dataclass(slots=True)
class Loop:
    """Multi-instance: `multiInstanceLoopCharacteristics` + `auto:loop`."""

    input_collection: str
    input_element: str
    output_collection: str | None
    output_element: str | None
    sequential: bool
    line: int


@dataclass(slots=True)
class Timer:
    """A timer definition: exactly one of duration (ISO 8601), date (ISO 8601) or cycle."""

    kind: str  # "duration" | "date" | "cycle"
    value: str  # ISO text, or a `{% JSONata %}` expression
    line: int


@dataclass(slots=True)
class Flow:
    """A sequence flow. `condition` is the text of its conditionExpression, if any."""

    id: str
    source: str
    target: str
    line: int
    name: str | None = None
    condition: str | None = None
    condition_line: int | None = None


@dataclass(slots=True)
class Element:
    """A flow node of a process or subprocess (events, activities, gateways)."""

    id: str
    kind: Kind
    tag: str  # the BPMN local tag name, e.g. "serviceTask"
    line: int
    name: str | None = None
    incoming: list[str] = field(default_factory=list)  # flow ids
    outgoing: list[str] = field(default_factory=list)  # flow ids, in document order
    default_flow: str | None = None
    component: str | None = None
    component_line: int | None = None
    inputs: list[Param] = field(default_factory=list)
    outputs: list[Param] = field(default_factory=list)
    retry: RetryPolicy | None = None
    loop: Loop | None = None
    timer: Timer | None = None
    error_ref: str | None = None  # id of a bpmn:error (error end / error boundary)
    error_code: str | None = None  # resolved errorCode; None on a boundary = catch every error
    error_message: str | None = None  # the bpmn:error's name, used as the Fail cause
    attached_to: str | None = None  # boundary events: the activity id
    cancel_activity: bool = True
    called_element: str | None = None
    boundaries: list[str] = field(default_factory=list)  # ids of boundary events attached here
    body: Graph | None = None  # embedded subprocess contents
    note: str | None = None  # why an UNSUPPORTED element is unsupported
    # A JavaScript script task (run as `code.js`): the compiler gives its script every process
    # variable as `variables`, unless an auto:input names them.
    script_variables: bool = False


@dataclass(slots=True)
class Graph:
    """A scope of flow nodes and sequence flows: a process or an embedded subprocess."""

    id: str
    line: int
    elements: dict[str, Element] = field(default_factory=dict)  # document order
    flows: dict[str, Flow] = field(default_factory=dict)  # document order

    def out_flows(self, element_id: str) -> list[Flow]:
        return [self.flows[f] for f in self.elements[element_id].outgoing if f in self.flows]

    def in_flows(self, element_id: str) -> list[Flow]:
        return [self.flows[f] for f in self.elements[element_id].incoming if f in self.flows]

    def starts(self) -> list[Element]:
        return [e for e in self.elements.values() if e.kind is Kind.START]


@dataclass(slots=True)
class Process(Graph):
    """A top-level `bpmn:process`."""

    name: str | None = None
    is_executable: bool = False


@dataclass(slots=True)
class ErrorDef:
    """A `bpmn:error` definition."""

    id: str
    code: str | None
    name: str | None
    line: int


@dataclass(slots=True)
class Scenario:
    """A parsed BPMN file."""

    file: str
    processes: list[Process]
    errors: dict[str, ErrorDef] = field(default_factory=dict)

    @property
    def main(self) -> Process:
        """The process that runs: the executable one if any is marked so, else the first."""
        for p in self.processes:
            if p.is_executable:
                return p
        return self.processes[0]
