"""`Math.pow` as Node's V8 computes it: fdlibm's `__ieee754_pow` (V8's `ieee754::legacy::pow`).

Python's `math.pow` is the C library's, correctly rounded in practice; fdlibm's is "nearly
rounded" and differs in the last digit now and then (`5 ** -5` is 0.00031999999999999997 in
JavaScript, 0.00032 in Python). jsonata's `$power` and `$formatNumber`'s powers of ten come from
`Math.pow`, so the engine computes them the same way: the same steps on the same doubles, with
the double's two 32-bit halves read and written as fdlibm does.
"""

from __future__ import annotations

import math
import struct
from typing import Final

_BP: Final = (1.0, 1.5)
_DP_H: Final = (0.0, 5.84962487220764160156e-01)
_DP_L: Final = (0.0, 1.35003920212974897128e-08)
_TWO53: Final = 9007199254740992.0
_HUGE: Final = 1.0e300
_TINY: Final = 1.0e-300
_L: Final = (
    5.99999999999994648725e-01,
    4.28571428578550184252e-01,
    3.33333329818377432918e-01,
    2.72728123808534006489e-01,
    2.30660745775561754067e-01,
    2.06975017800338417784e-01,
)
_P: Final = (
    1.66666666666666019037e-01,
    -2.77777777770155933842e-03,
    6.61375632143793436117e-05,
    -1.65339022054652515390e-06,
    4.13813679705723846039e-08,
)
_LG2: Final = 6.93147180559945286227e-01
_LG2_H: Final = 6.93147182464599609375e-01
_LG2_L: Final = -1.90465429995776804525e-09
_OVT: Final = 8.0085662595372944372e-17
_CP: Final = 9.61796693925975554329e-01
_CP_H: Final = 9.61796700954437255859e-01
_CP_L: Final = -7.02846165095275826516e-09
_IVLN2: Final = 1.44269504088896338700e00
_IVLN2_H: Final = 1.44269502162933349609e00
_IVLN2_L: Final = 1.92596299112661746887e-08


def _words(value: float) -> tuple[int, int]:
    """The high half (signed, as fdlibm's `int`) and the low half (unsigned) of a double."""
    high, low = struct.unpack(">iI", struct.pack(">d", value))
    return int(high), int(low)


def _double(high: int, low: int) -> float:
    packed = struct.pack(">II", high & 0xFFFFFFFF, low & 0xFFFFFFFF)
    return float(struct.unpack(">d", packed)[0])


def _without_low(value: float) -> float:
    return _double(_words(value)[0], 0)


def _divide(a: float, b: float) -> float:
    """IEEE division (Python raises for a zero divisor)."""
    if b != 0:
        return a / b
    if a == 0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _odd_even(hy: int, ly: int) -> int:
    """For a negative x: 0 when y is no integer, 1 when an odd one, 2 when an even one."""
    iy = hy & 0x7FFFFFFF
    if iy >= 0x43400000:
        return 2
    if iy < 0x3FF00000:
        return 0
    k = (iy >> 20) - 0x3FF
    if k > 20:
        j = ly >> (52 - k)
        return 2 - (j & 1) if ((j << (52 - k)) & 0xFFFFFFFF) == ly else 0
    if ly == 0:
        j = iy >> (20 - k)
        return 2 - (j & 1) if (j << (20 - k)) == iy else 0
    return 0


def _special(x: float, y: float) -> float | None:
    """The answers fdlibm gives before computing anything, or None."""
    hx, lx = _words(x)
    hy, ly = _words(y)
    ix, iy = hx & 0x7FFFFFFF, hy & 0x7FFFFFFF
    if iy | ly == 0:
        return 1.0
    if math.isnan(x) or math.isnan(y):
        return math.nan
    parity = _odd_even(hy, ly) if hx < 0 else 0
    if ly == 0:
        if iy == 0x7FF00000:  # y is infinite
            if (ix - 0x3FF00000) | lx == 0:
                return math.nan  # (JavaScript: 1 ** Infinity is NaN)
            if ix >= 0x3FF00000:
                return y if hy >= 0 else 0.0
            return -y if hy < 0 else 0.0
        if iy == 0x3FF00000:
            return _divide(1.0, x) if hy < 0 else x
        if hy == 0x40000000:
            return x * x
        if hy == 0x3FE00000 and hx >= 0:
            return math.sqrt(x)
    if lx == 0 and ix in (0x7FF00000, 0, 0x3FF00000):  # x is ±0, ±inf or ±1
        z = abs(x)
        if hy < 0:
            z = _divide(1.0, z)
        if hx < 0:
            if (ix - 0x3FF00000) | parity == 0:
                return math.nan
            if parity == 1:
                return -z
        return z
    if hx < 0 and parity == 0:
        return math.nan  # a negative number to a fractional power
    return None


def _log2_near_one(ax: float) -> tuple[float, float]:
    """log2(ax) as t1 + t2 for |1 - ax| at most 2**-20 (y is huge there)."""
    t = ax - 1.0
    w = (t * t) * (0.5 - t * (0.3333333333333333333333 - t * 0.25))
    u = _IVLN2_H * t
    v = t * _IVLN2_L - w * _IVLN2
    t1 = _without_low(u + v)
    return t1, v - (t1 - u)


