"""`$formatNumber` as jsonata 2.0.6 has it (its `formatNumber`, step by step).

jsonata-python took its `format-number` from elementpath, another algorithm: it rounds the
double's exact binary value half up and finds exponents in decimals, where jsonata rounds half
to even on the number's shortest digits (`$round`), finds exponents by multiplying doubles and
writes digits with `toFixed`. The pictures are read as JavaScript reads them, in UTF-16 code
units, with jsonata's own quirks kept (a picture without a decimal separator takes its suffix as
the fractional part, the last check that fails names the error).

Where jsonata never answers, the engine answers instead (docs/parity.md): a picture with an
exponent for a number below or at zero (its exponent loop does not end) and a sub-picture
without one active character (it fails with a JavaScript TypeError; the engine with D3085).
Numbers from 1e21 on are written with their digits, where `toFixed` gives `1e+21`.
"""

from __future__ import annotations

import decimal
import math
from dataclasses import dataclass
from typing import Any, Final

from jsonata.functions import Functions

from automations.expressions import js_pow
from automations.expressions.js_math import double, round_
from automations.expressions.js_text import HostError, error, utf16

_DEFAULTS: Final = {
    "decimal-separator": ".",
    "grouping-separator": ",",
    "exponent-separator": "e",
    "infinity": "Infinity",
    "minus-sign": "-",
    "NaN": "NaN",
    "percent": "%",
    "per-mille": "\u2030",
    "zero-digit": "0",
    "digit": "#",
    "pattern-separator": ";",
}
_EXACT: Final = decimal.Context(prec=1200)  # (every digit of a double, and 100 places more)
_TO_FIXED_FROM: Final = 1e21  # where `toFixed` writes the exponent form instead
_FORMAT_NUMBER: Final = Functions.format_number


def _units(text: str) -> str:
    """The text with each UTF-16 code unit as one character (astral ones as two surrogates),
    so that Python's indexes are JavaScript's."""
    raw = utf16(text)
    return "".join(chr(int.from_bytes(raw[i : i + 2])) for i in range(0, len(raw), 2))


def _text(units: str) -> str:
    """Back from code units: the surrogates that stand in pairs make their character again."""
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _char_at(text: str, index: int) -> str:
    return text[index] if 0 <= index < len(text) else ""


def _slice(text: str, start: int) -> tuple[str, str]:
    """`text.slice(0, start)` and `text.slice(start)`: a negative start counts from the end."""
    at = max(len(text) + start, 0) if start < 0 else start
    return text[:at], text[at:]


def _pow10(exponent: int) -> float:
    return js_pow.pow(10.0, float(exponent))  # (`Math.pow`: 10**23 is not 1e23 there)


@dataclass
class _Parts:
    """A sub-picture cut up (jsonata's `splitParts`)."""

    subpicture: str
    prefix: str
    suffix: str
    active: str
    mantissa: str
    exponent: str | None
    integer: str
    fraction: str


@dataclass
class _Pic:
    """A sub-picture analysed (jsonata's `analyse`)."""

    picture: str
    prefix: str
    suffix: str
    integer_groups: list[int]
    regular: int
    fraction_groups: list[int]
    min_integer: int
    scaling: int
    min_fraction: int
    max_fraction: int
    min_exponent: int


