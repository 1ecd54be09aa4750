"""The placeholders of an `sql.query` text, found and turned into the driver's bound parameters.

Two spellings, both bound, never spliced into the text:
- `:name` (the product's named parameters), its value `parameters["name"]`;
- `${name}` (the product's scenario variables), its value `parameters["name"]`, or for a dotted
  `${order.id}` the path into `parameters` when no key is spelled so. A string literal that is
  nothing but a placeholder (`'${name}'`, as one would write it for a text value) is replaced
  whole by the parameter, its value as text.

The text is read as the server reads it, so that a placeholder-looking part of a string literal
(`'10:30'`, `'${not this}'`), a quoted name, a comment or a PostgreSQL dollar-quoted body stays
as written; `::` is PostgreSQL's cast. What is read how depends on the dialect (MySQL's
backslash escapes, `#` comments and backquotes, PostgreSQL's `E'...'` and `$tag$`, SQL Server's
`[names]`). The rewritten text uses the driver's own placeholder style, with `%` doubled where
the driver formats the text with `%`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_NAME = re.compile(r"[^\W\d]\w*")
_DOLLAR_TAG = re.compile(r"\$(?:[^\W\d]\w*)?\$")
_ONLY_VARIABLE = re.compile(r"'\$\{([^{}']+)\}'")

_MISSING = object()


class PlaceholderMissing(ValueError):
    """Placeholders of the query that `parameters` has no value for (`names`, as written)."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(", ".join(names))


@dataclass(frozen=True, slots=True)
class Placeholder:
    """One placeholder: the key it is looked up by, how it was written, and whether its value
    is to be text (a quoted `'${name}'`)."""

    key: str
    written: str
    variable: bool
    as_text: bool = False


@dataclass(frozen=True, slots=True)
class Template:
    """A query read once: the driver's text and the placeholders in the order it binds them."""

    text: str
    placeholders: tuple[Placeholder, ...]
    positional: bool

    def bind(self, parameters: Mapping[str, Any]) -> dict[str, Any] | list[Any]:
        """The values to send with `text`; PlaceholderMissing names those without one."""
        values: list[Any] = []
        missing: list[str] = []
        for placeholder in self.placeholders:
            value = _lookup(parameters, placeholder)
            if value is _MISSING:
                if placeholder.written not in missing:
                    missing.append(placeholder.written)
                continue
            if placeholder.as_text and value is not None and not isinstance(value, str):
                value = _as_text(value)
            values.append(value)
        if missing:
            raise PlaceholderMissing(missing)
        if self.positional:
            return values
        return {f"p{i}": value for i, value in enumerate(values)}


def _lookup(parameters: Mapping[str, Any], placeholder: Placeholder) -> Any:
    if placeholder.key in parameters:
        return parameters[placeholder.key]
    if not placeholder.variable or "." not in placeholder.key:
        return _MISSING
    node: Any = parameters
    for part in placeholder.key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# paramstyle -> how the n-th placeholder is written, and whether values go by position.
_STYLES: dict[str, tuple[Callable[[int], str], bool]] = {
    "pyformat": (lambda n: f"%(p{n})s", False),
    "named": (lambda n: f":p{n}", False),
    "format": (lambda n: "%s", True),
    "qmark": (lambda n: "?", True),
    "numeric": (lambda n: f":{n + 1}", True),
}


@lru_cache(maxsize=512)
def template_of(query: str, dialect: str, paramstyle: str) -> Template:
    """`query` read for `dialect` (SQLAlchemy's name: postgresql, mysql, sqlite, mssql, oracle)
    and written for the driver's `paramstyle`."""
    write, positional = _STYLES[paramstyle]
    percent = paramstyle in {"pyformat", "format"}
    out: list[str] = []
    placeholders: list[Placeholder] = []

    def text(part: str) -> None:
        out.append(part.replace("%", "%%") if percent else part)

    def placeholder(item: Placeholder) -> None:
        out.append(write(len(placeholders)))
        placeholders.append(item)

    for kind, part in _scan(query, dialect):
        if kind == "text":
            text(part)
        elif kind == "string":
            only = _ONLY_VARIABLE.fullmatch(part)
            if only is not None and only.group(1).strip():
                name = only.group(1).strip()
                placeholder(Placeholder(name, f"${{{name}}}", variable=True, as_text=True))
            else:
                text(part)
        elif kind == "named":
            placeholder(Placeholder(part, f":{part}", variable=False))
        else:  # variable
            placeholder(Placeholder(part, f"${{{part}}}", variable=True))
    return Template("".join(out), tuple(placeholders), positional)


