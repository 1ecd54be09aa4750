"""A fast path for the everyday JSONata expressions: the syntax tree compiled to Python closures.

jsonata-python interprets every node through frames and sequences, which costs tens of
microseconds even for `$states.input`. Most expressions in compiled workflows are trivial
(literals, variable paths, `$exists(p) ? p : null`, blocks, comparisons, arithmetic, string
concatenation, object constructors, `$merge`), so `fast_evaluator(text)` compiles such an
expression once into nested closures that evaluate it directly.

Exactness over coverage: a closure handles only values whose result it knows to be the one
jsonata-python returns. Anything else (an array met by a path step, a non-boolean condition,
`&` on a float, arithmetic on a string, a nested `null` inside a path, ...) raises `Unsupported`
and the caller evaluates the expression with the library as before. Syntax outside the subset
gives no closure at all (`fast_evaluator` returns None).

Supported subset:
- literals: strings, numbers, `true`, `false`, `null`
- `$name` (variables bound by the caller or by the block; built-in function names bail out)
- paths `$v.a.b` and `$v[<integer literal>].a` over objects (arrays only via the index)
- `( e1; e2; ... )` blocks and `$x := e` bindings, with JSONata's block scoping
- `c ? a : b` and `c ? a` with a boolean condition
- `and`, `or` on booleans; `$not(boolean)`
- `=`, `!=` on scalars; `<`, `<=`, `>`, `>=` on two numbers or two strings
- `+ - * /` and unary `-` on numbers (results converted like the library does)
- `&` on strings and integers below 1e15 (undefined reads as "")
- `{ "key": e, ... }` with literal string keys (undefined values dropped)
- `[ e, ... ]` with scalar / object items (undefined items dropped)
- `$exists(e)`, `$string(string | small integer)`, `$merge([objects])`

Values in the environment are plain JSON values (`None` is null); results are passed through
`to_json` like the library's, so int/float and null/UNDEFINED come out identical.

The switch: `AUTOMATIONS_JSONATA_FAST=0` turns the fast path off (read once, at import, into
`ENABLED`); the interpreter then evaluates every expression with jsonata-python and walks every
state field as it comes (no closures, no per-state plans). Unset or `1`: on.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Final

from jsonata import jsonata, parser
from jsonata.functions import Functions
from jsonata.utils import Utils

from automations.errors import SettingsInvalid
from automations.expressions.errors import Unsupported
from automations.expressions.js_text import utf16
from automations.expressions.jsonata_expr import UNDEFINED, compile_jsonata, to_json
from automations.expressions.sfn_functions import SFN_FUNCTIONS

SWITCH: Final = "AUTOMATIONS_JSONATA_FAST"


def switched_on(environ: Mapping[str, str]) -> bool:
    """Whether `environ` leaves the fast path on (`AUTOMATIONS_JSONATA_FAST` unset, empty or 1).

    Raises SettingsInvalid for any value but 0 and 1, rather than guessing what it means.
    """
    value = environ.get(SWITCH, "").strip()
    if value not in ("", "0", "1"):
        raise SettingsInvalid(
            f"{SWITCH}: {value!r} is not 0 (every expression through jsonata-python) "
            "or 1 (the fast path, the default)"
        )
    return value != "0"


# The one reading of the switch. The interpreter looks at it when it first meets an expression
# text or a state's field, never per evaluation.
ENABLED: bool = switched_on(os.environ)

Env = dict[str, Any]
Closure = Callable[[Env], Any]

_Symbol = parser.Parser.Symbol


class _NotInSubset(Exception):
    """Raised while compiling when the syntax tree uses something outside the subset."""


_UNSUPPORTED: Final = Unsupported()

# Names the library resolves to functions when no variable shadows them.
_FUNCTION_NAMES: Final = frozenset(
    {*jsonata.Jsonata.static_frame.bindings, *SFN_FUNCTIONS, "millis", "now"}
)

# Node attributes that change evaluation in ways the subset does not model.
_FORBIDDEN_ATTRS: Final = (
    "keep_array",
    "seeking_parent",
    "stages",
    "tuple",
    "group",
    "focus",
    "index",
    "ancestor",
    "thunk",
    "keep_singleton_array",
    "next_function",
)

_MISSING: Final = object()
_JSON_TYPES: Final = frozenset({dict, list, str, int, float, bool, type(None)})
_UNBOUND: Final = object()  # a block variable bound to undefined
_MAX_SAFE_STRING_INT: Final = 10**15
_MAX_DOUBLE: Final = sys.float_info.max


def fast_evaluator(text: str) -> Callable[[Env], Any] | None:
    """The closure evaluating `text` (variables -> JSON value or UNDEFINED), or None.

    The closure raises `Unsupported` when the library has to evaluate instead. Raises
    JsonataSyntaxError when `text` does not parse.
    """
    return _fast_evaluator(text)


@lru_cache(maxsize=4096)
def _fast_evaluator(text: str) -> Callable[[Env], Any] | None:
    ast = compile_jsonata(text)._compiled.ast
    try:
        body = _compile(ast)
    except _NotInSubset:
        return None

    # A binding outside any block binds in the caller's scope: give it a copy to write into.
    scoped = getattr(ast, "type", None) == "block" or ":=" not in text

    def evaluate(env: Env) -> Any:
        result = body(env if scoped else dict(env))
        if type(result) in _PLAIN_TYPES or result is UNDEFINED:  # scalars: clean as they are
            return result
        return result if _is_clean(result) else _clean(result)

    return evaluate


# Values `to_json` returns as they are, whatever their content: JSON's scalars but floats.
_PLAIN_TYPES: Final = frozenset({str, int, bool, type(None)})


def _is_clean(value: Any) -> bool:
    """True when `to_json` would return `value` itself (no integral float, nothing odd)."""
    kind = type(value)
    if kind is dict:
        items: Any = value.values()
    elif kind is list:
        items = value
    else:
        return kind in _PLAIN_TYPES or (kind is float and _is_kept_float(value))
    for item in items:
        kind = type(item)
        if kind in _PLAIN_TYPES:
            continue
        if kind is dict:  # the values of a nested object, here: most hold only plain scalars
            for inner in item.values():
                if type(inner) not in _PLAIN_TYPES:
                    break
            else:
                continue
        if (kind is dict or kind is list) and _is_clean(item):
            continue
        if kind is float and _is_kept_float(item):
            continue
        return False
    return True


def _is_kept_float(value: float) -> bool:
    """A float `to_json` returns unchanged (finite, and not an integer it would turn to int)."""
    return math.isfinite(value) and not (value.is_integer() and abs(value) < 2**53)


def _clean(value: Any) -> Any:
    """`to_json` for plain JSON values, faster: integral floats become ints, the rest is kept.

    Returns `value` itself when nothing changes, as `to_json` does.
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        out: dict[str, Any] = {}
        changed = False
        for key, item in value.items():
            clean = _clean(item)
            changed = changed or clean is not item
            out[key] = clean
        return out if changed else value
    if kind is list:
        items = [_clean(item) for item in value]
        for a, b in zip(items, value, strict=True):
            if a is not b:
                return items
        return value
    if kind is float and math.isfinite(value):
        return to_json(value)
    raise _UNSUPPORTED  # anything else: the library reports it its own way


