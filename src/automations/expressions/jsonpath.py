"""JSONPath as Step Functions reads it (Jayway semantics), for the JSONPath query language.

A path starts at the state input (`$`), the context object (`$$`) or a variable (`$name`), then
follows steps: `.name`, `['name']`, `[0]`, `[-1]`, `[*]`, `.*`, `[1:3]`, `[0,2]`, `['a','b']`,
`..name` and filters `[?(@.x > 1)]`.

Like Jayway, a *definite* path (names and single indexes only) selects one value and fails when it
selects nothing; an *indefinite* one (wildcards, slices, unions, filters, deep scans) always
returns a list, empty when nothing matches. Paths are compiled once and cached by their text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from automations.expressions.errors import JsonPathNotFound, JsonPathSyntaxError
from automations.expressions.jsonpath_filter import compile_filter

Root = Literal["input", "context", "variable"]

_MISSING = object()


# --- steps -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Name:
    """`.name` or `['name']`: a member of an object."""

    name: str

    def apply(self, node: Any) -> Iterator[Any]:
        if isinstance(node, dict) and self.name in node:
            yield node[self.name]

    def canonical(self) -> str:
        return "['" + self.name + "']"


@dataclass(frozen=True, slots=True)
class Index:
    """`[n]`: an element of an array (negative counts from the end)."""

    index: int

    def apply(self, node: Any) -> Iterator[Any]:
        if isinstance(node, list) and -len(node) <= self.index < len(node):
            yield node[self.index]

    def canonical(self) -> str:
        return f"[{self.index}]"


@dataclass(frozen=True, slots=True)
class Wildcard:
    """`[*]` or `.*`: every element or member value."""

    def apply(self, node: Any) -> Iterator[Any]:
        if isinstance(node, list):
            yield from node
        elif isinstance(node, dict):
            yield from node.values()

    def canonical(self) -> str:
        return "[*]"


@dataclass(frozen=True, slots=True)
class Slice:
    """`[start:stop:step]` of an array."""

    start: int | None
    stop: int | None
    step: int | None

    def apply(self, node: Any) -> Iterator[Any]:
        if isinstance(node, list):
            yield from node[self.start : self.stop : self.step]

    def canonical(self) -> str:
        parts = ["" if x is None else str(x) for x in (self.start, self.stop)]
        return "[" + ":".join(parts) + "]"


@dataclass(frozen=True, slots=True)
class Union:
    """`[0,2]` or `['a','b']`: several members or elements."""

    members: tuple[Name | Index, ...]

    def apply(self, node: Any) -> Iterator[Any]:
        for member in self.members:
            yield from member.apply(node)

    def canonical(self) -> str:
        return "[" + ",".join(m.canonical()[1:-1] for m in self.members) + "]"


@dataclass(frozen=True, slots=True)
class DeepScan:
    """`..name`: the target at any depth, document order."""

    target: Name | Wildcard | Index

    def apply(self, node: Any) -> Iterator[Any]:
        yield from self.target.apply(node)
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        for child in children:
            if isinstance(child, dict | list):
                yield from self.apply(child)

    def canonical(self) -> str:
        return ".." + self.target.canonical()


@dataclass(frozen=True, slots=True)
class Filter:
    """`[?(...)]`: the elements a predicate accepts."""

    text: str
    predicate: Callable[[Any, Any], bool]

    def apply(self, node: Any) -> Iterator[Any]:
        # The document root is not known here; `$` inside filters is bound by `select`.
        items = node if isinstance(node, list) else [node] if isinstance(node, dict) else []
        for item in items:
            if self.predicate(item, _ROOT.get()):
                yield item

    def canonical(self) -> str:
        return "[?(" + self.text + ")]"


Step = Name | Index | Wildcard | Slice | Union | DeepScan | Filter


class _RootHolder:
    """Holds the document root while a filter runs (filters may refer to `$`)."""

    def __init__(self) -> None:
        self.value: Any = None

    def get(self) -> Any:
        return self.value


_ROOT = _RootHolder()


# --- the compiled path ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JsonPath:
    """A compiled path: where it starts, its steps, and whether it is definite."""

    text: str
    root: Root
    variable: str
    steps: tuple[Step, ...]
    definite: bool

    def select(self, document: Any) -> Any:
        """The value (definite path) or list of values (indefinite path) in `document`.

        Raises JsonPathNotFound when a definite path selects nothing.
        """
        if self.definite:
            node = document
            for step in self.steps:
                node = next(step.apply(node), _MISSING)
                if node is _MISSING:
                    raise JsonPathNotFound(self.text)
            return node
        previous, _ROOT.value = _ROOT.value, document
        try:
            nodes = [document]
            for step in self.steps:
                nodes = [found for node in nodes for found in step.apply(node)]
            return nodes
        finally:
            _ROOT.value = previous

    def exists(self, document: Any) -> bool:
        """True when a definite path selects something (indefinite paths always do)."""
        try:
            self.select(document)
        except JsonPathNotFound:
            return False
        return True

    def canonical(self) -> str:
        """Jayway's normal form, e.g. `$['a'][0]`, as AWS prints it in error causes."""
        head = {"input": "$", "context": "$$", "variable": "$" + self.variable}[self.root]
        return head + "".join(step.canonical() for step in self.steps)

    def evaluate(
        self,
        input: Any,
        context: Any = None,
        variables: Mapping[str, Any] | None = None,
    ) -> Any:
        """Select from the state input, the context object or a variable, by the path's root."""
        if self.root == "input":
            return self.select(input)
        if self.root == "context":
            return self.select(context)
        if variables is None or self.variable not in variables:
            raise JsonPathNotFound(self.text)
        return self.select(variables[self.variable])