def _scan(query: str, dialect: str) -> list[tuple[str, str]]:
    """The query cut into ("text" | "string" | "named" | "variable", part)."""
    mysql = dialect == "mysql"
    postgresql = dialect == "postgresql"
    parts: list[tuple[str, str]] = []
    plain: list[str] = []
    i, size = 0, len(query)

    def flush() -> None:
        if plain:
            parts.append(("text", "".join(plain)))
            plain.clear()

    while i < size:
        char = query[i]
        two = query[i : i + 2]
        end = -1
        kind = "text"
        if two == "--" or (mysql and char == "#"):
            newline = query.find("\n", i)
            end = size if newline < 0 else newline
        elif two == "/*":
            end = _block_comment_end(query, i, nested=postgresql)
        elif char == "'":
            escapes = mysql or (postgresql and _is_escape_string(query, i))
            end = _quoted_end(query, i, "'", backslash=escapes)
            kind = "string"
        elif char == '"':
            end = _quoted_end(query, i, '"', backslash=mysql)
        elif char == "`" and dialect in {"mysql", "sqlite"}:
            end = _quoted_end(query, i, "`", backslash=False)
        elif char == "[" and dialect == "mssql":
            end = _quoted_end(query, i, "]", backslash=False)
        elif char == "$" and postgresql and not _after_word(query, i):
            tag = _DOLLAR_TAG.match(query, i)
            if tag is not None:
                close = query.find(tag.group(0), tag.end())
                end = size if close < 0 else close + len(tag.group(0))
        if end >= 0:
            if kind == "string":
                flush()
                parts.append(("string", query[i:end]))
            else:
                plain.append(query[i:end])
            i = end
            continue
        if two == "${":
            close = query.find("}", i + 2)
            name = query[i + 2 : close].strip() if close >= 0 else ""
            if name:
                flush()
                parts.append(("variable", name))
                i = close + 1
                continue
        if char == ":":
            if two == "::":  # a cast
                plain.append("::")
                i += 2
                continue
            name_match = _NAME.match(query, i + 1)
            if name_match is not None and not _after_word(query, i):
                flush()
                parts.append(("named", name_match.group(0)))
                i = name_match.end()
                continue
        plain.append(char)
        i += 1
    flush()
    return parts


def _after_word(query: str, i: int) -> bool:
    """Whether the character before `i` continues a word (`a:b` is no placeholder, `$1` no tag)."""
    if i == 0:
        return False
    before = query[i - 1]
    return before.isalnum() or before in "_:$"


def _is_escape_string(query: str, i: int) -> bool:
    # E'...' (PostgreSQL's escape string): the E is its own word, not the end of a name.
    return (
        i > 0
        and query[i - 1] in "eE"
        and not (i > 1 and (query[i - 2].isalnum() or query[i - 2] == "_"))
    )


def _quoted_end(query: str, start: int, close: str, *, backslash: bool) -> int:
    """The end (exclusive) of a quoted part opened at `start`; doubled quotes stay inside."""
    i = start + 1
    size = len(query)
    while i < size:
        char = query[i]
        if backslash and char == "\\":
            i += 2
            continue
        if char == close:
            if query[i + 1 : i + 2] == close:
                i += 2
                continue
            return i + 1
        i += 1
    return size  # unterminated: the server will say so


def _block_comment_end(query: str, start: int, *, nested: bool) -> int:
    depth = 0
    i = start
    size = len(query)
    while i < size:
        two = query[i : i + 2]
        if two == "/*" and (nested or depth == 0):
            depth += 1
            i += 2
        elif two == "*/":
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return size