def _check_plain(node: Any, allow: str = "") -> None:
    for attr in _FORBIDDEN_ATTRS:
        if attr != allow and getattr(node, attr, None):
            raise _NotInSubset


def _compile(node: Any) -> Closure:
    if not isinstance(node, _Symbol):
        raise _NotInSubset
    _check_plain(node)
    kind = getattr(node, "type", None)
    predicate = getattr(node, "predicate", None)
    if predicate and kind != "variable":
        raise _NotInSubset
    compiler = _COMPILERS.get(str(kind))
    if compiler is None:
        raise _NotInSubset
    return compiler(node)


# --- literals and variables ------------------------------------------------------------------


def _compile_literal(node: Any) -> Closure:
    value = node.value
    if value is not None and not isinstance(value, str | int | float | bool):
        raise _NotInSubset
    if isinstance(value, float) and not math.isfinite(value):
        raise _NotInSubset
    return lambda env: value


def _lookup(name: str) -> Closure:
    if name in ("", "$"):
        raise _NotInSubset

    def lookup(env: Env) -> Any:
        value = env.get(name, _MISSING)
        if type(value) in _JSON_TYPES:  # what variables hold: no sentinel, no function
            return value
        if value is _MISSING:
            if name in _FUNCTION_NAMES:
                raise _UNSUPPORTED
            return UNDEFINED
        if value is _UNBOUND:
            return UNDEFINED
        if value is UNDEFINED or callable(value):
            raise _UNSUPPORTED
        return value

    return lookup


