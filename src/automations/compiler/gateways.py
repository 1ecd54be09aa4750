"""Gateways: exclusive → `Choice`; parallel and inclusive blocks → `Parallel`."""

from __future__ import annotations

from automations.bpmn import rules
from automations.bpmn.model import Element, Flow, Kind
from automations.compiler import jsonata_text as jt
from automations.compiler.context import Region, State, with_next
from automations.compiler.variables import assigned_in_nodes


def gateway(region: Region, element: Element) -> None:
    outs = region.structure.outs[element.id]
    for flow in outs:  # (what validation says of them too)
        misplaced = rules.condition_place_problem(flow, element) if flow.condition else None
        if misplaced is not None:
            region.ctx.problem(flow, misplaced, flow.condition_line)
    if element.id in region.structure.blocks:
        fork(region, element)
    elif element.kind is Kind.EXCLUSIVE_GATEWAY and (len(outs) > 1 or _tested(outs)):
        choice(region, element, outs)
    elif len(region.structure.ins[element.id]) > 1:
        region.ctx.problem(element, "this join has no matching fork gateway before it")
    elif len(outs) > 1:
        pass  # an unstructured fork: structure analysis has reported it already
    else:
        region.ctx.problem(element, "a gateway needs outgoing flows")


def _tested(outs: list[Flow]) -> bool:
    # A condition on the only way out still decides: when it is false the run fails, as BPMN
    # says of an exclusive gateway none of whose conditions holds.
    return any(flow.condition is not None for flow in outs)


def choice(region: Region, element: Element, outs: list[Flow]) -> None:
    """Conditions are tried in the order of the outgoing flows in the file, as BPMN says."""
    choices: list[State] = []
    for flow in outs:
        if flow.id == element.default_flow:
            continue
        missing = rules.exclusive_branch_problem(flow, element)
        if missing is not None:
            region.ctx.problem(flow, missing)
            continue
        if (malformed := rules.condition_form_problem(flow)) is not None:
            region.ctx.problem(flow, malformed, flow.condition_line)
            continue
        assert flow.condition is not None  # (exclusive_branch_problem said so)
        condition = jt.value_with(flow.condition, region.locals())
        choices.append({"Condition": condition, "Next": region.entry(flow.target)})
    state: State = {"Type": "Choice", "Choices": choices}
    default = next((flow for flow in outs if flow.id == element.default_flow), None)
    if default is not None:
        state["Default"] = region.entry(default.target)
    if not choices:
        region.ctx.problem(element, "an exclusive gateway needs at least one conditional branch")
        return
    region.add(element.id, state)


def fork(region: Region, element: Element) -> None:
    """A block-structured fork: one `Parallel` branch per outgoing flow, variables merged back."""
    block = region.structure.blocks[element.id]
    join = region.graph.elements[block.join]
    outs = region.structure.outs[element.id]
    branches: list[State] = []
    owners: dict[str, list[int]] = {}
    for k, (flow, nodes) in enumerate(zip(outs, block.branches, strict=True)):
        names = assigned_in_nodes(region.graph, nodes, region.structure.position)
        for name in names:
            owners.setdefault(name, []).append(k)
        exit_name = f"{join.id}__{k}"
        inner = region.scope(region.graph, _end_in_branch, names)
        inner.exits[join.id] = exit_name
        start_at = inner.compile_from(flow.target)
        inner.add(exit_name, branch_exit(inner, names))
        if element.kind is Kind.INCLUSIVE_GATEWAY:
            start_at = _inclusive_gate(inner, element, flow, outs, start_at, exit_name)
        branches.append({"StartAt": start_at, "States": _start_first(inner.states, start_at)})
    state: State = {"Type": "Parallel", "Branches": branches}
    if owners:
        state["Assign"] = merge_assign(region, owners)
    region.add(element.id, with_next(state, region.next_of(join)))


def _start_first(states: dict[str, State], start_at: str) -> dict[str, State]:
    if start_at not in states:
        return states
    return {start_at: states[start_at]} | {k: v for k, v in states.items() if k != start_at}


def _inclusive_gate(
    inner: Region, gateway_: Element, flow: Flow, outs: list[Flow], first: str, exit_name: str
) -> str:
    """A branch of an inclusive gateway starts with a `Choice` (named after its flow)."""
    if flow.id == gateway_.default_flow:
        others = [f.condition for f in outs if f.id != flow.id]
        # The default runs when no other branch does, and an unconditional branch always does.
        condition = " and ".join(
            "false" if c is None else f"$not({jt.body(c)})"
            for c in others
            if c is None or jt.is_expression(c)
        )
        if not condition:
            return first
    elif flow.condition is None:
        return first  # an unconditional branch of an inclusive gateway is always taken
    elif (malformed := rules.condition_form_problem(flow)) is not None:
        inner.ctx.problem(flow, malformed, flow.condition_line)
        return first
    else:
        condition = jt.body(flow.condition)
    inner.add(
        flow.id,
        {
            "Type": "Choice",
            "Choices": [{"Condition": jt.wrap(jt.bound(condition, inner.locals())), "Next": first}],
            "Default": exit_name,
        },
    )
    return flow.id


def _end_in_branch(region: Region, element: Element) -> State:
    region.ctx.problem(
        element, "an end event inside a parallel branch: lead the branch to its join instead"
    )
    return {"Type": "Succeed"}


def branch_exit(region: Region, names: list[str]) -> State:
    """The last state of a branch: hands the branch's variables back to the enclosing scope."""
    fields = ", ".join(f'"{name}": {region.read(name)}' for name in names)
    return {"Type": "Pass", "Output": jt.wrap("{" + fields + "}"), "End": True}


def merge_assign(region: Region, owners: dict[str, list[int]]) -> dict[str, str]:
    """Bring branch variables back: the first branch (in file order) that changed one wins."""
    assign: dict[str, str] = {}
    for name, branches in owners.items():
        before = region.read(name)
        value = before
        for k in reversed(branches):
            got = f"$r[{k}].{jt.field(name)}"
            value = f"({got} != {before} ? {got} : {value})" if len(branches) > 1 else got
        assign[region.write(name)] = jt.wrap(f"($r := $states.result; {value})")
    return assign
