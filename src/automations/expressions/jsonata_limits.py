"""Size limits inside jsonata-python, so that one expression cannot take the server's memory.

JSONata can double a value at every step of a recursion (`$s & $s`, `[$a, $a]`,
`$append($a, $a)`) or ask for one of any size (`$pad("x", 1e9)`): thirty steps are gigabytes,
built faster than any time limit fires. The places where values grow are few, so each gets a
check: a text is at most `MAX_TEXT_CHARS` characters and an array at most `MAX_ITEMS` items
(the ceiling JSONata itself puts on the range operator `[1..n]`). Values that share parts
(`{"a": $o, "b": $o}` repeated) stay small in memory but not as text, so `$string` counts what
it would write before writing it.

The checks are installed into the library's own tables once, at import (`install`); the errors
they raise carry codes of their own (`L1001` text, `L1002` array), which JSONata does not use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from jsonata import jexception, jsonata
from jsonata.functions import Functions

from automations.expressions import js_text, jsonata_js, value_limits

MAX_TEXT_CHARS: Final = value_limits.MAX_TEXT_CHARS
MAX_ITEMS: Final = value_limits.MAX_ITEMS

TEXT_LIMIT: Final = value_limits.TEXT_LIMIT
ARRAY_LIMIT: Final = value_limits.ARRAY_LIMIT

_MESSAGES: Final = {
    TEXT_LIMIT: f"{{{{value}}}} would make a text longer than {MAX_TEXT_CHARS:,} characters "
    "(the limit of a value)",
    ARRAY_LIMIT: f"{{{{value}}}} would make an array longer than {MAX_ITEMS:,} items "
    "(the limit of a value)",
    # jsonata 2.0.6 checks 1e7 but its message says 1e6: we say what is checked.
    "D2014": "The size of the sequence allocated by the range operator (..) must not exceed "
    "1e7.  Attempted to allocate {{value}}.",
}


def _too_long(text: Any, what: str) -> Any:
    if isinstance(text, str) and len(text) > MAX_TEXT_CHARS:
        raise jexception.JException(TEXT_LIMIT, -1, what)
    return text


def _too_many(items: Any, what: str) -> Any:
    if isinstance(items, list) and len(items) > MAX_ITEMS:
        raise jexception.JException(ARRAY_LIMIT, -1, what)
    return items


def _pad(string: Any, width: Any, char: Any) -> Any:
    # Checked before padding: the library builds the padding one character at a time.
    if isinstance(width, int | float) and abs(width) > MAX_TEXT_CHARS:
        raise jexception.JException(TEXT_LIMIT, -1, "$pad")
    return _PAD(string, width, char)


def _join(strings: Any, separator: Any) -> Any:
    return _too_long(_JOIN(strings, separator), "$join")


def _append(first: Any, second: Any) -> Any:
    return _too_many(_APPEND(first, second), "an array")


def _string(arg: Any, prettify: Any) -> Any:
    _count_parts(arg)
    return _too_long(_STRING(arg, prettify), "$string")


def _count_parts(value: Any) -> None:
    """Refuse a value with more parts than a text of the limit could hold (counted without
    recursion: shared parts count every time they would be written)."""
    if not isinstance(value, dict | list):
        return
    budget = MAX_TEXT_CHARS // 2
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            budget -= len(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            budget -= len(item)
            stack.extend(item)
        if budget < 0:
            raise jexception.JException(TEXT_LIMIT, -1, "$string")


# (`$pad` and `$string` as jsonata 2.0.6 has them, see `js_text`)
_PAD: Final = js_text.pad
_JOIN: Final = Functions.join
_APPEND: Final = Functions.append
_STRING: Final = js_text.string

# Native function -> its bounded implementation (the `$name` bound in the library's frame).
_NATIVE: Final[dict[str, Callable[..., Any]]] = {
    "pad": _pad,
    "join": _join,
    "append": _append,
    "string": _string,
}


class BoundedJsonata(jsonata_js.JsJsonata):
    """jsonata-python's evaluator with the limits on the two operators that build values:
    `&` (texts) and the array constructor `[...]` (its flattening doubles `[$a, $a]`)."""

    def evaluate_string_concat(self, lhs: Any, rhs: Any) -> str:
        return str(_too_long(super().evaluate_string_concat(lhs, rhs), "&"))

    def evaluate_unary(self, expr: Any, input: Any, environment: Any) -> Any:
        return _too_many(super().evaluate_unary(expr, input, environment), "an array")


def install() -> None:
    """Put the bounded functions in the library's tables (idempotent)."""
    jexception.JException.error_codes.update(_MESSAGES)
    # `[...]` and path steps call `Functions.append` by name; `$append` calls what it bound.
    Functions.append = staticmethod(_append)
    Functions.string = staticmethod(_string)
    for name, bounded in _NATIVE.items():
        native = jsonata.Jsonata.static_frame.lookup(name)
        native.method = bounded
