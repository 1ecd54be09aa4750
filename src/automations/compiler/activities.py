"""Activities: tasks, service tasks, call activities, embedded subprocesses, multi-instance.

An activity compiles to a *core* state (what it does) that is then decorated: boundary events
become `Catch`/`TimeoutSeconds`, a multi-instance marker wraps the core in a `Map`.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from automations.bpmn.model import Element, Kind, Param
from automations.bpmn.rules import boundary_problem, collection_problem
from automations.compiler import jsonata_text as jt
from automations.compiler import timers
from automations.compiler.carried import carry_out
from automations.compiler.context import Region, State, is_inline, with_next
from automations.compiler.events import unsupported
from automations.compiler.gateways import branch_exit, merge_assign
from automations.compiler.variables import assigned_in

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
START_EXECUTION_SYNC = "arn:aws:states:::states:startExecution.sync:2"
# Errors AWS recommends retrying for every Lambda task: the service, not the component, failed.
TRANSIENT_LAMBDA_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]
RESULT_OF: dict[Kind, str] = {
    Kind.SERVICE_TASK: "$states.result.Payload",
    Kind.CALL_ACTIVITY: "$states.result.Output",
}

Core = Callable[[Region, Element], State]


def function_name(component: str) -> str:
    """Placeholder replaced by the component's Lambda ARN at deploy time."""
    return "${Component." + component + "}"


def scenario_arn(scenario_id: str) -> str:
    """Placeholder replaced by the called scenario's state machine ARN at deploy time."""
    return "${Scenario." + scenario_id + "}"


def _inputs(region: Region, params: list[Param]) -> dict[str, object]:
    return {p.name: _input_value(p.value, region) for p in params}


def _input_value(value: str, region: Region) -> object:
    # A literal of several lines (a script) as a JSONata string: the same text, and validators
    # of ASL (asl-validator) refuse a line break in a literal string though Step Functions
    # takes it.
    if "\n" in value and not jt.is_expression(value):
        return jt.wrap(json.dumps(value, ensure_ascii=False))
    return jt.value_or_null(value, region.locals())


def script_variables(region: Region) -> str:
    """Every process variable as one object (what a JavaScript script task sees as its names):
    the start input, then each variable as it reads here (a branch's own value, a loop's item),
    as the process's result is made (`compiler/__init__.py:_end_of_process`)."""
    names = dict.fromkeys([*region.ctx.variables, *region.reads])
    fields = ", ".join(f'"{name}": {region.read(name)}' for name in names)
    return jt.wrap(f"$merge([$states.context.Execution.Input, {{{fields}}}])")


def _outputs(region: Region, element: Element) -> dict[str, object]:
    if not element.outputs:
        return {}
    locals_ = region.locals(result=RESULT_OF[element.kind]) if element.kind in RESULT_OF else {}
    if not locals_:
        locals_ = region.locals()
    return jt.sequential_assign(element.outputs, locals_, region.ctx.free, region.write)


def pass_core(region: Region, element: Element) -> State:
    state: State = {"Type": "Pass"}
    if assign := _outputs(region, element):
        state["Assign"] = assign
    return state


def service_core(region: Region, element: Element) -> State:
    component = element.component or ""
    inputs = _inputs(region, element.inputs)
    if element.script_variables:
        inputs["variables"] = script_variables(region)
    payload = {
        "inputs": inputs,
        # The attempt this call is (adapters/aws/idempotency.py): a call that acts runs once
        # per attempt however often Lambda is invoked for it. A loop enters the state again
        # (another EnteredTime); a Retry is another RetryCount.
        "context": {
            "executionId": jt.wrap("$states.context.Execution.Id"),
            "elementId": element.id,
            "enteredTime": jt.wrap("$states.context.State.EnteredTime"),
            "retryCount": jt.wrap("$states.context.State.RetryCount"),
        },
    }
    state: State = {
        "Type": "Task",
        "Resource": LAMBDA_INVOKE,
        "Arguments": {"FunctionName": function_name(component), "Payload": payload},
        "Retry": _retriers(element),
    }
    if assign := _outputs(region, element):
        state["Assign"] = assign
    return state


