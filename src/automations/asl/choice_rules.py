"""Choice rules of the JSONPath query language: And / Or / Not and every comparison operator.

Operators are rows of tables, not branches of an if-chain. A comparison is false when the
variable has the wrong JSON type (NumericEquals on a string is simply false, as on AWS); a
`...Path` operator reads its right-hand side from the input like the variable.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from automations.asl.run import StateRun
from automations.asl.timestamps import parse_timestamp
from automations.expressions import JsonPathNotFound, compile_path

Compare = Callable[[Any, Any], bool]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _strings(op: Callable[[Any, Any], Any]) -> Compare:
    return lambda a, b: isinstance(a, str) and isinstance(b, str) and bool(op(a, b))


def _numbers(op: Callable[[Any, Any], Any]) -> Compare:
    return lambda a, b: _is_number(a) and _is_number(b) and bool(op(a, b))


def _timestamps(op: Callable[[Any, Any], Any]) -> Compare:
    def compare(a: Any, b: Any) -> bool:
        left = parse_timestamp(a) if isinstance(a, str) else None
        right = parse_timestamp(b) if isinstance(b, str) else None
        return left is not None and right is not None and bool(op(left, right))

    return compare


def _booleans(a: Any, b: Any) -> bool:
    return isinstance(a, bool) and isinstance(b, bool) and a == b


@lru_cache(maxsize=1024)
def _glob(pattern: str) -> re.Pattern[str]:
    """StringMatches patterns: `*` matches anything, `\\*` a star, `\\\\` a backslash."""
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        parts.append(".*" if char == "*" else re.escape(char))
        i += 1
    return re.compile("".join(parts), re.DOTALL)


def _matches(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and _glob(b).fullmatch(a) is not None


_BASE: dict[str, Compare] = {
    "StringEquals": _strings(operator.eq),
    "StringLessThan": _strings(operator.lt),
    "StringGreaterThan": _strings(operator.gt),
    "StringLessThanEquals": _strings(operator.le),
    "StringGreaterThanEquals": _strings(operator.ge),
    "NumericEquals": _numbers(operator.eq),
    "NumericLessThan": _numbers(operator.lt),
    "NumericGreaterThan": _numbers(operator.gt),
    "NumericLessThanEquals": _numbers(operator.le),
    "NumericGreaterThanEquals": _numbers(operator.ge),
    "BooleanEquals": _booleans,
    "TimestampEquals": _timestamps(operator.eq),
    "TimestampLessThan": _timestamps(operator.lt),
    "TimestampGreaterThan": _timestamps(operator.gt),
    "TimestampLessThanEquals": _timestamps(operator.le),
    "TimestampGreaterThanEquals": _timestamps(operator.ge),
}
# Every comparison also exists as `<Name>Path` (StringMatches has no Path form).
COMPARISONS: dict[str, Compare] = {**_BASE, "StringMatches": _matches}
PATH_COMPARISONS: dict[str, Compare] = {f"{name}Path": compare for name, compare in _BASE.items()}

# Type tests: (variable present?, value) -> bool. The operand (true/false) says which answer wins.
TESTS: dict[str, Callable[[bool, Any], bool]] = {
    "IsPresent": lambda present, _v: present,
    "IsNull": lambda present, v: present and v is None,
    "IsNumeric": lambda present, v: present and _is_number(v),
    "IsString": lambda present, v: present and isinstance(v, str),
    "IsBoolean": lambda present, v: present and isinstance(v, bool),
    "IsTimestamp": lambda present, v: (
        present and isinstance(v, str) and parse_timestamp(v) is not None
    ),
}

_MISSING = object()


def rule_matches(run: StateRun, rule: Mapping[str, Any], value: Any, context: Any) -> bool:
    """Evaluate one choice rule (possibly compound) against the state's effective input."""
    combinator = _COMBINATORS.get(next((k for k in rule if k in _COMBINATORS), ""))
    if combinator is not None:
        return combinator(run, rule, value, context)
    variable = rule.get("Variable")
    found = _read(run, variable, value, context)
    for key, operand in rule.items():
        test = TESTS.get(key)
        if test is not None:
            return test(found is not _MISSING, found) == bool(operand)
        compare = COMPARISONS.get(key)
        if compare is None and key in PATH_COMPARISONS:
            compare = PATH_COMPARISONS[key]
            operand = _read(run, operand, value, context)
            if operand is _MISSING:
                raise run.runtime_error(
                    f"Invalid path '{rule[key]}': The choice state's condition path references "
                    "an invalid value."
                )
        if compare is not None:
            if found is _MISSING:
                raise run.runtime_error(
                    f"Invalid path '{variable}': The choice state's condition path references "
                    "an invalid value."
                )
            return compare(found, operand)
    raise run.runtime_error("The choice rule has no comparison operator.")


def _read(run: StateRun, path: Any, value: Any, context: Any) -> Any:
    if not isinstance(path, str):
        return _MISSING
    try:
        return compile_path(path).evaluate(value, context, run.variables())
    except JsonPathNotFound:
        return _MISSING


def _and(run: StateRun, rule: Mapping[str, Any], value: Any, context: Any) -> bool:
    return all(rule_matches(run, sub, value, context) for sub in rule["And"])


def _or(run: StateRun, rule: Mapping[str, Any], value: Any, context: Any) -> bool:
    return any(rule_matches(run, sub, value, context) for sub in rule["Or"])


def _not(run: StateRun, rule: Mapping[str, Any], value: Any, context: Any) -> bool:
    return not rule_matches(run, rule["Not"], value, context)


_COMBINATORS: dict[str, Callable[[StateRun, Mapping[str, Any], Any, Any], bool]] = {
    "And": _and,
    "Or": _or,
    "Not": _not,
}
