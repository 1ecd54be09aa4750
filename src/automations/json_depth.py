"""How deep JSON may nest: one limit for every value a process takes in or stores, checked
without recursion.

The parsers and encoders we rely on recurse, one frame per level, and each stops somewhere else:
pydantic's parser refuses text nesting more than 200 levels, its encoder values past about 250,
and the `json` module stops at Python's recursion limit (about 1,000, less the stack in use).
A value that one of them let through could fail another later: a process stored and then never
readable again. So everything that reaches a process (request bodies, component results, start
and final variables) is held to one documented depth, `AUTOMATIONS_MAX_JSON_DEPTH`:

- 64 by default, as .NET's System.Text.Json allows: deeper than any document people write by
  hand or services answer, and low enough that a process record (which wraps values in a few
  levels of its own) stays far below the 200 levels pydantic reads back.
- at most 128 (`JSON_DEPTH_CEILING`, Rust's serde_json limit), so that no setting can bring a
  stored record near pydantic's 200.

Depth counts containers: `1` and `"x"` are 0 levels, `[]` and `{"a": 1}` are 1, `{"a": [1]}`
is 2. Both checks here are loops, never recursion, and both cost next to nothing on the usual
small value: text with no more brackets than the limit cannot nest deeper than it.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any, Final

DEFAULT_MAX_JSON_DEPTH: Final = 64
JSON_DEPTH_CEILING: Final = 128
DEPTH_SETTING: Final = "AUTOMATIONS_MAX_JSON_DEPTH"

_NOT_MARKS = bytes(b for b in range(256) if b not in b'"[]{}')
# Openers become +1 and closers -1 once the bytes are read as signed.
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_PAIRS = (b"[]", b"{}")
_PEELS = 4
_CONTAINERS = (dict, list)
_PATH_SEGMENTS = 6
_KEY_CHARS = 40
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def text_depth_over(text: bytes | str, limit: int) -> int | None:
    """How many levels JSON text nests, when that is more than `limit`; None when it is not.

    Brackets inside strings do not count. For text that is not JSON the answer is at least the
    depth a parser would reach before it fails, so whatever passes is safe to parse.
    """
    if isinstance(text, str):
        if text.count("[") + text.count("{") <= limit:
            return None
        data = text.encode("utf-8", errors="surrogatepass")
    elif text.count(b"[") + text.count(b"{") <= limit:
        return None
    else:
        data = text
    brackets = _brackets_outside_strings(data)
    if _depth_bound(brackets) <= limit:
        return None
    deepest = _deepest(brackets)
    return deepest if deepest > limit else None


def _brackets_outside_strings(data: bytes) -> bytes:
    # Only `\\` and `\"` can change where a string ends; dropping pairs from the left is how a
    # parser reads a run of backslashes. (Outside a string a backslash is no JSON at all: no
    # parser reads past it, so what dropping it changes after it does not matter.)
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    # Quotes and brackets only. Two quotes side by side bound a string without brackets (or
    # nothing between two strings): dropping them keeps every other quote's parity.
    marks = data.translate(None, _NOT_MARKS).replace(b'""', b"")
    return b"".join(marks.split(b'"')[::2]) if b'"' in marks else marks


def _depth_bound(brackets: bytes) -> int:
    """At least the depth of `brackets`, cheaply: each replace that drops empty pairs peels at
    most one level, so the rest's depth plus the peels bounds it (usually the rest is empty)."""
    peeled = 0
    for _ in range(_PEELS):
        for pair in _PAIRS:
            fewer = brackets.replace(pair, b"")
            if len(fewer) != len(brackets):
                brackets, peeled = fewer, peeled + 1
    return _deepest(brackets) + peeled


def _deepest(brackets: bytes) -> int:
    return max(accumulate(memoryview(brackets.translate(_STEPS)).cast("b")), default=0)


def value_depth_over(value: Any, limit: int) -> list[str | int] | None:
    """Where a JSON value nests more than `limit` levels: the keys and indexes that lead to the
    first container past the limit; None if it does not."""
    level = [value] if isinstance(value, _CONTAINERS) else []
    for _ in range(limit):
        if not level:
            return None
        # One level at a time, containers only: the usual value is done in a step or two.
        level = [
            child
            for node in level
            for child in (node.values() if isinstance(node, dict) else node)
            if isinstance(child, _CONTAINERS)
        ]
    return _path_past(value, limit) if level else None


def _path_past(value: Any, limit: int) -> list[str | int]:
    """The path to the first container at depth `limit + 1` (there is one: the caller saw it)."""
    links: list[tuple[int, str | int]] = [(-1, "")]  # each container's (parent, key)
    level: list[tuple[int, Any]] = [(0, value)]
    for _ in range(limit):
        below: list[tuple[int, Any]] = []
        for index, node in level:
            pairs = node.items() if isinstance(node, dict) else enumerate(node)
            for key, child in pairs:
                if isinstance(child, _CONTAINERS):
                    links.append((index, key))
                    below.append((len(links) - 1, child))
        level = below
    return _segments(links, level[0][0])


def _segments(links: list[tuple[int, str | int]], index: int) -> list[str | int]:
    path: list[str | int] = []
    while index > 0:
        index, key = links[index]
        path.append(key)
    path.reverse()
    return path


def json_path(segments: list[str | int], root: str = "$") -> str:
    """`$.order.items[0]…` for a path, its first steps only (a path past the limit is long)."""
    text = root
    for segment in segments[:_PATH_SEGMENTS]:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif _PLAIN_KEY.fullmatch(segment) and len(segment) <= _KEY_CHARS:
            text += f".{segment}"
        else:
            shown = segment if len(segment) <= _KEY_CHARS else segment[:_KEY_CHARS] + "…"
            text += f"[{json.dumps(shown, ensure_ascii=False)}]"
    return text + ("…" if len(segments) > _PATH_SEGMENTS else "")


def too_deep_message(what: str, limit: int, detail: str) -> str:
    """`the JSON body nests deeper than the 64 levels allowed (1000 levels; ...)`: the one
    wording of the limit, with what broke it and where or how far (`detail`)."""
    return f"{what} nests deeper than the {limit} levels allowed ({detail}; {DEPTH_SETTING})"
