"""Building JSONata text for the compiled machine out of the scenario's own expressions.

Scenario values are either literals or whole-string `{% expr %}` JSONata. The compiler never
rewrites a user's expression; it only wraps it in a JSONata block that binds the names the
scenario format promises (`$result`, `$error`, earlier outputs of the same element), so the very
same text runs on AWS and in the embedded engine.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from functools import lru_cache, wraps
from typing import Any, TypeVar

from automations.bpmn.model import Param
from automations.expressions.jsonata_parse import quick_gives_value
from automations.expressions.template import CLOSE, OPEN, expression_text
from automations.expressions.template import is_expression as is_expression  # the one test

FreeVariables = Callable[[str], set[str]]
# `json.dumps(text, ensure_ascii=False)` without building an encoder per call.
_string_literal = json.JSONEncoder(ensure_ascii=False).encode
# A scenario's values come back on every save, and each is looked at several times per compile:
# the pure functions of one text below remember their answers. Only for texts up to this long,
# so that what the caches hold stays small whatever the files say.
_CACHED_CHARS = 1000


T = TypeVar("T")


def _by_text(function: Callable[[str], T]) -> Callable[[str], T]:
    cached = lru_cache(maxsize=4096)(function)

    @wraps(function)
    def by_text(text: str) -> T:
        return cached(text) if len(text) <= _CACHED_CHARS else function(text)

    return by_text


@_by_text
def body(value: str) -> str:
    """The JSONata inside `{% ... %}`, or the literal as a JSONata string literal."""
    if is_expression(value):
        return expression_text(value)
    return _string_literal(value)


_gives_value: Callable[[str], bool] = _by_text(quick_gives_value)


def wrap(text: str) -> str:
    return f"{OPEN} {text} {CLOSE}"


def field(name: str) -> str:
    """A JSONata field reference that is safe whatever the name (keywords included)."""
    return f"`{name}`"


def block(bindings: Sequence[tuple[str, str]], final: str) -> str:
    """`( $a := x; $b := y; final )`, or just `final` when nothing needs binding."""
    if not bindings:
        return final
    parts = [f"${name} := {text}" for name, text in bindings]
    return "(" + "; ".join([*parts, final]) + ")"


# An author's expression that selects nothing (a missing property) reads as null, as the
# scenario format promises; Step Functions fails any field whose expression gives undefined,
# so the compiled text says so itself. The name has `__`, which scenario variables may not.
NULL_GUARD = "$__value"
GUARD_BINDING = f"{NULL_GUARD} := "
GUARD_TEST = f"$exists({NULL_GUARD}) ? {NULL_GUARD} : null"


def or_null(bindings: Sequence[tuple[str, str]], final: str) -> str:
    """`block(bindings, final)` giving null where `final` gives nothing.

    `:=` binds more loosely than every operator, so `final` needs no parentheses of its own."""
    if _gives_value(final):
        return block(bindings, final)
    return block([*bindings, (NULL_GUARD[1:], final)], GUARD_TEST)


def reads(expr: str, name: str) -> bool:
    """Whether `expr` mentions `$name`. Textual on purpose: `$error` is also a JSONata built-in
    function, so a syntax-tree walk that skips built-ins would miss it; binding a local that the
    expression does not use after all costs nothing."""
    return f"${name}" in expr and _mention(name).search(expr) is not None


@lru_cache(maxsize=256)
def _mention(name: str) -> re.Pattern[str]:
    return re.compile(rf"\${re.escape(name)}(?![A-Za-z0-9_])")


def value_with(value: str, locals_: dict[str, str]) -> Any:
    """A field value for ASL: a literal stays a literal; an expression gets its locals bound.

    For fields that want a value of their own type (a condition, a loop's collection, a
    timer): null would be as wrong there as nothing, and "gave no value" says better what is."""
    if not is_expression(value):
        return value
    return wrap(bound(body(value), locals_))


def value_or_null(value: str, locals_: dict[str, str]) -> Any:
    """`value_with` for a value any JSON may be (an input): null rather than nothing."""
    if not is_expression(value):
        return value
    return wrap(bound_or_null(body(value), locals_))


def bound(expr: str, locals_: dict[str, str]) -> str:
    """`expr` inside a block binding those of `locals_` it reads."""
    return block(_read_locals(expr, locals_), expr)


def bound_or_null(expr: str, locals_: dict[str, str]) -> str:
    """`bound(expr, locals_)`, null where `expr` gives nothing."""
    return or_null(_read_locals(expr, locals_), expr)


def _read_locals(expr: str, locals_: dict[str, str]) -> list[tuple[str, str]]:
    return [(name, text) for name, text in locals_.items() if reads(expr, name)]


def sequential_assign(
    outputs: Sequence[Param],
    locals_: dict[str, str],
    free: FreeVariables,
    write: Callable[[str], str] = str,
) -> dict[str, Any]:
    """An ASL `Assign` in which each output sees the ones before it.

    ASL evaluates every `Assign` field against the variables as they were when the state was
    entered; users read a list of outputs top-down. So output k is evaluated in a block that
    first re-computes the earlier outputs it (transitively) reads.
    """
    assign: dict[str, Any] = {}
    earlier: list[tuple[str, str]] = []  # (name, jsonata text) in document order
    for out in outputs:
        expr = body(out.value)
        needed = _needed_bindings(expr, earlier, locals_, free)
        if not needed and not is_expression(out.value):
            assign[write(out.name)] = out.value
        else:
            assign[write(out.name)] = wrap(or_null(needed, expr))
        earlier.append((out.name, _as_assigned(out.value)))
    return assign


@_by_text
def _as_assigned(value: str) -> str:
    """An earlier output's text as a later one reads it: what was assigned, null included."""
    expr = body(value)
    if not is_expression(value) or _gives_value(expr):
        return expr
    return or_null([], expr)


def _needed_bindings(
    expr: str,
    earlier: list[tuple[str, str]],
    locals_: dict[str, str],
    free: FreeVariables,
) -> list[tuple[str, str]]:
    if not earlier and not locals_:
        return []  # (the usual first output: nothing it could need)
    wanted = free(expr)
    chosen: list[tuple[str, str]] = []
    # Walk earlier outputs backwards: a binding is kept if something after it reads it.
    for name, text in reversed(earlier):
        if name in wanted:
            chosen.append((name, text))
            wanted = (wanted - {name}) | free(text)
    chosen.reverse()
    texts = [expr, *(text for _, text in chosen)]
    prelude = [(n, t) for n, t in locals_.items() if any(reads(x, n) for x in texts)]
    return prelude + chosen


def sequential_value(
    outputs: Sequence[Param], final: str, locals_: dict[str, str], free: FreeVariables
) -> str:
    """JSONata for `final` evaluated after `outputs`, as if they had been assigned first."""
    earlier = [(out.name, _as_assigned(out.value)) for out in outputs]
    return wrap(or_null(_needed_bindings(final, earlier, locals_, free), final))