def call_core(region: Region, element: Element) -> State:
    region.ctx.refuse_in_express(
        element, "a call activity waits for a nested execution (.sync), use STANDARD"
    )
    state: State = {
        "Type": "Task",
        "Resource": START_EXECUTION_SYNC,
        "Arguments": {
            "StateMachineArn": scenario_arn(element.called_element or ""),
            "Input": _inputs(region, element.inputs),
        },
    }
    if assign := _outputs(region, element):
        state["Assign"] = assign
    return state


def _retriers(element: Element) -> list[State]:
    retriers: list[State] = []
    if element.retry is not None:
        retriers.append(
            {
                "ErrorEquals": element.retry.errors,
                "IntervalSeconds": element.retry.interval_seconds,
                "MaxAttempts": element.retry.max_attempts,
                "BackoffRate": element.retry.backoff_rate,
            }
        )
    retriers.append(
        {
            "ErrorEquals": TRANSIENT_LAMBDA_ERRORS,
            "IntervalSeconds": 1,
            "MaxAttempts": 3,
            "BackoffRate": 2,
            "JitterStrategy": "FULL",
        }
    )
    return retriers


CORES: dict[Kind, Core] = {
    Kind.TASK: pass_core,
    Kind.SERVICE_TASK: service_core,
    Kind.CALL_ACTIVITY: call_core,
}


def activity(region: Region, element: Element) -> None:
    """Task, service task or call activity, possibly multi-instance."""
    if element.loop is not None:
        multi_instance(region, element, _task_iteration)
        return
    state = CORES[element.kind](region, element)
    attach_boundaries(region, element, state)
    region.add(element.id, with_next(state, region.next_of(element)))


def _task_iteration(region: Region, element: Element) -> tuple[str, dict[str, State]]:
    """One state per item: `$item` is the state's input, and its Output is `outputElement`.

    The activity's own outputs are local to its instance and nothing after it in the iteration
    reads them, so they are not assigned: `outputElement` computes them in its block instead.
    """
    loop = element.loop
    assert loop is not None
    inner = region.binding(loop.input_element, "$states.input")
    state = CORES[element.kind](inner, element)
    state.pop("Assign", None)
    if loop.output_collection:
        # Without outputElement an instance gives its `$result`; a task has none: null.
        final = "$result" if element.kind in RESULT_OF else "null"
        if loop.output_element:
            final = jt.body(loop.output_element)
        locals_ = inner.locals()
        if element.kind in RESULT_OF:
            locals_ = inner.locals(result=RESULT_OF[element.kind])
        state["Output"] = jt.sequential_value(element.outputs, final, locals_, region.ctx.free)
    name = f"{element.id}__instance"
    return name, {name: with_next(state, None)}


def attach_boundaries(region: Region, element: Element, state: State) -> None:
    """Error boundaries → `Catch`; an interrupting timer boundary → `TimeoutSeconds`."""
    if not element.boundaries:
        return
    specific: list[State] = []
    catch_all: list[State] = []
    for boundary_id in element.boundaries:
        event = region.graph.elements.get(boundary_id)
        if event is None:
            continue
        if event.kind not in (Kind.ERROR_BOUNDARY, Kind.TIMER_BOUNDARY):
            unsupported(region, event)  # (what validation says of it too)
            continue
        if (problem := boundary_problem(element, event)) is not None:
            region.ctx.problem(event, problem)
        elif event.kind is Kind.ERROR_BOUNDARY:
            target = catch_all if event.error_code is None else specific
            codes = ["States.ALL"] if event.error_code is None else [event.error_code]
            target.append({"ErrorEquals": codes, "Next": region.entry(event.id)})
        else:
            _timeout(region, event, state, specific)
    catchers = specific + catch_all[:1]
    for extra in catch_all[1:]:
        region.ctx.problem(element, f"two catch-all error boundaries: {extra['Next']} is unused")
    if catchers:
        state["Catch"] = catchers


def _timeout(region: Region, event: Element, state: State, catchers: list[State]) -> None:
    if "TimeoutSeconds" in state:
        region.ctx.problem(event, "only one timer boundary per activity")
        return
    timeout = timers.timeout_value(region, event, event.timer)
    if timeout is None:
        return
    state["TimeoutSeconds"] = timeout
    catchers.append({"ErrorEquals": ["States.Timeout"], "Next": region.entry(event.id)})