def _compile_variable(node: Any) -> Closure:
    lookup = _lookup(str(node.value))
    predicate = getattr(node, "predicate", None)
    if not predicate:
        return lookup
    index = _literal_index(predicate)

    def indexed(env: Env) -> Any:
        return _at(lookup(env), index)

    return indexed


def _variable_key(node: Any) -> tuple[str, int | None]:
    """What a variable node compiled by `_compile_variable` reads: its name and `[index]`."""
    predicate = getattr(node, "predicate", None)
    return str(node.value), _literal_index(predicate) if predicate else None


def _literal_index(predicate: Any) -> int:
    if not isinstance(predicate, list) or len(predicate) != 1:
        raise _NotInSubset
    only = predicate[0]
    if getattr(only, "type", None) != "filter":
        raise _NotInSubset
    _check_plain(only)
    expr = getattr(only, "expr", None)
    if not isinstance(expr, _Symbol) or expr.type != "number":
        raise _NotInSubset
    _check_plain(expr)
    if getattr(expr, "predicate", None):
        raise _NotInSubset
    value = expr.value
    if isinstance(value, bool) or not isinstance(value, int):
        raise _NotInSubset
    return value


def _at(value: Any, index: int) -> Any:
    """`value[index]` for an array (counting from the end when negative)."""
    if type(value) is not list:
        raise _UNSUPPORTED
    try:
        return value[index]
    except IndexError:
        return UNDEFINED


def _path_steps(node: Any) -> list[tuple[str, int | None]]:
    """The name steps after a path's leading variable, each with its `[index]` if any."""
    steps = list(node.steps or [])
    if len(steps) < 2 or getattr(steps[0], "type", None) != "variable":
        raise _NotInSubset
    names: list[tuple[str, int | None]] = []
    for step in steps[1:]:
        # A name step's `[n]` is a filter stage (the library's path steps keep them apart).
        if not isinstance(step, _Symbol):
            raise _NotInSubset
        _check_plain(step, allow="stages")
        stages = getattr(step, "stages", None)
        if step.type != "name" or not isinstance(step.value, str) or step.predicate:
            raise _NotInSubset
        names.append((step.value, _literal_index(stages) if stages else None))
    return names


def _compile_path(node: Any) -> Closure:
    names = _path_steps(node)
    head = _checked_step(node.steps[0])
    first = _compile_variable(head)
    if all(index is None for _, index in names):
        plain = tuple(name for name, _ in names)
        if getattr(head, "predicate", None):
            return _plain_path(first, plain)
        return _variable_path(str(head.value), first, plain)

    def path(env: Env) -> Any:
        value = first(env)
        if value is UNDEFINED:
            return UNDEFINED
        if isinstance(value, list):
            raise _UNSUPPORTED
        last = len(names) - 1
        for position, (name, index) in enumerate(names):
            if type(value) is not dict:  # mapping over arrays, or a step into a scalar
                raise _UNSUPPORTED
            value = value.get(name, _MISSING)
            if value is _MISSING:
                return UNDEFINED
            if index is not None:
                value = _at(value, index)
                if value is UNDEFINED:
                    return UNDEFINED
            elif position != last and type(value) is not dict:
                raise _UNSUPPORTED
        # The library returns a final array value as it is (no singleton unwrapping).
        return value

    return path