class _Picture:
    """The properties and digit family the picture is read with."""

    def __init__(self, options: dict[str, str]) -> None:
        self.p = {**_DEFAULTS, **options}
        zero = self.p["zero-digit"]
        self.family = [chr((ord(zero[0]) + i) & 0xFFFF) for i in range(10)] if zero else []
        self.active = [*self.family, *(self.p[k] for k in _ACTIVE)]

    def is_active(self, char: str) -> bool:
        return char in self.active and char != self.p["exponent-separator"]

    def digits(self, text: str, optional: bool = False) -> int:
        digit = self.p["digit"]
        return sum(1 for c in text if c in self.family or (optional and c == digit))

    def parts(self, sub: str) -> _Parts:
        starts = [i for i, char in enumerate(sub) if self.is_active(char)]
        if not starts:  # (jsonata: TypeError, reading the length of undefined)
            raise error("D3085")
        prefix, suffix = sub[: starts[0]], sub[starts[-1] + 1 :]
        active = sub[len(prefix) : len(sub) - len(suffix)]
        at = sub.find(self.p["exponent-separator"], len(prefix))
        exponent: str | None = None
        mantissa = active
        if not (at == -1 or at > len(sub) - len(suffix)):
            mantissa, exponent = active[:at], active[at + 1 :]  # (sub's index, active's text)
        point = mantissa.find(self.p["decimal-separator"])
        if point == -1:
            integer, fraction = mantissa, suffix
        else:
            integer, fraction = mantissa[:point], mantissa[point + 1 :]
        return _Parts(sub, prefix, suffix, active, mantissa, exponent, integer, fraction)

    def check(self, parts: _Parts) -> None:
        """jsonata's `validate`: every rule is checked, the last one broken is the error."""
        p, sub, found = self.p, parts.subpicture, ""
        point, group = p["decimal-separator"], p["grouping-separator"]
        percent, per_mille, digit = p["percent"], p["per-mille"], p["digit"]
        if sub.find(point) != sub.rfind(point):
            found = "D3081"
        if sub.find(percent) != sub.rfind(percent):
            found = "D3082"
        if sub.find(per_mille) != sub.rfind(per_mille):
            found = "D3083"
        if percent in sub and per_mille in sub:
            found = "D3084"
        if not any(c in self.family or c == digit for c in parts.mantissa):
            found = "D3085"
        if any(c not in self.active for c in parts.active):
            found = "D3086"
        at = sub.find(point)
        if at != -1:
            if group in (_char_at(sub, at - 1), _char_at(sub, at + 1)):
                found = "D3087"
        elif _char_at(parts.integer, len(parts.integer) - 1) == group:
            found = "D3088"
        if group + group in sub:
            found = "D3089"
        at = parts.integer.find(digit)
        if at != -1 and self.digits(parts.integer[:at]):
            found = "D3090"
        at = parts.fraction.rfind(digit)
        if at != -1 and self.digits(parts.fraction[at:]):
            found = "D3091"
        exponent = parts.exponent
        if exponent and (percent in sub or per_mille in sub):
            found = "D3092"
        if exponent is not None and (not exponent or self.digits(exponent) < len(exponent)):
            found = "D3093"
        if found:
            raise error(found)

    def groups(self, part: str, integer: str, to_left: bool) -> list[int]:
        """The grouping positions (jsonata looks for each next one in the integer part)."""
        positions, separator = [], self.p["grouping-separator"]
        at = part.find(separator)
        while at != -1:
            side = part[:at] if to_left else part[at:]
            positions.append(self.digits(side, optional=True))
            at = integer.find(separator, at + 1)
        return positions

    def analyse(self, parts: _Parts) -> _Pic:
        integer_groups = self.groups(parts.integer, parts.integer, False)
        min_integer = self.digits(parts.integer)
        scaling = min_integer
        min_fraction = self.digits(parts.fraction)
        max_fraction = self.digits(parts.fraction, optional=True)
        has_exponent = parts.exponent is not None
        if min_integer == 0 and max_fraction == 0:
            if has_exponent:
                min_fraction = max_fraction = 1
            else:
                min_integer = 1
        if has_exponent and min_integer == 0 and self.p["digit"] in parts.integer:
            min_integer = 1
        if min_integer == 0 and min_fraction == 0:
            min_fraction = 1
        return _Pic(
            picture=parts.subpicture,
            prefix=parts.prefix,
            suffix=parts.suffix,
            integer_groups=integer_groups,
            regular=_regular(integer_groups),
            fraction_groups=self.groups(parts.fraction, parts.integer, True),
            min_integer=min_integer,
            scaling=scaling,
            min_fraction=min_fraction,
            max_fraction=max_fraction,
            min_exponent=0 if parts.exponent is None else self.digits(parts.exponent),
        )


_ACTIVE: Final = (
    "decimal-separator",
    "exponent-separator",
    "grouping-separator",
    "digit",
    "pattern-separator",
)


def _regular(positions: list[int]) -> int:
    if not positions:
        return 0
    factor = positions[0]
    for position in positions[1:]:
        factor = math.gcd(factor, position)
    if any(index * factor not in positions for index in range(1, len(positions) + 1)):
        return 0
    return factor


