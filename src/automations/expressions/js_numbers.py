"""Numbers as JavaScript writes them: JSONata's numbers are doubles, and its reference
implementation (jsonata 2.0.6, which Step Functions runs) prints them with JavaScript's rules.

Python and JavaScript agree on the digits (both print the shortest text that reads back as the
same double) but not on where the exponent starts: JavaScript writes 1e16 as
`10000000000000000` and 1e-5 as `0.00001`, Python `1e+16` and `1e-05`. `number_text` is
JavaScript's `Number.prototype.toString`; `as_double` turns a Python int into the value a double
would hold, written as JavaScript writes it (an int again while it prints without an exponent).
"""

from __future__ import annotations

import decimal
import math
from typing import Final

# Integers JSON texts hold exactly both ways; beyond, JavaScript only has the nearest double.
MAX_SAFE_INTEGER: Final = 2**53
# From here on JavaScript writes numbers with an exponent (`1e+21`), as Python's float does.
EXPONENT_FROM: Final = 1e21

_PRECISION_15: Final = decimal.Context(prec=15, rounding=decimal.ROUND_HALF_UP)


def _digits(value: float) -> tuple[str, int]:
    """The shortest digits of a positive finite double and the position `n` of the decimal
    point (value = 0.d1d2... * 10**n), read from Python's repr (the same shortest digits)."""
    mantissa, _, exponent = repr(value).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    return stripped.rstrip("0") or "0", point


def number_text(value: float) -> str:
    """JavaScript's text of a number (ECMAScript Number::toString, radix 10)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"  # -0 too
    sign = "-" if value < 0 else ""
    digits, n = _digits(abs(float(value)))
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return f"{sign}{digits[:n]}.{digits[n:]}"
    if -6 < n <= 0:
        return f"{sign}0.{'0' * -n}{digits}"
    exponent = n - 1
    mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
    return f"{sign}{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"


def precision_15(value: float) -> float:
    """`Number(value.toPrecision(15))`: what JSONata's `$string` rounds a number to."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(_PRECISION_15.plus(decimal.Decimal(value)))


def as_double(value: int) -> int | float:
    """An int as a double holds it: the same int when it is safe, else the double's value as
    JavaScript writes it (an int below 1e21, a float from there on, as both languages then
    print an exponent). Raises OverflowError beyond the range of a double."""
    if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        return value
    return integral_double(float(value))


def integral_double(value: float) -> int | float:
    """An integral double as the engine keeps it: an int with JavaScript's digits while
    JavaScript writes it without an exponent (below 1e21), else the float itself."""
    if abs(value) < MAX_SAFE_INTEGER:
        return int(value)
    if abs(value) < EXPONENT_FROM:
        return int(number_text(value))
    return value