def subprocess(region: Region, element: Element) -> None:
    body = element.body
    starts = body.starts() if body else []
    if body is None or len(starts) != 1:
        region.ctx.problem(element, "an embedded subprocess needs exactly one none start event")
        return
    if element.loop is not None:
        multi_instance(region, element, _subprocess_iteration)
        return
    if is_inline(element):
        after = region.next_of(element)
        inner = region.child(body, _end_then(after), share_states=True)
        inner.compile_from(starts[0].id)
        return
    _wrapped_subprocess(region, element)


def _end_then(next_name: str | None) -> Callable[[Region, Element], State]:
    def compile_end(region: Region, element: Element) -> State:
        return with_next({"Type": "Pass"}, next_name)

    return compile_end


def _subprocess_iteration(region: Region, element: Element) -> tuple[str, dict[str, State]]:
    """A subprocess per item: assign the item, run the body, then collect `outputElement`."""
    loop, body = element.loop, element.body
    assert loop is not None and body is not None
    local_names = list(dict.fromkeys([loop.input_element, *assigned_in(body)]))
    inner = region.scope(region.graph, lambda r, e: with_next({"Type": "Pass"}, None), local_names)
    item_name = f"{element.id}__item"
    collect_name = f"{element.id}__collect" if loop.output_collection else None
    steps = inner.child(body, _end_then(collect_name), share_states=True)
    first = steps.compile_from(body.starts()[0].id)
    item = {"Type": "Pass", "Assign": {inner.write(loop.input_element): "{% $states.input %}"}}
    if collect_name:
        final = jt.body(loop.output_element) if loop.output_element else "null"
        collected = jt.bound_or_null(final, inner.locals())
        inner.add(collect_name, {"Type": "Pass", "Output": jt.wrap(collected), "End": True})
    return item_name, {item_name: with_next(item, first), **inner.states}


def _wrapped_subprocess(region: Region, element: Element) -> None:
    """A subprocess with boundary events: a one-branch `Parallel`, the scope its `Catch` needs."""
    assert element.body is not None
    names = assigned_in(element.body)
    inner = region.scope(element.body, lambda r, e: branch_exit(r, names), names)
    inner.carry = tuple(dict.fromkeys([*region.carry, *names]))
    start_at = inner.compile_from(element.body.starts()[0].id)
    state: State = {
        "Type": "Parallel",
        "Branches": [{"StartAt": start_at, "States": inner.states}],
    }
    if names:
        state["Assign"] = merge_assign(region, {name: [0] for name in names})
    attach_boundaries(region, element, state)
    carry_out(region, state, names)
    region.add(element.id, with_next(state, region.next_of(element)))


IterationBuilder = Callable[[Region, Element], tuple[str, dict[str, State]]]


def _mark_multi_instance(states: dict[str, State]) -> None:
    """Tell the component calls of a Map iteration that they are one: a state inside an
    iteration sees nothing that tells the iterations apart (the Map's context is for its
    ItemSelector only), so their attempts cannot be told apart and are not deduplicated."""
    for state in states.values():
        context = state.get("Arguments", {}).get("Payload", {}).get("context")
        if state.get("Resource") == LAMBDA_INVOKE and isinstance(context, dict):
            context["multiInstance"] = True
        for branch in state.get("Branches", []):
            _mark_multi_instance(branch["States"])
        if "ItemProcessor" in state:
            _mark_multi_instance(state["ItemProcessor"]["States"])


def multi_instance(region: Region, element: Element, build: IterationBuilder) -> None:
    """`Map` over `inputCollection`; `outputCollection` is the iterations' outputs in order."""
    loop = element.loop
    assert loop is not None
    if (collection := collection_problem(loop)) is not None:
        region.ctx.problem(element, collection, loop.line)
        return
    start_at, states = build(region, element)
    _mark_multi_instance(states)
    state: State = {
        "Type": "Map",
        "Items": jt.value_with(loop.input_collection, region.locals()),
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": start_at,
            "States": states,
        },
    }
    if loop.sequential:
        state["MaxConcurrency"] = 1
    if loop.output_collection:
        state["Assign"] = {region.write(loop.output_collection): jt.wrap("$states.result")}
    attach_boundaries(region, element, state)
    region.add(element.id, with_next(state, region.next_of(element)))
