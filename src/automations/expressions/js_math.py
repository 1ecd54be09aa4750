"""Number functions as jsonata 2.0.6 has them, where jsonata-python's port differs.

JSONata's numbers are JavaScript's doubles: sums add in doubles, `$round` shifts the decimal
point in the number's text (`Number(m + "e" + (e + p))`) before rounding half to even, and a
result that is no number is NaN, which the evaluator reports as D1001 (out of range).
"""

from __future__ import annotations

import math
import re
from typing import Any, Final

from jsonata import utils

from automations.expressions import js_numbers, js_pow
from automations.expressions.js_text import error, is_number

_DECIMAL: Final = re.compile(r"-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?")
# jsonata's own test, anchors and all: `^` binds to the first form and `$` to the last only.
_PREFIXED_TEST: Final = re.compile(r"^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$")
_PREFIXED: Final = re.compile(r"0([xXoObB])([0-9A-Fa-f]+)")
_BASES: Final = {"x": 16, "o": 8, "b": 2}


def number(arg: Any) -> Any:
    if arg is None:
        return None
    if isinstance(arg, bool):
        return 1 if arg else 0
    if is_number(arg):
        return arg
    if isinstance(arg, str):
        if _DECIMAL.fullmatch(arg) and math.isfinite(value := float(arg)):
            return value
        if _PREFIXED_TEST.search(arg):
            return _prefixed(arg)
    raise error("D3030", arg)


def _prefixed(text: str) -> float:
    """JavaScript's `Number(text)` for what passed jsonata's 0x/0o/0b test (NaN if it is not
    one such literal as a whole)."""
    found = _PREFIXED.fullmatch(text.strip())
    if found is None:
        return math.nan
    try:
        return float(int(found.group(2), _BASES[found.group(1).lower()]))
    except ValueError:
        return math.nan


def power(arg: Any, exp: Any) -> Any:
    if arg is None:
        return None
    result = js_pow.pow(double(arg), double(exp))
    if not math.isfinite(result):
        raise error("D3061", arg)
    return result


def double(value: Any) -> float:
    """A JSON number as JavaScript holds it (an integer too long for a double is infinite)."""
    try:
        return float(value)
    except OverflowError:
        return math.copysign(math.inf, value)


def result(value: float) -> Any:
    """A finite result as the library keeps numbers (integral ones as int); others stay
    floats, for the evaluator to report as JSONata does."""
    return utils.Utils.convert_number(value) if math.isfinite(value) else value


def sum_(numbers: Any) -> Any:
    """Added one by one in doubles (the port adds Python ints exactly)."""
    if numbers is None:
        return None
    total = 0.0
    for item in numbers:
        total += double(item)
    return result(total)


def average(numbers: Any) -> Any:
    if numbers is None or not numbers:
        return None
    total = 0.0
    for item in numbers:
        total += double(item)
    return result(total / len(numbers))


def _shifted(value: float, places: float) -> float:
    """`+(mantissa + "e" + (exponent + places))` on the number's JavaScript text."""
    mantissa, _, exponent = js_numbers.number_text(value).partition("e")
    power = (float(exponent) if exponent else 0.0) + places
    try:
        return float(f"{mantissa}e{js_numbers.number_text(power)}")
    except ValueError:  # what JavaScript reads as NaN: a fractional or infinite exponent
        return math.nan


def _math_round(value: float) -> float:
    """JavaScript's Math.round: the nearest integer, halves up."""
    if not math.isfinite(value):
        return value
    whole = float(math.floor(value))
    return whole + 1 if value - whole >= 0.5 else whole


def round_(number: Any, precision: Any) -> Any:
    """jsonata's `$round`: half to even, the point moved in the number's text."""
    if number is None:
        return None
    value = double(number)
    shift = bool(precision) and not (isinstance(precision, float) and math.isnan(precision))
    if shift:
        value = _shifted(value, precision)
    rounded = _math_round(value)
    if abs(rounded - value) == 0.5 and abs(math.fmod(rounded, 2)) == 1:
        rounded -= 1
    if shift:
        rounded = _shifted(rounded, -precision)
    return result(rounded + 0.0)  # (+ 0.0: -0 is 0)


_DIGITS: Final = "0123456789abcdefghijklmnopqrstuvwxyz"


def _radix_text(value: float, radix: int) -> str:
    """V8's `Number.prototype.toString(radix)` of an integral double: the digits a double
    holds, then zeros for the places past its precision (`DoubleToRadixCString`)."""
    if radix == 10:
        return js_numbers.number_text(value)
    sign, integer = ("-" if value < 0 else ""), abs(value)
    zeros = 0
    while integer / radix >= js_numbers.MAX_SAFE_INTEGER:
        integer /= radix
        zeros += 1
    digits = []
    while True:
        remainder = math.fmod(integer, radix)
        digits.append(_DIGITS[int(remainder)])
        integer = (integer - remainder) / radix
        if integer <= 0:
            break
    return sign + "".join(reversed(digits)) + "0" * zeros


def format_base(value: Any, radix: Any) -> Any:
    """Both rounded as `$round` rounds (the port truncates the radix), and written as
    JavaScript writes them (`1e+21` in base 10; the port writes every digit)."""
    if value is None:
        return None
    base = 10 if radix is None else round_(radix, None)
    if not 2 <= base <= 36:
        raise error("D3100", base)
    rounded = double(round_(value, None))
    if not math.isfinite(rounded):
        raise error("D1001", value)
    return _radix_text(rounded + 0.0, int(base))
