"""Events: start, the three kinds of end, timer catch (`Wait`) and boundary events."""

from __future__ import annotations

from automations.bpmn.model import Element
from automations.compiler import jsonata_text as jt
from automations.compiler import timers
from automations.compiler.carried import carrying_cause
from automations.compiler.context import Region, State, with_next

# `$error` for a boundary's outputs. A Lambda error's Cause is a JSON text whose errorMessage
# is what a person wants to read; other causes (timeouts, Fail states) are plain text.
ERROR_VALUE = (
    '{"code": $states.input.Error, "message": ($c := $states.input.Cause; '
    "$type($c) = 'string' and $contains($c, '\"errorMessage\"') ? $parse($c).errorMessage : $c)}"
)


def start(region: Region, element: Element) -> None:
    state: State = {"Type": "Pass"}
    if region.top_level and region.ctx.variables:
        # Every process variable exists from the first state on: ASL fails on a reference
        # to an undefined variable, while a user expects an absent input to read as null.
        state["Assign"] = {
            name: jt.wrap(
                f"$exists($states.input.{jt.field(name)}) ? $states.input.{jt.field(name)} : null"
            )
            for name in region.ctx.variables
        }
    region.add(element.id, with_next(state, region.next_of(element)))


def end(region: Region, element: Element) -> None:
    region.add(element.id, region.on_end(region, element))


def error_end(region: Region, element: Element) -> None:
    code = element.error_code or element.error_ref or "Error"
    state: State = {"Type": "Fail", "Error": code}
    message = element.error_message or element.name
    if region.carry:
        state["Cause"] = carrying_cause(region, message)
    elif message:
        state["Cause"] = message
    region.add(element.id, state)


def timer_catch(region: Region, element: Element) -> None:
    fields = timers.wait_fields(region, element, element.timer)
    if fields is not None:
        region.add(element.id, with_next({"Type": "Wait", **fields}, region.next_of(element)))


def boundary(region: Region, element: Element) -> None:
    """The state a `Catch` leads to: assigns the boundary's outputs (with `$error`), goes on."""
    state: State = {"Type": "Pass"}
    locals_ = region.locals(error=ERROR_VALUE)
    assign = jt.sequential_assign(element.outputs, locals_, region.ctx.free, region.write)
    if assign:
        state["Assign"] = assign
    region.add(element.id, with_next(state, region.next_of(element)))


def unsupported(region: Region, element: Element) -> None:
    region.ctx.problem(element, f"{element.tag} is not supported: {element.note or 'no ASL form'}")
