"""`gives_value`: whether a JSONata expression always gives a value, never nothing (undefined).

The compiler guards an author's expression so that one selecting nothing reads as null; an
expression that cannot select nothing keeps its text as written (and costs no guard).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from automations.expressions.errors import JsonataSyntaxError
from automations.expressions.jsonata_expr import compile_jsonata

# Literals, and the operators whose result is a value even when an operand is nothing:
# comparisons and `in` give false, `and`/`or` a boolean, `&` reads nothing as "", a
# constructor with nothing inside is `{}` or `[]`.
_VALUE_TYPES = frozenset({"string", "number", "value"})
_VALUE_OPERATORS = {
    "binary": frozenset({"=", "!=", "<", "<=", ">", ">=", "and", "or", "in", "&"}),
    "unary": frozenset({"{", "["}),
}
# What may hang off any node and filter its value down to nothing.
_FILTERS = ("predicate", "stages", "group", "keepArray")


@lru_cache(maxsize=4096)
def gives_value(text: str) -> bool:
    """True when `text` evaluates to a value whatever its variables hold (False when unsure,
    or when it does not parse)."""
    try:
        node: Any = compile_jsonata(text)._compiled.ast
    except JsonataSyntaxError:
        return False
    if any(getattr(node, attr, None) for attr in _FILTERS):
        return False
    kind = str(getattr(node, "type", ""))
    if kind in _VALUE_TYPES:
        return True
    return str(getattr(node, "value", "")) in _VALUE_OPERATORS.get(kind, frozenset())
