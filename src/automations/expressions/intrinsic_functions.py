"""The `States.*` functions themselves: one small function per name, in the FUNCTIONS table.

Where the conformance corpus shows AWS's behaviour we follow it: States.Format prints objects the
way Java's Map.toString does (`{a=1, b=[]}`), MathAdd rounds each operand half-up first,
StringSplit drops empty pieces, StringToJson of a blank string is null, MathRandom drops the
fraction of its bounds.
"""

from __future__ import annotations

import base64
import json
import math
import random
import uuid
from collections.abc import Callable
from typing import Any

from automations.expressions.errors import IntrinsicFailure
from automations.expressions.sfn_functions import HASH_ALGORITHMS, MAX_RANGE_ITEMS

# --- the functions -----------------------------------------------------------------------------


def _fail(function: str, message: str) -> IntrinsicFailure:
    return IntrinsicFailure(f"{function}: {message}")


def _need(function: str, condition: bool, message: str) -> None:
    if not condition:
        raise _fail(function, message)


def _integer(function: str, value: Any) -> int:
    _need(
        function,
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and float(value).is_integer(),
        f"expected an integer, got {json.dumps(value)}",
    )
    return int(value)


def java_string(value: Any) -> str:
    """How Java's toString prints a JSON value (States.Format uses it for its arguments)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={java_string(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(java_string(v) for v in value) + "]"
    return str(value)


def format_template(template: str, args: list[Any]) -> str:
    """Fill `{}` placeholders in order; `\\{` and `\\}` are literal braces."""
    out: list[str] = []
    used = 0
    i = 0
    while i < len(template):
        char = template[i]
        if char == "\\" and i + 1 < len(template):
            out.append(template[i + 1])
            i += 2
            continue
        if template.startswith("{}", i):
            _need("States.Format", used < len(args), "more placeholders {} than arguments")
            out.append(java_string(args[used]))
            used += 1
            i += 2
            continue
        out.append(char)
        i += 1
    _need("States.Format", used == len(args), "more arguments than placeholders {}")
    return "".join(out)


def _format_function(*args: Any) -> Any:
    _need("States.Format", bool(args) and isinstance(args[0], str), "the template must be a string")
    return format_template(args[0], list(args[1:]))


def _string_to_json(text: Any = None) -> Any:
    _need("States.StringToJson", isinstance(text, str), "expected a string")
    if not text.strip():
        return None
    try:
        return json.loads(text, parse_constant=_not_json)
    except ValueError:
        raise _fail("States.StringToJson", f"not JSON: {text!r}") from None


def _not_json(token: str) -> Any:
    raise ValueError(f"{token} is not a JSON number")


def _json_to_string(value: Any = None) -> Any:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _array(*args: Any) -> Any:
    return list(args)


def _array_partition(array: Any = None, size: Any = None) -> Any:
    _need("States.ArrayPartition", isinstance(array, list), "the first argument must be an array")
    chunk = _integer("States.ArrayPartition", size)
    _need("States.ArrayPartition", chunk > 0, "the chunk size must be greater than 0")
    return [array[i : i + chunk] for i in range(0, len(array), chunk)]


def _array_contains(array: Any = None, value: Any = None) -> Any:
    _need("States.ArrayContains", isinstance(array, list), "the first argument must be an array")
    return any(json_equal(item, value) for item in array)


def json_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values where true is not 1 (Python's `==` says it is)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _array_range(start: Any = None, end: Any = None, step: Any = None) -> Any:
    first, last = _integer("States.ArrayRange", start), _integer("States.ArrayRange", end)
    stride = _integer("States.ArrayRange", step)
    _need("States.ArrayRange", stride != 0, "the step must not be 0")
    values = list(range(first, last + (1 if stride > 0 else -1), stride))
    _need("States.ArrayRange", len(values) <= MAX_RANGE_ITEMS, "the range is too long")
    return values


def _array_get_item(array: Any = None, index: Any = None) -> Any:
    _need("States.ArrayGetItem", isinstance(array, list), "the first argument must be an array")
    position = _integer("States.ArrayGetItem", index)
    _need("States.ArrayGetItem", 0 <= position < len(array), "the index is out of bounds")
    return array[position]


def _array_length(array: Any = None) -> Any:
    _need("States.ArrayLength", isinstance(array, list), "the argument must be an array")
    return len(array)


def _array_unique(array: Any = None) -> Any:
    _need("States.ArrayUnique", isinstance(array, list), "the argument must be an array")
    unique: list[Any] = []
    for item in array:
        if not any(json_equal(item, seen) for seen in unique):
            unique.append(item)
    return unique


def _base64_encode(text: Any = None) -> Any:
    _need("States.Base64Encode", isinstance(text, str), "the argument must be a string")
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _base64_decode(text: Any = None) -> Any:
    _need("States.Base64Decode", isinstance(text, str), "the argument must be a string")
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except ValueError:
        raise _fail("States.Base64Decode", "the argument is not Base64 text") from None


def _hash(data: Any = None, algorithm: Any = None) -> Any:
    _need("States.Hash", isinstance(data, str), "the data must be a string")
    digest = HASH_ALGORITHMS.get(algorithm) if isinstance(algorithm, str) else None
    _need("States.Hash", digest is not None, f"unsupported algorithm {algorithm!r}")
    assert digest is not None
    return digest(data.encode("utf-8")).hexdigest()


def _json_merge(left: Any = None, right: Any = None, deep: Any = False) -> Any:
    _need("States.JsonMerge", isinstance(left, dict), "the first argument must be an object")
    _need("States.JsonMerge", isinstance(right, dict), "the second argument must be an object")
    _need("States.JsonMerge", deep is False, "only a shallow merge (false) is supported")
    return {**left, **right}


def _whole(function: str, value: Any) -> int:
    """A number taken as an integer (AWS accepts 12.5 where it wants an integer and drops the
    fraction)."""
    _need(
        function,
        isinstance(value, int | float) and not isinstance(value, bool),
        f"expected a number, got {json.dumps(value)}",
    )
    return int(value)


def _math_random(start: Any = None, end: Any = None, seed: Any = None) -> Any:
    low, high = _whole("States.MathRandom", start), _whole("States.MathRandom", end)
    _need("States.MathRandom", low < high, "the start must be less than the end")
    if seed is None:
        return random.randrange(low, high)  # noqa: S311 - not for security
    return random.Random(_whole("States.MathRandom", seed)).randrange(low, high)  # noqa: S311


def _round_half_up(value: float) -> int:
    """Java's Math.round: halves go up (-1.5 -> -1, 2.5 -> 3)."""
    return math.floor(value + 0.5)


