"""The JSONata functions Step Functions adds: $partition, $range, $hash, $random, $uuid, $parse.

Each is registered on every compiled expression (see `jsonata_expr`). Where AWS's behaviour is
visible in the conformance corpus we follow it: `$range` returns a JSONata *sequence*, so a
one-element range collapses to its item (`$range(1, 9, 9)` is `1` on AWS), while `$partition`
returns a plain array (`$partition([0], 1)` stays `[[0]]`).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import uuid
from collections.abc import Callable
from typing import Any

from jsonata import jexception, utils

# The same ceiling AWS puts on States.ArrayRange.
MAX_RANGE_ITEMS = 1000

HASH_ALGORITHMS: dict[str, Callable[[bytes], Any]] = {
    "MD5": hashlib.md5,
    "SHA-1": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}


class SfnFunctionError(jexception.JException):  # type: ignore[misc]
    """Raised inside JSONata when a Step Functions function gets arguments it cannot use."""

    def __init__(self, function: str, message: str) -> None:
        super().__init__("SFN", -1)
        self.args = (f"{function}: {message}",)


def _integer(function: str, name: str, value: Any) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not float(value).is_integer()
    ):
        raise SfnFunctionError(function, f"{name} must be an integer, got {value!r}")
    return int(value)


def partition(array: Any = None, size: Any = None) -> Any:
    if not isinstance(array, list):
        raise SfnFunctionError("$partition", "the first argument must be an array")
    chunk = _integer("$partition", "the chunk size", size)
    if chunk <= 0:
        raise SfnFunctionError("$partition", "the chunk size must be greater than 0")
    return [list(array[i : i + chunk]) for i in range(0, len(array), chunk)]


def range_(start: Any = None, end: Any = None, step: Any = 1) -> Any:
    first = _integer("$range", "start", start)
    last = _integer("$range", "end", end)
    stride = _integer("$range", "step", step)
    if stride == 0:
        raise SfnFunctionError("$range", "step must not be 0")
    sequence = utils.Utils.create_sequence()
    value = float(first)  # stepped in doubles, as JavaScript counts (past 2**53 too)
    while value <= last if stride > 0 else value >= last:
        if len(sequence) == MAX_RANGE_ITEMS:  # (stopped before any item past the limit)
            raise SfnFunctionError("$range", f"the range has more than {MAX_RANGE_ITEMS} items")
        sequence.append(utils.Utils.convert_number(value))
        value += stride
    return sequence


def hash_(data: Any = None, algorithm: Any = None) -> Any:
    if not isinstance(data, str):
        raise SfnFunctionError("$hash", "the data to hash must be a string")
    digest = HASH_ALGORITHMS.get(algorithm) if isinstance(algorithm, str) else None
    if digest is None:
        names = ", ".join(HASH_ALGORITHMS)
        raise SfnFunctionError("$hash", f"the algorithm must be one of {names}")
    return digest(data.encode("utf-8")).hexdigest()


def random_(seed: Any = None) -> Any:
    if seed is None:
        return random.random()  # noqa: S311 - not for security, like JSONata's own $random
    if isinstance(seed, bool) or not isinstance(seed, int | float) or math.isnan(seed):
        raise SfnFunctionError("$random", "the seed must be a number")
    return random.Random(seed).random()  # noqa: S311 - a seeded value must be reproducible


def uuid_() -> Any:
    return str(uuid.uuid4())


def parse(text: Any = None) -> Any:
    if not isinstance(text, str):
        raise SfnFunctionError("$parse", "the argument must be a string")
    try:
        value = json.loads(text, parse_constant=_not_json)
    except ValueError as err:
        raise SfnFunctionError("$parse", f"the argument is not JSON: {err}") from None
    return utils.Utils.NULL_VALUE if value is None else value


def _not_json(token: str) -> Any:
    raise ValueError(f"{token} is not a JSON number")


# name (without `$`) -> implementation; `jsonata_expr` registers every row on each expression.
SFN_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "partition": partition,
    "range": range_,
    "hash": hash_,
    "random": random_,
    "uuid": uuid_,
    "parse": parse,
}
