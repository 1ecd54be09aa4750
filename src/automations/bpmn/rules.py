"""Rules about a diagram that the validator reports and the compiler meets again, each written once.

The validator reports every one of them with the other problems; the compiler, which may be
handed a scenario nobody validated, refuses with the same words at the same element and line.
(Timer texts have their own module, `timers`.) Each function returns what is wrong, or None.
"""

from __future__ import annotations

from automations.bpmn.model import Element, Flow, Kind, Loop
from automations.expressions.template import is_expression

# Flows out of these may carry a condition; an activity's outgoing flows may not (the compiler
# would have to invent a gateway: draw it instead).
CONDITIONAL_SOURCES = frozenset({Kind.EXCLUSIVE_GATEWAY, Kind.INCLUSIVE_GATEWAY})
# Activities a timer boundary can limit: they compile to a `Task`, which has `TimeoutSeconds`.
_TIMED = frozenset({Kind.SERVICE_TASK, Kind.CALL_ACTIVITY})


def condition_place_problem(flow: Flow, source: Element) -> str | None:
    """Whether `flow`, which has a condition, may have one where it leaves `source`."""
    if source.kind is Kind.PARALLEL_GATEWAY:
        return (
            f"flow {flow.id} has a condition but leaves parallel gateway {source.id}, which "
            "takes every branch; remove the condition or use an inclusive gateway"
        )
    if source.kind not in CONDITIONAL_SOURCES:
        return (
            f"flow {flow.id} has a condition but leaves a {source.tag}; only flows out of an "
            "exclusive or inclusive gateway take conditions"
        )
    if source.default_flow == flow.id:
        return f"default flow {flow.id} must not have a condition; remove it"
    return None


def condition_form_problem(flow: Flow) -> str | None:
    """A condition is one whole `{% JSONata %}` expression."""
    if flow.condition is None or is_expression(flow.condition):
        return None
    return (
        f"condition of {flow.id} must be a {{% JSONata %}} expression, e.g. {{% $amount > 100 %}}"
    )


def exclusive_branch_problem(flow: Flow, gateway: Element) -> str | None:
    """Out of a splitting exclusive gateway, every flow has a condition or is the default."""
    if flow.condition is not None or flow.id == gateway.default_flow:
        return None
    return (
        f"flow {flow.id} out of exclusive gateway {gateway.id} needs a condition or must be "
        "the gateway's default flow"
    )


def collection_problem(loop: Loop) -> str | None:
    """A multi-instance's `inputCollection` is computed, never a literal."""
    if is_expression(loop.input_collection):
        return None
    return "auto:loop inputCollection must be a {% JSONata %} expression giving a list"


def boundary_problem(activity: Element, event: Element) -> str | None:
    """Whether boundary `event` can fire on `activity`."""
    if event.kind is Kind.ERROR_BOUNDARY and not event.cancel_activity:
        return "non-interrupting boundary events are not supported; make it interrupting"
    if activity.kind is Kind.TASK and activity.loop is None:
        return (
            f"{activity.id} is a task without a component: it cannot fail or time out, so "
            "its boundary events never fire"
        )
    if event.kind is Kind.TIMER_BOUNDARY and (activity.kind not in _TIMED or activity.loop):
        return (
            f"a timer boundary can only limit a service task or a call activity, not "
            f"{'a multi-instance ' if activity.loop else 'a '}{activity.tag} ({activity.id})"
        )
    return None