def _log2(ax: float) -> tuple[float, float]:
    """log2(ax) as t1 + t2, t1 with its low half cleared."""
    n = 0
    ix = _words(ax)[0]
    if ix < 0x00100000:  # subnormal
        ax *= _TWO53
        n -= 53
        ix = _words(ax)[0]
    n += (ix >> 20) - 0x3FF
    j = ix & 0x000FFFFF
    ix = j | 0x3FF00000
    if j <= 0x3988E:
        k = 0
    elif j < 0xBB67A:
        k = 1
    else:
        k = 0
        n += 1
        ix -= 0x00100000
    ax = _double(ix, _words(ax)[1])
    u = ax - _BP[k]
    v = _divide(1.0, ax + _BP[k])
    ss = u * v
    s_h = _without_low(ss)
    t_h = _double(((ix >> 1) | 0x20000000) + 0x00080000 + (k << 18), 0)
    t_l = ax - (t_h - _BP[k])
    s_l = v * ((u - s_h * t_h) - s_h * t_l)
    s2 = ss * ss
    l1, l2, l3, l4, l5, l6 = _L
    r = s2 * s2 * (l1 + s2 * (l2 + s2 * (l3 + s2 * (l4 + s2 * (l5 + s2 * l6)))))
    r += s_l * (s_h + ss)
    s2 = s_h * s_h
    t_h = _without_low(3.0 + s2 + r)
    t_l = r - ((t_h - 3.0) - s2)
    u = s_h * t_h
    v = s_l * t_h + t_l * ss
    p_h = _without_low(u + v)
    p_l = v - (p_h - u)
    z_h = _CP_H * p_h
    z_l = _CP_L * p_h + p_l * _CP + _DP_L[k]
    t = float(n)
    t1 = _without_low(((z_h + z_l) + _DP_H[k]) + t)
    return t1, z_l - (((t1 - t) - _DP_H[k]) - z_h)


def _exp2(p_h: float, p_l: float, j: int, sign: float) -> float:
    """2 ** (p_h + p_l), z = p_h + p_l having the high half j."""
    i = j & 0x7FFFFFFF
    k = (i >> 20) - 0x3FF
    n = 0
    if i > 0x3FE00000:  # |z| > 0.5: n is the nearest integer
        n = j + (0x00100000 >> (k + 1))
        k = ((n & 0x7FFFFFFF) >> 20) - 0x3FF
        t = _double(n & ~(0x000FFFFF >> k), 0)
        n = ((n & 0x000FFFFF) | 0x00100000) >> (20 - k)
        if j < 0:
            n = -n
        p_h -= t
    t = _without_low(p_l + p_h)
    u = t * _LG2_H
    v = (p_l - (t - p_h)) * _LG2 + t * _LG2_L
    z = u + v
    w = v - (z - u)
    t = z * z
    p1, p2, p3, p4, p5 = _P
    t1 = z - t * (p1 + t * (p2 + t * (p3 + t * (p4 + t * p5))))
    r = _divide(z * t1, (t1 - 2.0) - (w + z * w))
    z = 1.0 - (r - z)
    high, low = _words(z)
    high += n << 20
    if high >> 20 <= 0:
        return sign * math.ldexp(z, n)  # a subnormal result
    return sign * _double(high, low)


def pow(x: float, y: float) -> float:
    """`Math.pow(x, y)` in Node (V8 11)."""
    special = _special(x, y)
    if special is not None:
        return special
    hx = _words(x)[0]
    hy, _ = _words(y)
    ix, iy = hx & 0x7FFFFFFF, hy & 0x7FFFFFFF
    sign = -1.0 if hx < 0 and _odd_even(*_words(y)) == 1 else 1.0
    ax = abs(x)
    if iy > 0x41E00000:  # |y| > 2**31
        if iy > 0x43F00000:  # |y| > 2**64: over- or underflows
            if ix <= 0x3FEFFFFF:
                return math.inf if hy < 0 else 0.0
            if ix >= 0x3FF00000:
                return math.inf if hy > 0 else 0.0
        if ix < 0x3FEFFFFF:
            return sign * (math.inf if hy < 0 else 0.0)
        if ix > 0x3FF00000:
            return sign * (math.inf if hy > 0 else 0.0)
        t1, t2 = _log2_near_one(ax)
    else:
        t1, t2 = _log2(ax)
    y1 = _without_low(y)
    p_l = (y - y1) * t1 + y * t2
    p_h = y1 * t1
    z = p_l + p_h
    j, i = _words(z)
    if j >= 0x40900000:  # z >= 1024
        if (j - 0x40900000) | i != 0 or p_l + _OVT > z - p_h:
            return sign * math.inf
    elif (j & 0x7FFFFFFF) >= 0x4090CC00 and (  # z <= -1075
        (j & 0xFFFFFFFF) != 0xC090CC00 or i != 0 or p_l <= z - p_h
    ):
        return sign * 0.0
    return _exp2(p_h, p_l, j, sign)
