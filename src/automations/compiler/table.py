"""BPMN element kind → the function that compiles it. Adding an element is adding a row."""

from __future__ import annotations

from collections.abc import Callable

from automations.bpmn.model import Element, Kind
from automations.compiler import activities, events, gateways
from automations.compiler.context import Region

COMPILERS: dict[Kind, Callable[[Region, Element], None]] = {
    Kind.START: events.start,
    Kind.END: events.end,
    Kind.TERMINATE_END: events.end,
    Kind.ERROR_END: events.error_end,
    Kind.TIMER_CATCH: events.timer_catch,
    Kind.ERROR_BOUNDARY: events.boundary,
    # The run's half: the engine fails the activity's Task with States.Timeout in
    # asl/states/task.py (`_invoke`), and its Catch (activities._timeout) leads to this Pass.
    Kind.TIMER_BOUNDARY: events.boundary,
    Kind.TASK: activities.activity,
    Kind.SERVICE_TASK: activities.activity,
    Kind.CALL_ACTIVITY: activities.activity,
    Kind.SUBPROCESS: activities.subprocess,
    Kind.EXCLUSIVE_GATEWAY: gateways.gateway,
    Kind.PARALLEL_GATEWAY: gateways.gateway,
    Kind.INCLUSIVE_GATEWAY: gateways.gateway,
    Kind.UNSUPPORTED: events.unsupported,
}


def compile_element(region: Region, element: Element) -> None:
    COMPILERS[element.kind](region, element)