def _plain_path(first: Closure, names: tuple[str, ...]) -> Closure:
    """`$v.a.b` without indexes (the everyday path): the loop of `path` above without the
    index handling. Every step must meet an object (an array or a scalar: Unsupported)."""

    def path(env: Env) -> Any:
        value = first(env)
        if value is UNDEFINED:
            return UNDEFINED
        return _walk(value, names)

    return path


def _walk(value: Any, names: tuple[str, ...]) -> Any:
    """The steps of a plain path from `value`: every step must meet an object."""
    for name in names:
        if type(value) is not dict:  # mapping over arrays, or a step into a scalar
            raise _UNSUPPORTED
        value = value.get(name, _MISSING)
        if value is _MISSING:
            return UNDEFINED
    # The library returns a final array value as it is (no singleton unwrapping).
    return value


def _variable_path(variable: str, lookup: Closure, names: tuple[str, ...]) -> Closure:
    """`$v.a.b`, the commonest path of all: `_plain_path` with the variable read inline when
    it holds an object (anything else: `lookup`, the variable's closure, says what to do)."""

    def path(env: Env) -> Any:
        value = env.get(variable)
        if type(value) is not dict:
            if lookup(env) is UNDEFINED:
                return UNDEFINED
            raise _UNSUPPORTED  # the first step meets something else than an object
        return _walk(value, names)

    return path


def _read_key(node: Any) -> Any:
    """What a variable or path node reads, comparable between nodes (None for other nodes).

    Only for nodes `_compile` has accepted: two nodes with the same key evaluate alike.
    """
    kind = getattr(node, "type", None)
    if kind == "variable":
        return (_variable_key(node),)
    if kind == "path":
        return (_variable_key(node.steps[0]), *_path_steps(node))
    return None


def _checked_step(step: Any) -> Any:
    if not isinstance(step, _Symbol):
        raise _NotInSubset
    _check_plain(step)
    return step


# --- blocks, bindings, conditions ------------------------------------------------------------


def _compile_block(node: Any) -> Closure:
    items = list(node.expressions or [])
    guarded = _null_guard(items[-2:]) if len(items) >= 2 else None
    if guarded is not None:
        items = items[:-2]
    parts = [_compile(item) for item in items]
    if guarded is not None:
        if not parts:  # the whole block is the guard: it binds nothing the caller could see
            return guarded
        parts.append(guarded)
    if not parts:
        raise _NotInSubset

    def block(env: Env) -> Any:
        local = dict(env)
        result: Any = UNDEFINED
        for part in parts:
            result = part(local)
        return result

    return block


# The compiler's guard on an author's expression, `$__value := e; $exists($__value) ?
# $__value : null` (compiler/jsonata_text.py, `or_null`), closes most compiled outputs: one
# closure evaluates it without binding the name (the block ends there, so nothing reads it).
_GUARD_NAME: Final = "__value"


def _null_guard(items: list[Any]) -> Closure | None:
    """The closure for `[bind, test]` when they are the compiler's null guard, else None."""
    bind, test = items
    if getattr(bind, "type", None) != "bind" or getattr(test, "type", None) != "condition":
        return None
    condition, then = test.condition, test.then
    otherwise = getattr(test, "_else", None)
    if not (_is_guard_name(bind.lhs) and _is_guard_name(then)):
        return None
    if otherwise is None or otherwise.type != "value" or otherwise.value is not None:
        return None
    if not _is_exists_of(condition, then) or not _is_guard_name(condition.arguments[0]):
        return None
    for plain in (bind, test, condition, otherwise):
        _check_plain(plain)
    read = _compile(bind.rhs)

    def or_null(env: Env) -> Any:
        if "exists" in env:  # a variable shadows the built-in function (as in `call`)
            raise _UNSUPPORTED
        value = read(env)
        return None if value is UNDEFINED else value

    return or_null


