"""`free_variables`: the `$names` a JSONata expression reads without binding them itself.

The compiler uses it to know which process variables an expression depends on. We walk the
jsonata-python syntax tree with JSONata's scoping: `$x := ...` binds in the enclosing block from
that point on, a block `( ... )` keeps its bindings inside, lambda parameters bind in the body,
and a path's focus/index variables (`@$o`, `#$i`) bind for the steps after them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonata import jsonata, parser

from automations.expressions.jsonata_expr import compile_jsonata
from automations.expressions.sfn_functions import SFN_FUNCTIONS

_Symbol = parser.Parser.Symbol

# Names that are never process variables: JSONata's functions, ours, and Step Functions' $states.
RESERVED: frozenset[str] = frozenset(
    {*jsonata.Jsonata.static_frame.bindings, *SFN_FUNCTIONS, "states", "", "$"}
)


def free_variables(text: str) -> set[str]:
    """Names (without `$`) read by the JSONata `text` and not bound inside it.

    Raises JsonataSyntaxError when `text` does not parse.
    """
    return set(_free_variables(text))


@lru_cache(maxsize=4096)
def _free_variables(text: str) -> frozenset[str]:
    ast = compile_jsonata(text)._compiled.ast
    found: set[str] = set()
    _walk(ast, frozenset(), found)
    return frozenset(found - RESERVED)


def _walk(node: Any, bound: frozenset[str], found: set[str]) -> frozenset[str]:
    """Record free reads under `node`; return the names `node` binds in its enclosing scope."""
    if isinstance(node, list | tuple):
        binds: frozenset[str] = frozenset()
        for item in node:
            binds |= _walk(item, bound | binds, found)
        return binds
    if not isinstance(node, _Symbol):
        return frozenset()
    walker = _WALKERS.get(str(getattr(node, "type", "")), _walk_children)
    return walker(node, bound, found)


def _walk_variable(node: Any, bound: frozenset[str], found: set[str]) -> frozenset[str]:
    name = str(node.value)
    if name not in bound:
        found.add(name)
    return _walk_extras(node, bound, found)


def _walk_bind(node: Any, bound: frozenset[str], found: set[str]) -> frozenset[str]:
    _walk(node.rhs, bound, found)
    return frozenset({str(node.lhs.value)})


def _walk_block(node: Any, bound: frozenset[str], found: set[str]) -> frozenset[str]:
    _walk(list(node.expressions or []), bound, found)  # bindings stay inside the block
    return _walk_extras(node, bound, found)


def _walk_lambda(node: Any, bound: frozenset[str], found: set[str]) -> frozenset[str]:
    params = frozenset(str(arg.value) for arg in node.arguments or [])
    _walk(node.body, bound | params, found)
    return frozenset()


def _walk_path(node: Any, bound: frozenset[str], found: set[str]) -> frozenset[str]:
    scope = bound
    binds: frozenset[str] = frozenset()
    for step in node.steps or []:
        binds |= _walk(step, scope, found)
        for attr in ("focus", "index"):
            name = getattr(step, attr, None)
            if isinstance(name, str):
                scope |= {name}
    _walk_extras(node, scope, found)
    return binds


def _walk_extras(node: Any, bound: frozenset[str], found: set[str]) -> frozenset[str]:
    """Predicates, group-by and stages hang off any node."""
    binds: frozenset[str] = frozenset()
    for attr in ("predicate", "group", "stages"):
        child = getattr(node, attr, None)
        if child is not None:
            binds |= _walk(child, bound, found)
    return binds


# Attributes that hold no sub-expressions (or, for `input`/`environment`, run-time data).
_SKIP = frozenset(
    {"value", "id", "type", "position", "slot", "token", "focus", "index", "input", "environment"}
)


def _walk_children(node: Any, bound: frozenset[str], found: set[str]) -> frozenset[str]:
    binds: frozenset[str] = frozenset()
    for attr, child in vars(node).items():
        if (attr.startswith("_") and attr != "_else") or attr in _SKIP:
            continue
        if isinstance(child, list | tuple | _Symbol):
            binds |= _walk(child, bound | binds, found)
    return binds


_WALKERS = {
    "variable": _walk_variable,
    "bind": _walk_bind,
    "block": _walk_block,
    "lambda": _walk_lambda,
    "path": _walk_path,
}
