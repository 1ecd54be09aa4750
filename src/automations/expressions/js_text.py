"""Text functions as jsonata 2.0.6 has them, where jsonata-python's port differs.

JavaScript strings are UTF-16: `$match` indexes and `$split(s, "")` count code units, `<` on
texts compares them, while `$length` and `$substring` count code points (`Array.from`).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any, Final

from jsonata import jexception, jsonata, parser, utils
from jsonata.functions import Functions

from automations.expressions import js_numbers

_NULL: Final = utils.Utils.NULL_VALUE


def error(code: str, value: Any = None) -> jexception.JException:
    """A JSONata error with one of its codes (the message comes from the library's table)."""
    return jexception.JException(code, -1, value)


class HostError(jexception.JException):  # type: ignore[misc]
    """Raised where jsonata 2.0.6 fails with a JavaScript error of its host (no JSONata code),
    such as `RangeError: Invalid array length`."""

    def __init__(self, message: str) -> None:
        super().__init__("D1001", -1)
        self.error = ""
        self.args = (message,)


# --- $string and `&` ---------------------------------------------------------------------------

_FUNCTIONS: Final = (
    jsonata.Jsonata.JFunction,
    jsonata.Jsonata.JFunctionCallable,
    parser.Parser.Symbol,
)
_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def utf16(text: str) -> bytes:
    """The text's UTF-16 code units (big-endian): what JavaScript compares and indexes."""
    return text.encode("utf-16-be", "surrogatepass")


def is_function(value: Any) -> bool:
    return isinstance(value, _FUNCTIONS) or callable(value)


def _number(value: int | float) -> str:
    try:
        number = float(value)
    except OverflowError:
        return "null"  # JSON.stringify writes Infinity as null
    rounded = js_numbers.precision_15(number) if math.isfinite(number) else number
    if not math.isfinite(rounded):  # (15 digits of the largest doubles are past the range)
        return "null"
    return js_numbers.number_text(rounded)


def _text(value: str) -> str:
    quoted = json.dumps(value, ensure_ascii=False)
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _stringify(value: Any, indent: str, depth: int) -> str | None:
    """JSON.stringify with jsonata's replacer (numbers to 15 digits, functions as ""); None
    for what it leaves out (undefined)."""
    if value is None or value is _NULL:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return _number(value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            text = _stringify(item, indent, depth + 1)
            if text is not None:
                parts.append(f"{_text(str(key))}:{' ' if indent else ''}{text}")
        return _container("{", parts, "}", indent, depth)
    if isinstance(value, list | tuple):
        items = [_stringify(item, indent, depth + 1) for item in value]
        return _container("[", [item or "null" for item in items], "]", indent, depth)
    if is_function(value):
        return '""'
    return None


def _container(start: str, parts: list[str], end: str, indent: str, depth: int) -> str:
    if not parts:
        return start + end
    if not indent:
        return start + ",".join(parts) + end
    inner = "\n" + indent * (depth + 1)
    return start + inner + ("," + inner).join(parts) + "\n" + indent * depth + end


def string(arg: Any, prettify: Any = None) -> Any:
    """jsonata's `$string` (also what `&` writes)."""
    if isinstance(arg, utils.Utils.JList) and arg.outer_wrapper:
        arg = arg[0]
    if arg is None:
        return None
    if isinstance(arg, str):
        return arg
    if is_function(arg):
        return ""
    if is_number(arg) and not math.isfinite(float(arg)):
        raise error("D3001", arg)
    return _stringify(arg, "  " if prettify else "", 0)


# --- text functions ----------------------------------------------------------------------------


def _slice_index(index: float, length: int) -> int:
    """JavaScript's `slice` index: truncated, negative from the end, clamped."""
    if math.isnan(index):
        return 0
    if math.isinf(index):
        return length if index > 0 else 0
    whole = int(index)
    return max(length + whole, 0) if whole < 0 else min(whole, length)


def substring(string: Any, start: Any, length: Any) -> Any:
    if string is None:
        return None
    if start is None:  # what the port answered, kept
        return string if length is None else ""
    characters = list(string)  # code points, as Array.from
    count = len(characters)
    if count + start < 0:
        start = 0
    if length is not None:
        if length <= 0:
            return ""
        end = start + length if start >= 0 else count + start + length
        return "".join(characters[_slice_index(start, count) : _slice_index(end, count)])
    return "".join(characters[_slice_index(start, count) :])


_PAD: Final = Functions.pad


def pad(string: Any, width: Any, char: Any) -> Any:
    if isinstance(string, str) and is_number(width):
        missing = abs(float(width)) - len(string)
        # jsonata builds the padding as `new Array(missing + 1)`, which only a whole length
        # below 2**32 makes (a width of 2.5 fails; one of 1e-300 on "" pads nothing)
        if missing > 0 and (not (missing + 1).is_integer() or missing + 1 >= 2**32):
            raise HostError(
                f"$pad: the width must be a whole number, got {js_numbers.number_text(width)}"
            )
        if missing > 0:  # (the port truncates the width: the one jsonata pads to, exactly)
            width = math.copysign(len(string) + int(missing + 1) - 1, width)
    return _PAD(string, width, char)


_REPLACE: Final = Functions.replace


def replace(string: Any, pattern: Any, replacement: Any, limit: Any) -> Any:
    if string is None:
        return None
    if pattern == "":
        raise error("D3010", pattern)
    if is_number(limit) and limit < 0:
        raise error("D3011", limit)
    if isinstance(string, str) and Functions.is_regex(pattern):
        for _ in _checked_matches(pattern, string, limit):
            pass  # (only the check: the port replaces as jsonata does)
    if not (isinstance(string, str) and isinstance(pattern, str) and isinstance(replacement, str)):
        return _REPLACE(string, pattern, replacement, limit)
    # A text pattern: each occurrence becomes the replacement as written ($ is no group here).
    parts, position, count = [], 0, 0
    index = string.find(pattern)
    while index != -1 and (limit is None or count < limit):
        parts += [string[position:index], replacement]
        position = index + len(pattern)
        count += 1
        index = string.find(pattern, position)
    parts.append(string[position:])
    return "".join(parts)


# --- URLs --------------------------------------------------------------------------------------

_URI_RESERVED: Final = frozenset(";/?:@&=+$,#")
_HEX: Final = frozenset("0123456789abcdefABCDEF")


def _encoder(safe: str, name: str) -> Callable[[Any], Any]:
    def encode(text: Any) -> Any:
        if text is None:
            return None
        try:
            return urllib.parse.quote(text, safe=safe)
        except UnicodeEncodeError:  # a lone surrogate: no UTF-8 for it
            raise error("D3140", text) from None

    encode.__name__ = name
    return encode


def _escape_at(text: str, index: int) -> int:
    if index + 2 >= len(text) + 0 and index + 2 > len(text) - 1 + 1:
        raise error("D3140", text)
    pair = text[index + 1 : index + 3]
    if len(pair) != 2 or not set(pair) <= _HEX:
        raise error("D3140", text)
    return int(pair, 16)


def _decode(text: str, keep: frozenset[str]) -> str:
    """decodeURIComponent (nothing kept) / decodeURI (escaped reserved characters kept)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] != "%":
            out.append(text[i])
            i += 1
            continue
        first = _escape_at(text, i)
        if first < 0x80:
            char = chr(first)
            out.append(text[i : i + 3] if char in keep else char)
            i += 3
            continue
        size = 2 if first >> 5 == 0b110 else 3 if first >> 4 == 0b1110 else 4
        raw = bytearray([first])
        for step in range(1, size):
            at = i + 3 * step
            if at >= len(text) or text[at] != "%":
                raise error("D3140", text)
            raw.append(_escape_at(text, at))
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise error("D3140", text) from None
        i += 3 * size
    return "".join(out)


encode_url_component: Final = _encoder("~()*!.'", "encode_url_component")
encode_url: Final = _encoder("~@#$&()*!+=:;,.?/'", "encode_url")


def decode_url_component(text: Any) -> Any:
    return None if text is None else _decode(text, frozenset())


def decode_url(text: Any) -> Any:
    return None if text is None else _decode(text, _URI_RESERVED)


# --- case, base64 ------------------------------------------------------------------------------


def lowercase(text: Any) -> Any:
    """`toLowerCase` (the port case-folds: `ß` would become `ss`)."""
    if text is _NULL:
        raise error("T0410")
    return None if text is None else str(text).lower()


_BASE64_DECODE: Final = Functions.base64decode


def base64decode(text: Any) -> Any:
    """Padding is optional, as for Node's `Buffer`; bytes that are no UTF-8 read as Latin-1,
    as jsonata reads every byte (the port answered nothing)."""
    if not isinstance(text, str) or not text or text.rstrip("=") == "":
        return _BASE64_DECODE(text)
    padded = text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4)
    try:
        raw = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return _BASE64_DECODE(text)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


# --- regular expressions -----------------------------------------------------------------------


def _utf16_index(text: str, index: int) -> int:
    return index if text.isascii() else len(utf16(text[:index])) // 2


def _checked_matches(pattern: Any, text: str, limit: Any) -> Iterator[Any]:
    """The matches jsonata's loop takes: after each it looks for the next one (while not at the
    end of the text) and fails with D1004 when that one is empty, as its regular expression
    would never move on from there."""
    taken = end = 0
    for found in pattern.finditer(text):
        empty = found.end() == found.start()
        if taken and end >= len(text):
            return
        if taken and empty:
            raise error("D1004", getattr(pattern, "pattern", ""))
        if limit is not None and taken >= limit:
            return
        if empty and found.end() < len(text):  # found again by the look for the next one
            raise error("D1004", getattr(pattern, "pattern", ""))
        taken, end = taken + 1, found.end()
        yield found


def match(text: Any, pattern: Any, limit: Any) -> Any:
    if text is None:
        return None
    if text is _NULL:
        raise error("T0410")
    if limit is not None and limit < 0:
        raise error("D3040", limit)
    result = utils.Utils.create_sequence()
    for found in _checked_matches(pattern, text, None if limit is None else math.ceil(limit)):
        groups = [found.group(g) for g in range(1, len(found.groups()) + 1)]
        index = _utf16_index(text, found.start())
        result.append({"match": found.group(), "index": index, "groups": groups})
    return result


_SPLIT: Final = Functions.split


def _uint32(number: float) -> int:
    """JavaScript's ToUint32, what `String.prototype.split` makes of its limit."""
    return int(number) % 2**32 if math.isfinite(number) else 0


def split(text: Any, separator: Any, limit: Any) -> Any:
    if text is None or text is _NULL:
        return _SPLIT(text, separator, limit)
    if limit is not None and limit < 0:  # (not truncated first: -0.5 fails too)
        raise error("D3020", limit)
    if limit is not None and limit == 0:
        return []
    if isinstance(separator, str):
        # `text.split(separator, limit)`: the limit as an unsigned 32-bit integer
        count = None if limit is None else _uint32(float(limit))
        if separator == "" and not text.isascii():
            units = utf16(text)
            chars = [
                units[i : i + 2].decode("utf-16-be", "surrogatepass")
                for i in range(0, len(units), 2)
            ]
            return chars[:count]
        return _SPLIT(text, separator, None)[:count]
    # a regular expression: matches are taken while their count is below the limit as it is
    parts, start = [], 0
    taken = None if limit is None else math.ceil(limit)
    for found in _checked_matches(separator, text, taken):
        parts.append(text[start : found.start()])
        start = found.end()
    if limit is None or len(parts) < limit:
        parts.append(text[start:])
    return parts
