"""jsonata 2.0.6's own behaviour where jsonata-python's port of it differs.

Step Functions runs jsonata 2.0.6, the JavaScript original. The oracle tests
(tests/conformance/test_jsonata_oracle*.py) evaluate the corpus, the examples and a table of
every built-in function with that original under Node and with the engine; each row below
closes one difference they found. The functions live by topic in `js_text`, `js_math`,
`js_arrays` and `js_dates`, with jsonata's own algorithms where the port took another:
`js_integers` (integer pictures), `js_format_number` and `js_pow` (V8's `Math.pow`);
`JsJsonata` carries the operators and is the evaluator's base class.
`install` puts the rows in the library's tables once, at import. `$string` and `$pad` are
bounded by `jsonata_limits`, which installs them after these.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Callable
from typing import Any, Final

from jsonata import jexception, jsonata, signature, tokenizer, utils
from jsonata.functions import Functions

from automations.expressions import (
    js_arrays,
    js_dates,
    js_format_number,
    js_integers,
    js_math,
    js_text,
)

_NULL: Final = utils.Utils.NULL_VALUE

# `$name` -> (the original's behaviour, why the port's is not it).
NATIVE: Final[dict[str, tuple[Callable[..., Any], str]]] = {
    "substring": (js_text.substring, "truncates fractional positions, as `slice` does"),
    "replace": (js_text.replace, "a text pattern's `$0` is text; an empty match fails D1004"),
    "match": (js_text.match, "indexes count UTF-16 units; an empty match fails D1004"),
    "split": (js_text.split, "`''` splits UTF-16 units; an empty regex match fails D1004"),
    "lowercase": (js_text.lowercase, "`toLowerCase`, not case folding (`ß` stays `ß`)"),
    "base64decode": (js_text.base64decode, "padding optional; non-UTF-8 bytes read as Latin-1"),
    "encodeUrlComponent": (js_text.encode_url_component, "fails D3140 on a lone surrogate"),
    "encodeUrl": (js_text.encode_url, "fails D3140 on a lone surrogate"),
    "decodeUrlComponent": (js_text.decode_url_component, "fails D3140 on a bad escape"),
    "decodeUrl": (js_text.decode_url, "keeps escaped reserved characters (`decodeURI`)"),
    "number": (js_math.number, "JSON numbers and 0x/0o/0b literals only, else D3030"),
    "power": (js_math.power, "fails D3061 where the result is no number"),
    "round": (js_math.round_, "half to even on the number's text, like the original"),
    "sum": (js_math.sum_, "adds in doubles (the port adds big integers exactly)"),
    "average": (js_math.average, "adds in doubles (the port adds big integers exactly)"),
    "formatNumber": (js_format_number.format_number, "jsonata's algorithm, not elementpath's"),
    "formatBase": (js_math.format_base, "the radix rounded, not truncated; `1e+21` in base 10"),
    "formatInteger": (js_integers.format_integer, "floors; JavaScript's digits; coded errors"),
    "parseInteger": (js_integers.parse_integer, "`parseInt`'s reading; what is unread is NaN"),
    "sort": (js_arrays.sort, "stable merge sort; numbers or texts only (D3070), UTF-16 order"),
    "distinct": (js_arrays.distinct, "`true` is not `1`; an array stays an array"),
    "toMillis": (js_dates.to_millis, "reads what `Date.parse` reads; D3110 outside ISO 8601"),
    "fromMillis": (js_dates.from_millis, "a clear error past the years it can write"),
}


def _get_symbol(self: signature.Signature, value: Any) -> str:
    """`null` passed to a function is JSONata's null (`l`), not a missing argument: `$count(null)`
    is 1, `$sum(null)` is T0412."""
    return "l" if value is _NULL else str(_GET_SYMBOL(self, value))


_GET_SYMBOL: Final = signature.Signature.get_symbol


def _clone(arg: Any) -> Any:
    """`$clone` (and the transform operator `|...|`) through `$string`'s JSON, as the original."""
    return None if arg is None else json.loads(Functions.string(arg, False))


def _token(self: tokenizer.Tokenizer, type: str, value: Any) -> Any:
    """String literals pair their `\\uD83D\\uDE00` escapes into one character, as JavaScript's
    UTF-16 strings do (the port kept two lone surrogates)."""
    if type == "string" and not value.isascii():
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return _TOKEN(self, type, value)


_TOKEN: Final = tokenizer.Tokenizer.create


def install() -> None:
    """Put the original's behaviour in the library's tables (idempotent)."""
    signature.Signature.get_symbol = _get_symbol
    if tokenizer.Tokenizer.create is _TOKEN:
        tokenizer.Tokenizer.create = _token
    Functions.function_clone = staticmethod(_clone)
    frame = jsonata.Jsonata.static_frame
    for name, (implementation, _why) in NATIVE.items():
        frame.lookup(name).method = implementation
    # Step Functions does not support $eval: bound to nothing, calling it is T1006.
    frame.bind("eval", None)


# --- operators ---------------------------------------------------------------------------------


def _divide(lhs: float, rhs: float) -> float:
    if rhs == 0:
        return math.nan if lhs == 0 else math.copysign(math.inf, lhs) * math.copysign(1, rhs)
    return lhs / rhs


def _remainder(lhs: float, rhs: float) -> float:
    return math.nan if rhs == 0 else math.fmod(lhs, rhs)


# JavaScript's IEEE arithmetic: `%` is the floating remainder (the port truncated it to an int)
# and no operator fails by itself on an infinite or NaN result (what uses it then does).
_ARITHMETIC: Final[dict[str, Callable[[float, float], float]]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": _divide,
    "%": _remainder,
}


_ORDER: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class JsJsonata(jsonata.Jsonata):  # type: ignore[misc]
    """The library's evaluator with the original's arithmetic, text order and `~>`."""

    def evaluate_numeric_expression(self, lhs: Any, rhs: Any, op: Any) -> Any:
        numeric = utils.Utils.is_numeric  # (fails D1001 on an infinite operand, as the original)
        if numeric(lhs) and numeric(rhs) and op in _ARITHMETIC:
            return js_math.result(_ARITHMETIC[op](js_math.double(lhs), js_math.double(rhs)))
        return super().evaluate_numeric_expression(lhs, rhs, op)

    def evaluate_comparison_expression(self, lhs: Any, rhs: Any, op: Any) -> Any:
        # texts compare by UTF-16 code units (`'😀' < 'ｚ'`), not by code points
        texts = isinstance(lhs, str) and isinstance(rhs, str)
        if texts and op in _ORDER and not (lhs.isascii() and rhs.isascii()):
            return _ORDER[op](js_text.utf16(lhs), js_text.utf16(rhs))
        return super().evaluate_comparison_expression(lhs, rhs, op)

    def evaluate_step(self, expr: Any, input: Any, environment: Any, last_step: bool) -> Any:
        # a null item of the data is the step's context as null (`[null].$number()` is T0411,
        # `[null].$string()` is "null"); the port read it as nothing
        if expr.type != "sort" and any(item is None for item in input):
            input = [_NULL if item is None else item for item in input]
        return super().evaluate_step(expr, input, environment, last_step)

    def evaluate_apply_expression(self, expr: Any, input: Any, environment: Any) -> Any:
        # `~>` needs a function on its right (T2006); the port applied anything
        if expr.rhs.type != "function":
            function = self.eval(expr.rhs, input, environment)
            if not self.is_function_like(function):
                raise jexception.JException("T2006", expr.position, function)
        return super().evaluate_apply_expression(expr, input, environment)