def _to_fixed(value: float, places: int) -> str:
    """`Math.abs(value).toFixed(places)`: the double's exact value rounded half up; from 1e21
    on the digits of the double (where JavaScript writes `1e+21`, docs/parity.md)."""
    if places > 100:
        raise HostError(f"$formatNumber: {places} fractional digits (at most 100)")
    exact = decimal.Decimal(abs(value))
    if abs(value) < _TO_FIXED_FROM:
        exact = exact.quantize(decimal.Decimal(1).scaleb(-places), decimal.ROUND_HALF_UP, _EXACT)
    return f"{exact:.{places}f}"


def _exponent(pic: _Pic, number: float) -> tuple[float, int | None]:
    """jsonata's bullet 5: the mantissa and the exponent (None without one). jsonata loops
    forever from zero down; the engine scales the size of the number."""
    if pic.min_exponent == 0:
        return number, None
    largest, smallest = _pow10(pic.scaling), _pow10(pic.scaling - 1)
    mantissa, exponent = abs(number), 0
    if mantissa == 0:
        return number, 0
    while mantissa < smallest:
        mantissa *= 10
        exponent -= 1
    while mantissa > largest:
        mantissa /= 10
        exponent += 1
    return math.copysign(mantissa, number), exponent


class _Writer:
    def __init__(self, picture: _Picture, pic: _Pic) -> None:
        self.p, self.family, self.pic = picture.p, picture.family, pic

    def digits(self, value: float, places: int) -> str:
        text = _to_fixed(value, places)
        if self.p["zero-digit"] != "0":
            text = "".join(self.family[ord(c) - 48] if "0" <= c <= "9" else c for c in text)
        return text

    def mantissa(self, rounded: float) -> str:
        p, pic = self.p, self.pic
        zero, point, group = p["zero-digit"], p["decimal-separator"], p["grouping-separator"]
        text = self.digits(rounded, pic.max_fraction)
        text = text + point if "." not in text else text.replace(".", point, 1)
        while text and text[0] == zero:
            text = text[1:]
        while text and text[-1] == zero:
            text = text[:-1]
        at = text.find(point)
        left, right = pic.min_integer - at, pic.min_fraction - (len(text) - at - 1)
        text = zero * left + text + zero * right
        at = text.find(point)
        if pic.regular > 0:
            for n in range(1, math.floor((at - 1) / pic.regular) + 1):
                head, tail = _slice(text, at - n * pic.regular)
                text = head + group + tail
        else:
            for position in pic.integer_groups:
                head, tail = _slice(text, at - position)
                text, at = head + group + tail, at + 1
        at = text.find(point)
        for position in pic.fraction_groups:
            head, tail = _slice(text, position + at + 1)
            text = head + group + tail
        if point not in pic.picture or text.find(point) == len(text) - 1:
            text = text[:-1]
        return text

    def exponent(self, exponent: int) -> str:
        text = self.digits(exponent, 0)
        text = self.p["zero-digit"] * (self.pic.min_exponent - len(text)) + text
        sign = self.p["minus-sign"] if exponent < 0 else ""
        return self.p["exponent-separator"] + sign + text


def format_number(value: Any, picture: Any, options: Any) -> Any:
    if value is None:
        return None
    if not isinstance(picture, str):
        return _FORMAT_NUMBER(value, picture, options)
    settings = options if isinstance(options, dict) else {}
    if not all(isinstance(item, str) for item in settings.values()):
        return _FORMAT_NUMBER(value, picture, options)  # (the port's error for the option)
    number = double(value)
    if not math.isfinite(number):
        raise error("D1001", value)
    reading = _Picture({key: _units(item) for key, item in settings.items()})
    separator = reading.p["pattern-separator"]
    units = _units(picture)
    subpictures = list(units) if separator == "" else units.split(separator)
    if len(subpictures) > 2:
        raise error("D3080")
    parts = [reading.parts(sub) for sub in subpictures]
    for part in parts:
        reading.check(part)
    pics = [reading.analyse(part) for part in parts]
    if len(pics) == 1:
        negative = _Pic(**vars(pics[0]))
        negative.prefix = reading.p["minus-sign"] + negative.prefix
        pics.append(negative)
    pic = pics[0] if number >= 0 else pics[1]
    if reading.p["percent"] in pic.picture:
        number *= 100
    elif reading.p["per-mille"] in pic.picture:
        number *= 1000
    mantissa, exponent = _exponent(pic, number)
    writer = _Writer(reading, pic)
    text = writer.mantissa(double(round_(mantissa, pic.max_fraction)))
    if exponent is not None:
        text += writer.exponent(exponent)
    return _text(pic.prefix + text + pic.suffix)
