"""Block structure of a scope: which join closes which fork, and whether the blocks are clean.

ASL has no goto into or out of a `Parallel`, so a fork can only be compiled when its branches
form a block: they start at the fork, meet again at one join of the same kind (the fork's
immediate post-dominator) and nothing enters a branch from the side. Everything else
(an unstructured join, a branch that leaves through an end event, a loop back into a branch)
is reported as a problem rather than compiled into something that means another thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from automations.bpmn.model import Element, Flow, Graph, Kind

EXIT = "\x00exit"  # virtual node every none/terminate end leads to
FORK_KINDS = (Kind.PARALLEL_GATEWAY, Kind.INCLUSIVE_GATEWAY)
NORMAL_ENDS = (Kind.END, Kind.TERMINATE_END)


@dataclass(slots=True)
class Block:
    """A fork, its join and the elements of each branch (in branch order = flow order)."""

    fork: str
    join: str
    branches: list[set[str]]


@dataclass(slots=True)
class Structure:
    """What the compiler needs to know about one scope's control flow."""

    successors: dict[str, list[str]]
    position: dict[str, int] = field(default_factory=dict)  # element id → document order
    # Each element's outgoing and incoming flows (`Graph.out_flows`/`in_flows`), listed once:
    # the compiler asks for them several times per element.
    outs: dict[str, list[Flow]] = field(default_factory=dict)
    ins: dict[str, list[Flow]] = field(default_factory=dict)
    blocks: dict[str, Block] = field(default_factory=dict)  # by fork id
    joins: set[str] = field(default_factory=set)
    problems: list[tuple[Element, str]] = field(default_factory=list)


def successors(graph: Graph, outs: dict[str, list[Flow]] | None = None) -> dict[str, list[str]]:
    """Control-flow successors: flow targets, boundary events, and EXIT after normal ends.

    `outs`: each element's outgoing flows, when the caller has them listed already."""
    succ: dict[str, list[str]] = {}
    for element in graph.elements.values():
        flows = outs[element.id] if outs is not None else graph.out_flows(element.id)
        targets = [f.target for f in flows if f.target in graph.elements]
        targets += [b for b in element.boundaries if b in graph.elements]
        if element.kind in NORMAL_ENDS:
            targets.append(EXIT)
        succ[element.id] = targets
    succ[EXIT] = []
    return succ


def post_dominators(succ: dict[str, list[str]]) -> dict[str, str]:
    """Immediate post-dominators (Cooper, Harvey & Kennedy on the reversed graph).

    Nodes that cannot reach EXIT (paths ending in an error end or an endless loop) get none:
    they never rejoin, so they must not decide where a block closes.
    """
    preds: dict[str, list[str]] = {n: [] for n in succ}
    for node, targets in succ.items():
        for t in targets:
            preds[t].append(node)
    order = _postorder_from_exit(preds)
    index = {node: i for i, node in enumerate(order)}
    ipdom: dict[str, str] = {EXIT: EXIT}
    reverse_postorder = [node for node in reversed(order) if node != EXIT]
    changed = True
    while changed:
        changed = False
        for node in reverse_postorder:
            new: str | None = None
            for other in succ[node]:  # the processed successors, met in order
                if other in ipdom:
                    new = other if new is None else _intersect(new, other, ipdom, index)
            if new is not None and ipdom.get(node) != new:
                ipdom[node] = new
                changed = True
    del ipdom[EXIT]
    return ipdom


def _postorder_from_exit(preds: dict[str, list[str]]) -> list[str]:
    order: list[str] = []
    seen = {EXIT}
    stack: list[tuple[str, Iterator[str]]] = [(EXIT, iter(preds[EXIT]))]
    while stack:  # iterative DFS: scenarios of thousands of elements must not hit recursion limits
        node, rest = stack[-1]
        for nxt in rest:  # (resumes where this node's last visit stopped)
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, iter(preds[nxt])))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _intersect(a: str, b: str, ipdom: dict[str, str], index: dict[str, int]) -> str:
    while a != b:
        while index[a] < index[b]:
            a = ipdom[a]
        while index[b] < index[a]:
            b = ipdom[b]
    return a


def analyse(graph: Graph) -> Structure:
    """Find every fork's block in one scope and report the ones that are not blocks."""
    flows, elements = graph.flows, graph.elements
    # What Graph.out_flows and in_flows give, listed for every element at once.
    outs_of = {e: [flows[f] for f in node.outgoing if f in flows] for e, node in elements.items()}
    ins_of = {e: [flows[f] for f in node.incoming if f in flows] for e, node in elements.items()}
    succ = successors(graph, outs_of)
    ipdom = post_dominators(succ)
    position = {element_id: i for i, element_id in enumerate(graph.elements)}
    structure = Structure(successors=succ, position=position, outs=outs_of, ins=ins_of)
    for element in graph.elements.values():
        if element.kind not in FORK_KINDS:
            continue
        outs = outs_of[element.id]
        ins = ins_of[element.id]
        if len(outs) > 1 and len(ins) > 1:
            structure.problems.append(
                (element, "a gateway that both joins and splits cannot be compiled: use two")
            )
        elif len(outs) > 1:
            _fork_block(graph, element, ipdom.get(element.id), structure)
    return structure


def _fork_block(graph: Graph, fork: Element, join_id: str | None, structure: Structure) -> None:
    word = "parallel" if fork.kind is Kind.PARALLEL_GATEWAY else "inclusive"
    join = graph.elements.get(join_id) if join_id and join_id != EXIT else None
    if join is None or join.kind is not fork.kind:
        structure.problems.append(
            (
                fork,
                f"the branches of this {word} gateway never meet again at one {word} gateway "
                "(only block-structured forks and joins can be compiled)",
            )
        )
        return
    branches = [_region(f.target, join.id, structure.successors) for f in structure.outs[fork.id]]
    owner: dict[str, int] = {}
    for k, region in enumerate(branches):
        for node in region:
            if node in owner and owner[node] != k:
                element = graph.elements[node]
                structure.problems.append(
                    (element, f"branches of {word} gateway {fork.id} meet here before {join.id}")
                )
                return
            owner[node] = k
    allowed = set(owner) | {fork.id}
    for node in owner:
        for flow in structure.ins[node]:
            if flow.source not in allowed:
                structure.problems.append(
                    (
                        graph.elements[node],
                        f"flow {flow.id} enters a branch of {word} gateway {fork.id} from outside",
                    )
                )
                return
    for flow in structure.ins[join.id]:
        if flow.source not in allowed:
            structure.problems.append(
                (join, f"flow {flow.id} reaches this join from outside the block of {fork.id}")
            )
            return
    structure.blocks[fork.id] = Block(fork.id, join.id, branches)
    structure.joins.add(join.id)


def _region(start: str, join: str, succ: dict[str, list[str]]) -> set[str]:
    region: set[str] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        if node in (join, EXIT) or node in region:
            continue
        region.add(node)
        stack.extend(succ[node])
    return region