def _is_guard_name(node: Any) -> bool:
    """Whether `node` is the plain variable `$__value` (no predicate, stages or the like)."""
    if not isinstance(node, _Symbol) or node.type != "variable" or node.value != _GUARD_NAME:
        return False
    return not any(getattr(node, attr, None) for attr in (*_FORBIDDEN_ATTRS, "predicate"))


def _compile_bind(node: Any) -> Closure:
    lhs = node.lhs
    if not isinstance(lhs, _Symbol) or lhs.type != "variable" or getattr(lhs, "predicate", None):
        raise _NotInSubset
    name = str(lhs.value)
    if name in ("", "$"):
        raise _NotInSubset
    rhs = _compile(node.rhs)

    def bind(env: Env) -> Any:
        value = rhs(env)
        # Binding undefined shadows an outer binding: reading the name gives undefined.
        env[name] = _UNBOUND if value is UNDEFINED else value
        return value

    return bind


def _compile_condition(node: Any) -> Closure:
    condition = _compile(node.condition)
    then = _compile(node.then)
    otherwise = _compile(node._else) if getattr(node, "_else", None) is not None else None
    if otherwise is not None and _is_exists_of(node.condition, node.then):
        if node._else.type in _LITERAL_NODES:  # (compiled above: a literal in the subset)
            return _exists_or_literal(then, node._else.value)
        return _exists_or(then, otherwise)

    def choose(env: Env) -> Any:
        test = condition(env)
        if test is True:
            return then(env)
        if test is False:
            return otherwise(env) if otherwise is not None else UNDEFINED
        raise _UNSUPPORTED

    return choose


def _is_exists_of(condition: Any, then: Any) -> bool:
    """Whether `condition` is `$exists(x)` with `x` the same variable or path as `then`."""
    if getattr(condition, "type", None) != "function":
        return False
    if str(condition.procedure.value) != "exists" or len(condition.arguments) != 1:
        return False
    key = _read_key(then)
    return key is not None and key == _read_key(condition.arguments[0])


def _exists_or(read: Closure, otherwise: Closure) -> Closure:
    """`$exists(x) ? x : e`, which compiled workflows write for every variable they pass on:
    `x` is read once (reading a variable or path twice gives the same value)."""

    def exists_or(env: Env) -> Any:
        if "exists" in env:  # a variable shadows the built-in function (as in `call`)
            raise _UNSUPPORTED
        value = read(env)
        return otherwise(env) if value is UNDEFINED else value

    return exists_or


def _exists_or_literal(read: Closure, literal: Any) -> Closure:
    """`$exists(x) ? x : null` (or another literal): `_exists_or` without a call for it."""

    def exists_or_literal(env: Env) -> Any:
        if "exists" in env:  # a variable shadows the built-in function (as in `call`)
            raise _UNSUPPORTED
        value = read(env)
        return literal if value is UNDEFINED else value

    return exists_or_literal


# --- operators -------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return type(value) is int or type(value) is float


def _number_result(value: float) -> Any:
    if not math.isfinite(value):
        raise _UNSUPPORTED
    if value.is_integer():
        return int(value)
    return value


def _add(a: float, b: float) -> float:
    return a + b


def _sub(a: float, b: float) -> float:
    return a - b


def _mul(a: float, b: float) -> float:
    return a * b


def _div(a: float, b: float) -> float:
    if b == 0:
        raise _UNSUPPORTED
    return a / b


_ARITHMETIC: Final = {"+": _add, "-": _sub, "*": _mul, "/": _div}


def _scalar_kind(value: Any) -> int:
    kind = type(value)
    if kind is str:
        return 1
    if kind is int or kind is float:
        return 2
    if kind is bool:
        return 3
    if value is None:
        return 4
    raise _UNSUPPORTED


def _equal(a: Any, b: Any) -> bool:
    kind = _scalar_kind(a)
    if kind != _scalar_kind(b):
        return False
    if kind == 2:
        return float(a) == float(b)
    return bool(a == b)