def _math_add(a: Any = None, b: Any = None) -> Any:
    for operand in (a, b):
        _need(
            "States.MathAdd",
            isinstance(operand, int | float) and not isinstance(operand, bool),
            f"expected numbers, got {json.dumps(operand)}",
        )
    return _round_half_up(a) + _round_half_up(b)


def _string_split(text: Any = None, delimiters: Any = None) -> Any:
    _need("States.StringSplit", isinstance(text, str), "the first argument must be a string")
    _need("States.StringSplit", isinstance(delimiters, str), "the delimiter must be a string")
    pieces: list[str] = []
    current: list[str] = []
    for char in text:
        if char in delimiters:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return [piece for piece in pieces if piece]


def _uuid() -> Any:
    return str(uuid.uuid4())


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "States.Format": _format_function,
    "States.StringToJson": _string_to_json,
    "States.JsonToString": _json_to_string,
    "States.Array": _array,
    "States.ArrayPartition": _array_partition,
    "States.ArrayContains": _array_contains,
    "States.ArrayRange": _array_range,
    "States.ArrayGetItem": _array_get_item,
    "States.ArrayLength": _array_length,
    "States.ArrayUnique": _array_unique,
    "States.Base64Encode": _base64_encode,
    "States.Base64Decode": _base64_decode,
    "States.Hash": _hash,
    "States.JsonMerge": _json_merge,
    "States.MathRandom": _math_random,
    "States.MathAdd": _math_add,
    "States.StringSplit": _string_split,
    "States.UUID": _uuid,
}
