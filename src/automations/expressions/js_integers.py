"""`$formatInteger` and `$parseInteger` as jsonata 2.0.6 has them (its `analyseIntegerPicture`,
`_formatInteger` and the integer half of `generateRegex`).

jsonata-python's port of these leaks Python errors (a `RuntimeError` for a picture it does not
support, a `KeyError` for a word it does not know, an `IndexError` for `"0;"`), truncates where
the original floors, and reads digits with `int` where the original uses `parseInt`. Numbers
stay doubles throughout, as in JavaScript: the words of 1e300 come from the same arithmetic.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Final

from automations.expressions import js_numbers, js_pow
from automations.expressions.js_math import double
from automations.expressions.js_text import HostError, error, utf16
from automations.expressions.value_limits import MAX_TEXT_CHARS, TEXT_LIMIT

_FEW: Final = [
    "Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten",
    "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen",
    "Nineteen",
]  # fmt: skip
_ORDINALS: Final = [
    "Zeroth", "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth",
    "Ninth", "Tenth", "Eleventh", "Twelfth", "Thirteenth", "Fourteenth", "Fifteenth",
    "Sixteenth", "Seventeenth", "Eighteenth", "Nineteenth",
]  # fmt: skip
_DECADES: Final = [
    "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety", "Hundred"
]  # fmt: skip
_MAGNITUDES: Final = ["Thousand", "Million", "Billion", "Trillion"]


def _word_values() -> dict[str, float]:
    values: dict[str, float] = {}
    for index, word in enumerate(_FEW):
        values[word.lower()] = index
    for index, word in enumerate(_ORDINALS):
        values[word.lower()] = index
    for index, word in enumerate(_DECADES):
        values[word.lower()] = values[word.lower()[:-1] + "ieth"] = (index + 2) * 10
    values["hundredth"] = 100
    for index, word in enumerate(_MAGNITUDES):
        values[word.lower()] = values[word.lower() + "th"] = 10.0 ** ((index + 1) * 3)
    return values


_WORD_VALUES: Final = _word_values()
# JavaScript's `\s`, spelled out (Python's differs at U+001C..U+001F and U+FEFF).
_JS_SPACE: Final = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_WORD_BREAK: Final = re.compile(rf",[{_JS_SPACE}]|[{_JS_SPACE}]and[{_JS_SPACE}]|[{_JS_SPACE}\\-]")
_ROMAN: Final = (
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)
_ROMAN_VALUES: Final = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}
_DECIMAL_GROUPS: Final = (
    0x30, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66,
    0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946,
    0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0,
    0xA9F0, 0xAA50, 0xABF0, 0xFF10,
)  # fmt: skip
_SUFFIXES: Final = {"1": "st", "2": "nd", "3": "rd"}
# The pictures that name a format rather than spell digits: (primary, case).
_NAMED: Final = {
    "A": ("letters", "upper"),
    "a": ("letters", "lower"),
    "I": ("roman", "upper"),
    "i": ("roman", "lower"),
    "W": ("words", "upper"),
    "Ww": ("words", "title"),
    "w": ("words", "lower"),
}


@dataclass
class _Picture:
    """An analysed integer picture (jsonata's `format` object)."""

    primary: str = "decimal"
    case: str = "lower"
    ordinal: bool = False
    token: str = ""
    zero: int = 0x30
    mandatory: int = 0
    regular: int = 0  # the interval of regular grouping separators, else 0
    separator: str = ""  # the character of regular ones
    separators: list[tuple[int, str]] = field(default_factory=list)  # (position, character)


def _analyse(picture: str) -> _Picture:
    semicolon = picture.rfind(";")
    primary = picture if semicolon == -1 else picture[:semicolon]
    modifier = "" if semicolon == -1 else picture[semicolon + 1 :]
    format = _Picture(ordinal=modifier[:1] == "o")
    if primary in _NAMED:
        format.primary, format.case = _NAMED[primary]
        return format
    position = 0
    zero: int | None = None
    separators: list[tuple[int, str]] = []
    for char in reversed(primary):
        group = next((g for g in _DECIMAL_GROUPS if g <= ord(char) <= g + 9), None)
        if group is not None:
            format.mandatory += 1
            position += 1
            if zero is None:
                zero = group
            elif group != zero:
                raise error("D3131")
        elif char == "#":
            position += 1
        else:
            separators.append((position, char))
    if zero is None:
        format.primary, format.token = "sequence", primary
        return format
    format.zero = zero
    format.regular = _regular_interval(separators)
    if format.regular:
        format.separator = separators[0][1]
    else:
        format.separators = separators
    return format


def _regular_interval(separators: list[tuple[int, str]]) -> int:
    """jsonata's `regularRepeat`: the common interval of the separators, or 0."""
    if not separators or any(char != separators[0][1] for _, char in separators):
        return 0
    positions = [position for position, _ in separators]
    factor = positions[0]
    for position in positions[1:]:
        factor = math.gcd(factor, position)
    if any(index * factor not in positions for index in range(1, len(positions) + 1)):
        return 0
    return factor


# --- formatting --------------------------------------------------------------------------------


def _words(num: float, prev: bool, ordinal: bool) -> str:
    """jsonata's `numberToWords` lookup, in doubles."""
    if num <= 19:
        return (" and " if prev else "") + (_ORDINALS if ordinal else _FEW)[int(num)]
    if num < 100:
        tens, remainder = math.floor(num / 10), math.fmod(num, 10)
        words = (" and " if prev else "") + _DECADES[tens - 2]
        if remainder > 0:
            return words + "-" + _words(remainder, False, ordinal)
        return words[:-1] + "ieth" if ordinal else words
    if num < 1000:
        hundreds, remainder = math.floor(num / 100), math.fmod(num, 100)
        words = (", " if prev else "") + _FEW[hundreds] + " Hundred"
        if remainder > 0:
            return words + _words(remainder, True, ordinal)
        return words + "th" if ordinal else words
    magnitude = min(math.floor(math.log10(num) / 3), len(_MAGNITUDES))
    factor = 10.0 ** (magnitude * 3)
    mantissa = float(math.floor(num / factor))
    remainder = num - mantissa * factor
    words = (", " if prev else "") + _words(mantissa, False, False)
    words += " " + _MAGNITUDES[magnitude - 1]
    if remainder > 0:
        return words + _words(remainder, True, ordinal)
    return words + "th" if ordinal else words


def _letters(value: float, a: str) -> str:
    letters = []
    while value > 0:
        letters.append(chr(int(math.fmod(value - 1, 26)) + ord(a)))
        value = float(math.floor((value - 1) / 26))
    return "".join(reversed(letters))


def _roman(value: float) -> str:
    """jsonata's `decimalToRoman` (a recursion there, which overflows Node's stack from about
    1e7 on: docs/parity.md; a loop here, bounded by the engine's limit on a text)."""
    if value / 1000 > MAX_TEXT_CHARS:
        raise error(TEXT_LIMIT, "$formatInteger")
    parts = []
    for amount, numeral in _ROMAN:
        count = math.floor(value / amount)
        if count >= 1:
            parts.append(numeral * count)
            value -= count * amount
    return "".join(parts)


def _units(text: str) -> list[str]:
    """The text's UTF-16 code units, each as a one-character text (surrogates alone)."""
    raw = utf16(text)
    return [raw[i : i + 2].decode("utf-16-be", "surrogatepass") for i in range(0, len(raw), 2)]


def _joined(units: list[str]) -> str:
    """Code units back into a text, pairing the surrogates that meet again."""
    return "".join(units).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _insert(units: list[str], at: int, char: str) -> list[str]:
    """`text.substr(0, at) + char + text.substr(at)` in JavaScript: a negative `at` keeps
    nothing before and counts from the end after (clamped at the start)."""
    head = units[:at] if at > 0 else []
    tail = units[max(len(units) + at, 0) :] if at < 0 else units[at:]
    return head + _units(char) + tail


def _decimal(value: float, format: _Picture) -> str:
    text = js_numbers.number_text(value)
    text = "0" * max(format.mandatory - len(text), 0) + text
    if format.zero != 0x30:
        text = "".join(chr(ord(char) + format.zero - 0x30) for char in text)
    if format.regular:
        for index in range(math.floor((len(text) - 1) / format.regular), 0, -1):
            at = len(text) - index * format.regular
            text = text[:at] + format.separator + text[at:]
    elif format.separators:
        units = _units(text)  # (positions count UTF-16 units, as `length` and `substr` do)
        for position, char in reversed(format.separators):
            units = _insert(units, len(units) - position, char)
        text = _joined(units)
    if format.ordinal:
        suffix = _SUFFIXES.get(text[-1:])
        if suffix is None or (len(text) > 1 and text[-2] == "1"):
            suffix = "th"
        text += suffix
    return text


def _formatted(value: float, format: _Picture) -> str:
    if format.primary == "letters":
        return _letters(value, "A" if format.case == "upper" else "a")
    if format.primary == "roman":
        roman = _roman(value)
        return roman.upper() if format.case == "upper" else roman
    if format.primary == "words":
        words = _words(value, False, format.ordinal)
        return {"upper": words.upper(), "lower": words.lower()}.get(format.case, words)
    if format.primary == "decimal":
        return _decimal(value, format)
    raise error("D3130", format.token)


def format_integer(value: Any, picture: Any) -> Any:
    if value is None:
        return None
    if not math.isfinite(number := double(value)):
        raise error("D1001", value)  # (jsonata spells Infinity, or loops forever)
    floored = math.floor(number)
    text = _formatted(abs(float(floored)), _analyse(picture))
    return "-" + text if floored < 0 else text


# --- parsing -----------------------------------------------------------------------------------

_PARSE_INT: Final = re.compile(rf"[{_JS_SPACE}]*([-+]?)(?:0[xX]([0-9a-fA-F]*)|([0-9]*))")


def _parse_int(text: str) -> float:
    """JavaScript's `parseInt(text)`: leading space, a sign, then the digits it can read (hex
    after `0x`, which is taken off first: `0x` alone is NaN)."""
    found = _PARSE_INT.match(text)
    assert found is not None  # (every part of the pattern is optional)
    sign, hexadecimal, decimal = found.groups()
    if hexadecimal is not None:
        number = float(int(hexadecimal, 16)) if hexadecimal else math.nan
    else:
        number = float(decimal) if decimal else math.nan  # (float: no limit on the digits)
    return -number if sign == "-" else number


def _from_letters(text: str, a: str) -> float:
    total = 0.0
    units = utf16(text)  # (charCodeAt: UTF-16 code units)
    for index in range(len(units) // 2):
        unit = int.from_bytes(units[len(units) - 2 * index - 2 : len(units) - 2 * index])
        total += (unit - ord(a) + 1) * js_pow.pow(26.0, float(index))
    return total


def _from_roman(text: str) -> float:
    total, largest = 0.0, 1
    for char in reversed(text):
        value = _ROMAN_VALUES.get(char)
        if value is None:
            return math.nan  # (undefined in the original, which makes the sum NaN)
        if value < largest:
            total -= value
        else:
            largest = value
            total += value
    return total


def _from_words(text: str) -> float:
    segments = [0.0]
    for part in _WORD_BREAK.split(text):
        value = _WORD_VALUES.get(part)
        if value is None:
            return math.nan
        if value < 100:
            top = segments.pop()
            if top >= 1000:
                segments.append(top)
                top = 0.0
            segments.append(top + value)
        else:
            segments.append(segments.pop() * value)
    return sum(segments, 0.0)


def _from_decimal(text: str, format: _Picture) -> float:
    if format.ordinal:  # (the suffix's two UTF-16 units off)
        units = _units(text)
        text = _joined(units[: max(len(units) - 2, 0)])
    digits = text
    if format.regular:
        digits = digits.replace(",", "")  # (a comma whatever the picture's separator was)
    else:
        for _, char in format.separators:
            digits = digits.replace(char, "")
    if format.zero != 0x30:
        codes = [ord(unit) - format.zero + 0x30 for unit in _units(digits)]
        if any(code < 0 for code in codes):
            raise HostError(f"$parseInteger: {digits!r} has no digits of the picture's family")
        digits = _joined([chr(code) for code in codes])
    return _parse_int(digits)


def parse_integer(text: Any, picture: Any) -> Any:
    if text is None:
        return None
    format = _analyse(picture)
    if format.primary == "letters":
        upper = format.case == "upper"
        number = _from_letters(text, "A" if upper else "a")
    elif format.primary == "roman":
        number = _from_roman(text if format.case == "upper" else text.upper())
    elif format.primary == "words":
        number = _from_words(text.lower())
    elif format.primary == "decimal":
        number = _from_decimal(text, format)
    else:
        raise error("D3130", format.token)
    return number if math.isnan(number) else js_numbers.integral_double(number)