def _text(value: Any) -> str:
    """`$string(value)` for scalars, undefined as "" (what `&` does)."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is int and -_MAX_SAFE_STRING_INT < value < _MAX_SAFE_STRING_INT:
        return str(value)
    if value is UNDEFINED:
        return ""
    if value is None:
        return "null"
    if kind is bool or kind is int or (kind is float and math.isfinite(value)):
        # The library's own number formatting (15 significant digits, no exponent for ints).
        return str(Functions.string(value, None))
    raise _UNSUPPORTED


def _compile_binary(node: Any) -> Closure:
    op = str(node.value)
    lhs = _compile(node.lhs)
    rhs = _compile(node.rhs)
    if op in _ARITHMETIC:
        operation = _ARITHMETIC[op]

        def arithmetic(env: Env) -> Any:
            a = lhs(env)
            b = rhs(env)
            if (a is not UNDEFINED and not _is_number(a)) or (
                b is not UNDEFINED and not _is_number(b)
            ):
                raise _UNSUPPORTED
            if a is UNDEFINED or b is UNDEFINED:
                return UNDEFINED
            return _number_result(operation(float(a), float(b)))

        return arithmetic
    if op in ("=", "!="):
        negate = op == "!="

        def equality(env: Env) -> Any:
            a = lhs(env)
            b = rhs(env)
            if a is UNDEFINED or b is UNDEFINED:
                return False
            return _equal(a, b) != negate

        return equality
    if op in ("<", "<=", ">", ">="):
        return _comparison(op, lhs, rhs)
    if op in ("and", "or"):
        is_and = op == "and"

        def boolean(env: Env) -> Any:
            a = lhs(env)
            if type(a) is not bool:
                raise _UNSUPPORTED
            if a is not is_and:  # false and ... / true or ...
                return a
            b = rhs(env)
            if type(b) is not bool:
                raise _UNSUPPORTED
            return b

        return boolean
    if op == "&":

        def concat(env: Env) -> Any:
            return _text(lhs(env)) + _text(rhs(env))

        return concat
    raise _NotInSubset


def _comparison(op: str, lhs: Closure, rhs: Closure) -> Closure:
    def compare(env: Env) -> Any:
        a = lhs(env)
        b = rhs(env)
        if _is_number(a) and _is_number(b):
            a = float(a)
            b = float(b)
        elif not (type(a) is str and type(b) is str):
            raise _UNSUPPORTED
        elif not (a.isascii() and b.isascii()):  # JavaScript's order: UTF-16 code units
            a = utf16(a)
            b = utf16(b)
        if op == "<":
            return a < b
        if op == "<=":
            return a <= b
        if op == ">":
            return a > b
        return a >= b

    return compare


def _compile_unary(node: Any) -> Closure:
    op = str(node.value)
    if op == "-":
        operand = _compile(node.expression)

        def negate(env: Env) -> Any:
            value = operand(env)
            if value is UNDEFINED:
                return UNDEFINED
            if not _is_number(value):
                raise _UNSUPPORTED
            return _number_result(-float(value))

        return negate
    if op == "{":
        return _compile_object(node)
    if op == "[":
        return _compile_array(node)
    raise _NotInSubset


def _compile_object(node: Any) -> Closure:
    pairs = node.lhs_object
    if not isinstance(pairs, list) or getattr(node, "rhs_object", None):
        raise _NotInSubset
    fields: list[tuple[str, Closure]] = []
    seen: set[str] = set()
    for key_node, value_node in pairs:
        if not isinstance(key_node, _Symbol) or key_node.type != "string":
            raise _NotInSubset
        _check_plain(key_node)
        key = key_node.value
        if not isinstance(key, str) or key in seen:
            raise _NotInSubset
        seen.add(key)
        fields.append((key, _compile(value_node)))

    def construct(env: Env) -> Any:
        out: dict[str, Any] = {}
        for key, value_of in fields:
            value = value_of(env)
            if value is UNDEFINED:
                continue
            out[key] = value
        return out

    return construct


def _compile_array(node: Any) -> Closure:
    items = [_compile(item) for item in node.expressions or []]

    def construct(env: Env) -> Any:
        out: list[Any] = []
        for item_of in items:
            value = item_of(env)
            if value is UNDEFINED:
                continue
            if isinstance(value, list):
                raise _UNSUPPORTED
            out.append(value)
        return out

    return construct


# --- functions -------------------------------------------------------------------------------


def _compile_function(node: Any) -> Closure:
    procedure = node.procedure
    if (
        not isinstance(procedure, _Symbol)
        or procedure.type != "variable"
        or getattr(procedure, "predicate", None)
    ):
        raise _NotInSubset
    _check_plain(procedure)
    name = str(procedure.value)
    arguments = list(node.arguments or [])
    if len(arguments) != 1 or name not in _FUNCTIONS:
        raise _NotInSubset
    argument = _compile(arguments[0])
    implementation = _FUNCTIONS[name]

    def call(env: Env) -> Any:
        if name in env:  # a variable shadows the built-in function
            raise _UNSUPPORTED
        return implementation(argument(env))

    return call


def _exists(value: Any) -> Any:
    return value is not UNDEFINED


def _not(value: Any) -> Any:
    if type(value) is not bool:
        raise _UNSUPPORTED
    return not value


def _string(value: Any) -> Any:
    if value is UNDEFINED:
        return UNDEFINED
    return _text(value)


def _merge(value: Any) -> Any:
    if value is UNDEFINED:
        return UNDEFINED
    if type(value) is not list:
        raise _UNSUPPORTED
    out: dict[str, Any] = {}
    for item in value:
        if type(item) is not dict:
            raise _UNSUPPORTED
        out.update(item)
    return out


def _count(value: Any) -> Any:
    if value is UNDEFINED:
        return 0
    if type(value) is not list:
        raise _UNSUPPORTED
    return len(value)


def _sum(value: Any) -> Any:
    if value is UNDEFINED:
        return UNDEFINED
    if type(value) is not list:
        raise _UNSUPPORTED
    total = 0.0
    for item in value:
        kind = type(item)
        # (a float is a double already; an int is one only within a double's range)
        if kind is not float and (kind is not int or abs(item) > _MAX_DOUBLE):
            raise _UNSUPPORTED
        total += item  # in doubles, one by one, as jsonata adds (`js_math.sum_`)
    if not math.isfinite(total):
        raise _UNSUPPORTED
    # The library passes numeric function results through convert_number.
    return Utils.convert_number(total)


# A JSON number (what `$number` is mostly given: query strings, form fields). Other strings
# (hex, "Infinity", " 1 ", "1_0") go to the library, which has its own rules for them.
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def _number(value: Any) -> Any:
    kind = type(value)
    if value is UNDEFINED:
        return UNDEFINED
    if kind is bool:
        return 1 if value else 0
    if kind is str and _DECIMAL.fullmatch(value):
        value = float(value)
    elif kind is not int and kind is not float:
        raise _UNSUPPORTED
    if not math.isfinite(value):
        raise _UNSUPPORTED
    if kind is str:  # a finite float: what `Utils.convert_number` makes of it, inline
        return int(value) if value.is_integer() else value
    return Utils.convert_number(value)  # as the library passes function results on


_FUNCTIONS: Final[dict[str, Callable[[Any], Any]]] = {
    "number": _number,
    "count": _count,
    "sum": _sum,
    "exists": _exists,
    "not": _not,
    "string": _string,
    "merge": _merge,
}


_LITERAL_NODES: Final = ("string", "number", "value")  # the nodes `_compile_literal` compiles

_COMPILERS: Final[dict[str, Callable[[Any], Closure]]] = {
    "string": _compile_literal,
    "number": _compile_literal,
    "value": _compile_literal,
    "variable": _compile_variable,
    "path": _compile_path,
    "block": _compile_block,
    "bind": _compile_bind,
    "condition": _compile_condition,
    "binary": _compile_binary,
    "unary": _compile_unary,
    "function": _compile_function,
}
