"""The tags of `document.generate`'s templates: `{{executor.name}}` and what a tag stands for.

A tag is a path into the data, its keys joined by dots (`{{executor.address.city}}`; a key may
hold spaces or any language; a number picks an item of a list, `{{items.0.name}}`). A path that
runs into a list (`{{table.number}}` with `table` a list) makes the row or paragraph holding
it repeat once per item, the rest of the path read from each item; inside one copy, a deeper
list (`{{orders.lines.sku}}`) repeats the rows or paragraphs that name it, and so on.

What a tag becomes: a text is itself, a number as JSON writes it (`12`, `12.5`), true/false as
`true`/`false`, null an empty text; an object, or a list outside any row that could repeat,
is a template error naming the tag and where it is. So is a tag whose data is missing: a
document with a silent gap where a client's phone should be is worse than a failed task.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# `{{` ... `}}`, the path inside trimmed; braces inside are a broken tag, not a path.
_TAG = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)

Path = tuple[str, ...]


class TemplateProblem(Exception):
    """A tag that cannot be filled (no data, an object, broken), with where it is."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Tag:
    """One tag in a text: where it starts and ends, its path, and how a message shows it."""

    start: int
    end: int
    path: Path

    @property
    def shown(self) -> str:
        return "{{" + ".".join(self.path) + "}}"


def find_tags(text: str, where: str) -> list[Tag]:
    """The tags in `text`; TemplateProblem for a tag that is not a path or is never closed."""
    tags: list[Tag] = []
    last = 0
    for match in _TAG.finditer(text):
        _no_open_brace(text[last : match.start()], where)
        inner = match.group(1)
        if "{" in inner or "}" in inner:
            raise TemplateProblem(f"the tag {match.group(0)!r} in {where} is not closed")
        keys = tuple(key.strip() for key in inner.split("."))
        if not all(keys):
            raise TemplateProblem(
                f"the tag {match.group(0)!r} in {where} is not a path of keys joined by dots"
            )
        tags.append(Tag(match.start(), match.end(), keys))
        last = match.end()
    _no_open_brace(text[last:], where)
    return tags


def _no_open_brace(text: str, where: str) -> None:
    opened = text.find("{{")
    if opened >= 0:
        excerpt = text[opened : opened + 40]
        raise TemplateProblem(f"a tag in {where} is not closed: {excerpt!r}")


@dataclass(frozen=True, slots=True)
class Binding:
    """One item of a list the template repeats over: the list's path, the item, its number."""

    path: Path
    item: Any
    number: int


@dataclass(frozen=True, slots=True)
class Scope:
    """What tags read: the data, and the items of the lists being repeated (innermost last)."""

    data: Mapping[str, Any]
    bindings: tuple[Binding, ...] = ()

    def with_item(self, path: Path, item: Any, number: int) -> Scope:
        return Scope(self.data, (*self.bindings, Binding(path, item, number)))

    @property
    def note(self) -> str:
        """Which items are being filled, for messages ("" outside any repetition)."""
        return "".join(f" (item {b.number} of {'.'.join(b.path)})" for b in reversed(self.bindings))


@dataclass(frozen=True, slots=True)
class Found:
    value: Any


@dataclass(frozen=True, slots=True)
class ThroughList:
    """The path runs into a list no enclosing repetition has bound: `path` is that list's."""

    path: Path
    items: Sequence[Any]


@dataclass(frozen=True, slots=True)
class Missing:
    pass


Lookup = Found | ThroughList | Missing


def look_up(scope: Scope, path: Path) -> Lookup:
    """What `path` names in `scope`: a bound list's item stands for that list's path."""
    base: Path = ()
    current: Any = scope.data
    for binding in reversed(scope.bindings):
        if path[: len(binding.path)] == binding.path:
            base, current = binding.path, binding.item
            break
    rest = path[len(base) :]
    for index, key in enumerate(rest):
        if isinstance(current, list):
            if key.isdigit() and int(key) < len(current):
                current = current[int(key)]
                continue
            return ThroughList((*base, *rest[:index]), current)
        if not isinstance(current, Mapping) or key not in current:
            return Missing()
        current = current[key]
    if isinstance(current, list):
        return ThroughList(path, current)
    return Found(current)


def repeated_list(scope: Scope, tags: Sequence[Tag], where: str) -> ThroughList | None:
    """The list a row or paragraph repeats over (the one its tags run into), or None; two
    different lists in one row are a TemplateProblem (which one would the row follow?)."""
    chosen: ThroughList | None = None
    for tag in tags:
        found = look_up(scope, tag.path)
        if not isinstance(found, ThroughList):
            continue
        if chosen is None:
            chosen = found
        elif chosen.path != found.path:
            raise TemplateProblem(
                f"{where}{scope.note} holds tags of two lists, {'.'.join(chosen.path)} and "
                f"{'.'.join(found.path)}: a row or paragraph repeats over one list"
            )
    return chosen


def value_of(scope: Scope, tag: Tag, where: str) -> Any:
    """The data a tag stands for (a text, number, boolean or None); TemplateProblem if none."""
    found = look_up(scope, tag.path)
    if isinstance(found, Missing):
        raise TemplateProblem(f"tag {tag.shown} in {where}{scope.note} has no data")
    if isinstance(found, ThroughList):
        raise TemplateProblem(
            f"tag {tag.shown} in {where}{scope.note} names the list {'.'.join(found.path)}, "
            "which only a table row or a paragraph of its own can repeat"
        )
    if isinstance(found.value, Mapping):
        raise TemplateProblem(
            f"tag {tag.shown} in {where}{scope.note} names an object; name one of its keys"
        )
    return found.value


def text_of(value: Any) -> str:
    """A tag's value as text in the document."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value)) if abs(value) < 1e16 else repr(value)
    return str(value)


def filled_text(scope: Scope, text: str, where: str) -> str:
    """`text` with every tag replaced by its value's text."""
    parts: list[str] = []
    last = 0
    for tag in find_tags(text, where):
        parts += [text[last : tag.start], text_of(value_of(scope, tag, where))]
        last = tag.end
    parts.append(text[last:])
    return "".join(parts)
