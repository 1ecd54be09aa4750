"""The `States.*` intrinsic functions of the JSONPath query language.

A call such as `States.Format('{} of {}', $.a, States.ArrayLength($.b))` is parsed once into a
small tree (cached by text) and evaluated against the state input, the context object and the
variables. Arguments are string literals (`'...'` with `\\'`, `\\{`, `\\}`, `\\\\` escapes),
numbers, true/false/null, paths (`$.x`, `$$.y`, `$var`) and nested calls.

The functions themselves live in `intrinsic_functions`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from automations.expressions.errors import IntrinsicFailure, IntrinsicSyntaxError
from automations.expressions.intrinsic_functions import FUNCTIONS, format_template
from automations.expressions.jsonpath import compile_path

# --- the parsed tree ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    """A constant argument."""

    value: Any
    raw: str | None = None  # a string literal as written, escapes kept (States.Format needs it)


@dataclass(frozen=True, slots=True)
class PathArg:
    """An argument read through a path (`$.a`, `$$.b`, `$var`)."""

    path: str


@dataclass(frozen=True, slots=True)
class Call:
    """A call of a `States.*` function."""

    name: str
    args: tuple[Literal | PathArg | Call, ...]


Arg = Literal | PathArg | Call


@dataclass(frozen=True, slots=True)
class Scope:
    """What paths inside a call can read."""

    input: Any
    context: Any
    variables: Mapping[str, Any]


def is_intrinsic(text: Any) -> bool:
    """True for strings that call an intrinsic function (`States.Name(...)`)."""
    return isinstance(text, str) and text.startswith("States.") and text.rstrip().endswith(")")


@lru_cache(maxsize=4096)
def parse_intrinsic(text: str) -> Call:
    """Parse an intrinsic call (cached by text) or raise IntrinsicSyntaxError."""
    parser = _Parser(text)
    call = parser.call()
    parser.skip_spaces()
    if parser.pos != len(text):
        raise IntrinsicSyntaxError(f"unexpected text after the call in {text!r}")
    return call


def evaluate_intrinsic(
    text: str,
    input: Any,
    context: Any = None,
    variables: Mapping[str, Any] | None = None,
) -> Any:
    """Evaluate an intrinsic call. Raises IntrinsicFailure, or JsonPathNotFound for a bad path."""
    return _evaluate(parse_intrinsic(text), Scope(input, context, variables or {}))


def _evaluate(node: Arg, scope: Scope) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, PathArg):
        return compile_path(node.path).evaluate(scope.input, scope.context, scope.variables)
    function = FUNCTIONS.get(node.name)
    if function is None:
        raise IntrinsicFailure(f"unknown intrinsic function {node.name}")
    if node.name == "States.Format" and node.args and isinstance(node.args[0], Literal):
        template = node.args[0]
        rest = [_evaluate(arg, scope) for arg in node.args[1:]]
        return format_template(template.raw if template.raw is not None else template.value, rest)
    return function(*[_evaluate(arg, scope) for arg in node.args])


# --- parsing -----------------------------------------------------------------------------------


class _Parser:
    """Reads a call text into a Call tree."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, message: str) -> IntrinsicSyntaxError:
        return IntrinsicSyntaxError(f"{message} at position {self.pos} in {self.text!r}")

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def call(self) -> Call:
        start = self.pos
        while self.pos < len(self.text) and (
            self.text[self.pos].isalnum() or self.text[self.pos] in "._"
        ):
            self.pos += 1
        name = self.text[start : self.pos]
        if not name.startswith("States."):
            raise self.fail("expected States.<Function>")
        self.skip_spaces()
        if not self.text.startswith("(", self.pos):
            raise self.fail("expected (")
        self.pos += 1
        args: list[Arg] = []
        self.skip_spaces()
        if self.text.startswith(")", self.pos):
            self.pos += 1
            return Call(name, ())
        while True:
            self.skip_spaces()
            args.append(self.argument())
            self.skip_spaces()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            if self.text.startswith(")", self.pos):
                self.pos += 1
                return Call(name, tuple(args))
            raise self.fail("expected , or )")

    def argument(self) -> Arg:
        text, pos = self.text, self.pos
        if text.startswith("'", pos):
            return self.string()
        if text.startswith("States.", pos):
            return self.call()
        if text.startswith("$", pos):
            return PathArg(self.path())
        end = pos
        while end < len(text) and text[end] not in ",)" and not text[end].isspace():
            end += 1
        token = text[pos:end]
        self.pos = end
        if token in ("true", "false", "null"):
            return Literal(json.loads(token))
        try:
            return Literal(json.loads(token))
        except ValueError:
            raise self.fail(f"unexpected argument {token!r}") from None

    def string(self) -> Literal:
        self.pos += 1  # opening quote
        raw: list[str] = []
        value: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                following = self.text[self.pos + 1]
                raw.append(char + following)
                value.append(following)
                self.pos += 2
                continue
            if char == "'":
                self.pos += 1
                return Literal("".join(value), "".join(raw))
            raw.append(char)
            value.append(char)
            self.pos += 1
        raise self.fail("unterminated string")

    def path(self) -> str:
        """A path runs to the next `,` or `)` outside brackets and quotes."""
        start, depth, quote = self.pos, 0, ""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if quote:
                if char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                break
            self.pos += 1
        return self.text[start : self.pos].strip()
