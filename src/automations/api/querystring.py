"""Bracketed query keys (`filters[0][value][at]=...`, as PHP and the product's clients write them)
read into nested lists and objects. Bounded: an attacker writes these keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from automations.api.errors import BadRequest

MAX_DEPTH = 8
MAX_KEYS = 500
MAX_INDEX = 1000
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def _segments(key: str, root: str) -> list[str] | None:
    """The bracketed parts after `root` (`["0", "value", "at"]`), or None if not under root."""
    rest = key[len(root) :]
    if not key.startswith(root + "["):
        return None
    parts = _SEGMENT.findall(rest)
    if "".join(f"[{p}]" for p in parts) != rest:
        raise BadRequest(f"malformed parameter name {key[:100]!r}")
    if len(parts) > MAX_DEPTH:
        raise BadRequest(f"{root}: nested deeper than {MAX_DEPTH} levels")
    return parts


def _insert(tree: dict[str, Any], parts: list[str], value: str) -> None:
    node = tree
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        if part == "":  # `[]` appends
            part = str(len(node))
        if part.isdigit() and int(part) > MAX_INDEX:
            raise BadRequest(f"index {part} is too large (at most {MAX_INDEX})")
        if last:
            if isinstance(node.get(part), dict):
                raise BadRequest("a parameter is given both as a value and as an object")
            node[part] = value
            return
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise BadRequest("a parameter is given both as a value and as an object")
        node = child


def _listify(node: Any) -> Any:
    """Objects whose keys are all indexes become lists, in index order."""
    if not isinstance(node, dict):
        return node
    items = {k: _listify(v) for k, v in node.items()}
    if items and all(k.isdigit() for k in items):
        return [items[k] for k in sorted(items, key=int)]
    return items


def nested_param(params: Mapping[str, list[str]], root: str) -> Any | None:
    """The structure under `root[...]` keys, or None when there are none."""
    tree: dict[str, Any] = {}
    count = 0
    for key, values in params.items():
        parts = _segments(key, root)
        if parts is None:
            continue
        for value in values:
            count += 1
            if count > MAX_KEYS:
                raise BadRequest(f"{root}: at most {MAX_KEYS} parameters")
            # `key[]=a&key[]=b` repeats the same name; each value appends.
            _insert(tree, parts, value)
    return _listify(tree) if tree else None
