"""Filter predicates inside JSONPath brackets, `[?(@.status == 0 && @.year > 1990)]` (Jayway).

Operands are `@`-relative paths, `$`-rooted paths or literals (numbers, quoted strings, true,
false, null, [lists], /regex/flags). Operators: == != < <= > >= =~ in nin subsetof anyof noneof
size empty contains, combined with && || ! and parentheses. An operand alone tests existence.
Values of different JSON types never compare equal, as in Jayway.

Paths hold filters and filters hold paths: the path compiler hands itself in (`compile_path`),
so this module needs nothing from `jsonpath`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Protocol

from automations.expressions.errors import JsonPathNotFound, JsonPathSyntaxError

Predicate = Callable[[Any, Any], bool]  # (current item, document root) -> bool
Operand = Callable[[Any, Any], Any]  # returns _MISSING when a path selects nothing


class Selector(Protocol):
    """A compiled path as a filter uses it (a `jsonpath.JsonPath`)."""

    def select(self, document: Any) -> Any:
        """The value(s) the path selects; raises JsonPathNotFound when it selects nothing."""
        ...


PathCompiler = Callable[[str], Selector]

_MISSING = object()

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<op>&&|\|\||==|!=|<=|>=|=~|<|>|!|\(|\))
    | (?P<word>\b(?:in|nin|subsetof|anyof|noneof|size|empty|contains)\b)
    | (?P<regex>/(?:\\.|[^/\\])*/[a-z]*)
    | (?P<string>'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")
    | (?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
    | (?P<literal>true|false|null)
    | (?P<list>\[[^\]]*\])
    | (?P<path>[@$](?:\[[^\]]*\]|[^\s=!<>&|()\[\]])*)
    )""",
    re.VERBOSE,
)


def compile_filter(path: str, text: str, compile_path: PathCompiler) -> Predicate:
    """The predicate of filter `text` (inside path `path`); its operand paths are compiled by
    `compile_path`. Raises JsonPathSyntaxError."""
    tokens = _tokenize(path, text)
    parser = _FilterParser(path, tokens, compile_path)
    predicate = parser.expression()
    if parser.pos != len(tokens):
        raise JsonPathSyntaxError(path, f"unexpected {tokens[parser.pos][1]!r} in filter")
    return predicate


def _tokenize(path: str, text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise JsonPathSyntaxError(path, f"cannot read filter at {text[pos:]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _FilterParser:
    """Recursive descent over the filter tokens: || over && over ! over comparisons."""

    def __init__(
        self, path: str, tokens: list[tuple[str, str]], compile_path: PathCompiler
    ) -> None:
        self.path = path
        self.tokens = tokens
        self.compile_path = compile_path
        self.pos = 0

    def peek(self) -> str:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else ""

    def take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise JsonPathSyntaxError(self.path, "filter ends too early")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expression(self) -> Predicate:
        left = self.conjunction()
        while self.peek() == "||":
            self.take()
            right = self.conjunction()
            left = _or(left, right)
        return left

    def conjunction(self) -> Predicate:
        left = self.negation()
        while self.peek() == "&&":
            self.take()
            right = self.negation()
            left = _and(left, right)
        return left

    def negation(self) -> Predicate:
        if self.peek() == "!":
            self.take()
            inner = self.negation()
            return lambda item, root: not inner(item, root)
        if self.peek() == "(":
            self.take()
            inner = self.expression()
            if self.take()[1] != ")":
                raise JsonPathSyntaxError(self.path, "missing ) in filter")
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        left = self.operand()
        op = self.peek()
        if op in _OPERATORS:
            self.take()
            right = self.operand()
            compare = _OPERATORS[op]
            return lambda item, root: _safe(compare, left(item, root), right(item, root))
        return lambda item, root: _exists(left(item, root))

    def operand(self) -> Operand:
        kind, text = self.take()
        if kind == "path":
            return _path_operand(self.compile_path, text)
        if kind == "regex":
            return _constant(_regex(self.path, text))
        if kind in ("string",):
            return _constant(_unquote(text))
        if kind in ("number", "literal", "list"):
            try:
                return _constant(json.loads(text.replace("'", '"')))
            except ValueError:
                raise JsonPathSyntaxError(self.path, f"bad literal {text!r}") from None
        raise JsonPathSyntaxError(self.path, f"unexpected {text!r} in filter")


def _or(a: Predicate, b: Predicate) -> Predicate:
    return lambda item, root: a(item, root) or b(item, root)


def _and(a: Predicate, b: Predicate) -> Predicate:
    return lambda item, root: a(item, root) and b(item, root)


def _constant(value: Any) -> Operand:
    return lambda _item, _root: value


def _path_operand(compile_path: PathCompiler, text: str) -> Operand:
    relative = text.startswith("@")
    compiled = compile_path("$" + text[1:])

    def select(item: Any, root: Any) -> Any:
        try:
            return compiled.select(item if relative else root)
        except JsonPathNotFound:
            return _MISSING

    return select


def _unquote(text: str) -> str:
    quote, body = text[0], text[1:-1]
    return body.replace("\\" + quote, quote).replace("\\\\", "\\")


_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


def _regex(path: str, text: str) -> re.Pattern[str]:
    end = text.rfind("/")
    flags = 0
    for flag in text[end + 1 :]:
        flags |= _FLAGS.get(flag, 0)
    try:
        return re.compile(text[1:end], flags)
    except re.error as err:
        raise JsonPathSyntaxError(path, f"bad regular expression {text!r}: {err}") from None


def _exists(value: Any) -> bool:
    return value is not _MISSING and value is not False


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _safe(compare: Callable[[Any, Any], bool], left: Any, right: Any) -> bool:
    if left is _MISSING or right is _MISSING:
        return False
    try:
        return compare(left, right)
    except TypeError:
        return False


def _equal(a: Any, b: Any) -> bool:
    return _kind(a) == _kind(b) and a == b


def _ordered(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(a: Any, b: Any) -> bool:
        return _kind(a) == _kind(b) and _kind(a) in ("number", "str") and op(a, b)

    return compare


def _matches(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, re.Pattern) and b.fullmatch(a) is not None


def _in(a: Any, b: Any) -> bool:
    return isinstance(b, list) and any(_equal(a, x) for x in b)


def _size(a: Any, b: Any) -> bool:
    return isinstance(a, str | list | dict) and len(a) == b


def _empty(a: Any, b: Any) -> bool:
    return isinstance(a, str | list | dict) and (len(a) == 0) == b


def _contains(a: Any, b: Any) -> bool:
    if isinstance(a, str):
        return isinstance(b, str) and b in a
    return isinstance(a, list) and _in(b, a)


def _subset(a: Any, b: Any) -> bool:
    return isinstance(a, list) and all(_in(x, b) for x in a)


def _any(a: Any, b: Any) -> bool:
    return isinstance(a, list) and any(_in(x, b) for x in a)


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": _equal,
    "!=": lambda a, b: not _equal(a, b),
    "<": _ordered(lambda a, b: a < b),
    "<=": _ordered(lambda a, b: a <= b),
    ">": _ordered(lambda a, b: a > b),
    ">=": _ordered(lambda a, b: a >= b),
    "=~": _matches,
    "in": _in,
    "nin": lambda a, b: not _in(a, b),
    "subsetof": _subset,
    "anyof": _any,
    "noneof": lambda a, b: not _any(a, b),
    "size": _size,
    "empty": _empty,
    "contains": _contains,
}