@lru_cache(maxsize=4096)
def compile_path(text: str) -> JsonPath:
    """Parse a JSONPath (cached by text) or raise JsonPathSyntaxError."""
    return _Parser(text).parse()


def is_path(text: Any) -> bool:
    """True for strings that look like a path Step Functions would evaluate (`$`...)."""
    return isinstance(text, str) and text.startswith("$")


# --- parsing ----------------------------------------------------------------------------------

_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_INT = re.compile(r"\s*(-?\d+)\s*")


class _Parser:
    """Reads a path text into steps, left to right."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, message: str) -> JsonPathSyntaxError:
        return JsonPathSyntaxError(self.text, f"{message} at position {self.pos}")

    def parse(self) -> JsonPath:
        text = self.text
        root: Root
        variable = ""
        if text.startswith("$$"):
            root, self.pos = "context", 2
        elif match := _VARIABLE.match(text):
            root, variable, self.pos = "variable", match.group(1), match.end()
        elif text.startswith("$"):
            root, self.pos = "input", 1
        else:
            raise self.fail("a path must start with $")
        steps: list[Step] = []
        while self.pos < len(text):
            steps.append(self.step())
        definite = all(isinstance(s, Name | Index) for s in steps)
        return JsonPath(text, root, variable, tuple(steps), definite)

    def step(self) -> Step:
        text = self.text
        if text.startswith("..", self.pos):
            self.pos += 2
            if text.startswith("[", self.pos):
                target = self.bracket()
                if not isinstance(target, Name | Wildcard | Index):
                    raise self.fail("unsupported deep scan")
                return DeepScan(target)
            if text.startswith("*", self.pos):
                self.pos += 1
                return DeepScan(Wildcard())
            return DeepScan(Name(self.name()))
        if text.startswith(".", self.pos):
            self.pos += 1
            if text.startswith("*", self.pos):
                self.pos += 1
                return Wildcard()
            return Name(self.name())
        if text.startswith("[", self.pos):
            return self.bracket()
        raise self.fail(f"unexpected {text[self.pos]!r}")

    def name(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ".[":
            self.pos += 1
        if self.pos == start:
            raise self.fail("empty name")
        return self.text[start : self.pos]

    def bracket(self) -> Step:
        close = self._closing_bracket()
        inner = self.text[self.pos + 1 : close].strip()
        self.pos = close + 1
        if inner == "*":
            return Wildcard()
        if inner.startswith("?"):
            return _compile_filter(self.text, inner[1:].strip())
        if inner[:1] in ("'", '"'):
            names = tuple(Name(n) for n in _quoted_list(self.text, inner))
            return names[0] if len(names) == 1 else Union(names)
        if ":" in inner:
            return _slice(self.text, inner)
        if "," in inner:
            return Union(tuple(Index(_int(self.text, part)) for part in inner.split(",")))
        return Index(_int(self.text, inner))

    def _closing_bracket(self) -> int:
        """Index of the `]` closing the bracket at `self.pos`, skipping quotes and nesting."""
        depth, quote, i = 0, "", self.pos
        while i < len(self.text):
            char = self.text[i]
            if quote:
                if char == "\\":
                    i += 1
                elif char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
                if depth == 0:
                    return i
            i += 1
        raise self.fail("unclosed [")


def _int(path: str, text: str) -> int:
    match = _INT.fullmatch(text)
    if match is None:
        raise JsonPathSyntaxError(path, f"not an index: {text!r}")
    return int(match.group(1))


def _slice(path: str, text: str) -> Slice:
    parts = text.split(":")
    if len(parts) > 3:
        raise JsonPathSyntaxError(path, f"bad slice {text!r}")
    bounds = [None if not p.strip() else _int(path, p) for p in parts]
    bounds += [None] * (3 - len(bounds))
    return Slice(bounds[0], bounds[1], bounds[2])


def _quoted_list(path: str, text: str) -> list[str]:
    """`'a', "b"` -> ["a", "b"]. A backslash escapes only the quote that opened the string
    (Jayway keeps any other backslash as it is)."""
    names: list[str] = []
    i = 0
    while i < len(text):
        quote = text[i]
        if quote not in "'\"":
            raise JsonPathSyntaxError(path, f"expected a quoted name in [{text}]")
        i += 1
        chars: list[str] = []
        while i < len(text) and text[i] != quote:
            if text[i] == "\\" and i + 1 < len(text) and text[i + 1] == quote:
                i += 1
            chars.append(text[i])
            i += 1
        if i >= len(text):
            raise JsonPathSyntaxError(path, "unterminated string")
        names.append("".join(chars))
        i += 1
        while i < len(text) and text[i] in " ,":
            i += 1
    return names


def _compile_filter(path: str, text: str) -> Filter:
    if not (text.startswith("(") and text.endswith(")")):
        raise JsonPathSyntaxError(path, f"a filter must be written ?( ... ): {text!r}")
    body = text[1:-1]
    return Filter(body, compile_filter(path, body, compile_path))
