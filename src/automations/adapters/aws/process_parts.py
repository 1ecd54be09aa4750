"""Process items that would not fit in DynamoDB: their large parts kept in S3, by reference.

A process item holds its record as one zlib-compressed JSON body. Input and output may each
approach the process data limit and a trace grows with every step, so a body can compress to
more than the 400 KB DynamoDB allows an item (names and values counted, `item_size`). Past
ITEM_BUDGET_BYTES the largest parts (`input`, `output`, then `trace`, the list's path, last)
leave the body for one compressed S3 object, `processes/<process id>/<random token>`, and the
item keeps a pointer to it (`parts`: key, which parts, their SHA-256); when the trace leaves,
the item keeps its length and last step (`pathSteps`, `pathLast`) so that a list reads no object.

Objects are never rewritten: a write whose moved parts are unchanged keeps the object it had
(same digest), a changed one puts a new object and, once its item is written, deletes the one
it replaces; a write that loses its compare-and-set deletes its own. So an item always names an
object that exists, except for a reader caught between a write and that deletion, which reads
the item again (`DynamoProcessStore`).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from automations.adapters.aws.client_errors import Meaning, meaning
from automations.adapters.aws.dynamo import dumps, item

BUCKET_VARIABLE = "PROCESS_PARTS_BUCKET"
PREFIX = "processes/"
# DynamoDB refuses an item over 400 KB; the rest is room for what is added beside the record
# (a running process's trace cursor) and for rounding in `item_size`.
ITEM_BUDGET_BYTES = 350_000
# Moved out first to last: the trace stays in the item longest, the list shows its summary.
LARGE_PARTS = ("input", "output", "trace")
BODY, POINTER, PATH_STEPS, PATH_LAST = "body", "parts", "pathSteps", "pathLast"


class ProcessTooLarge(Exception):
    """Raised when a process item would pass DynamoDB's item limit and no bucket is configured
    for its large parts (`PROCESS_PARTS_BUCKET`)."""


@dataclass(frozen=True, slots=True)
class Pointer:
    """Where the parts moved out of an item are: the S3 key, which parts, the digest of the
    object's bytes (a write with the same parts keeps the object)."""

    key: str
    names: tuple[str, ...]
    sha256: str

    def text(self) -> str:
        return dumps({"key": self.key, "names": list(self.names), "sha256": self.sha256})

    @classmethod
    def parsed(cls, text: str) -> Pointer:
        document = json.loads(text)
        return cls(str(document["key"]), tuple(document["names"]), str(document["sha256"]))


@dataclass(frozen=True, slots=True)
class Packed:
    """A record as an item's attributes (`body`, and the path summary when the trace left),
    and the parts that leave the item: their names and compressed bytes (none: all in body)."""

    attributes: dict[str, Any]
    moved: tuple[str, ...] = ()
    blob: bytes = b""

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.blob).hexdigest()


def pack(document: dict[str, Any], fixed_bytes: int, budget: int = ITEM_BUDGET_BYTES) -> Packed:
    """The record `document` (its JSON form) as item attributes within `budget` bytes, counting
    `fixed_bytes` for the item's other attributes. Parts leave by size, largest first, the trace
    last; a pointer attribute is counted in the budget before it exists."""
    whole = {BODY: _compressed(document)}
    if fixed_bytes + attributes_size(whole) <= budget:
        return Packed(whole)
    sizes = {name: len(_compressed(document.get(name))) for name in LARGE_PARTS}
    order = [*sorted(LARGE_PARTS[:-1], key=lambda name: -sizes[name]), LARGE_PARTS[-1]]
    room = budget - fixed_bytes - _POINTER_BYTES
    moved: list[str] = []
    for name in order:
        moved.append(name)
        packed = _split(document, moved)
        if attributes_size(packed.attributes) <= room:
            return packed
    return packed  # the head alone is too big: DynamoDB says so when it is written


def _split(document: dict[str, Any], moved: list[str]) -> Packed:
    head = {name: value for name, value in document.items() if name not in moved}
    attributes: dict[str, Any] = {BODY: _compressed(head)}
    if "trace" in moved:
        trace = document.get("trace") or []
        attributes[PATH_STEPS] = len(trace)
        attributes[PATH_LAST] = dumps(trace[-1]) if trace else None
    parts = {name: document.get(name) for name in moved}
    return Packed(attributes, tuple(moved), _compressed(parts))


def unpacked(found: Mapping[str, Any], parts: bytes | None) -> bytes | None:
    """The record's JSON text from an item (`found`, plain values) and the bytes of the object
    its pointer names (None: not read, as for a list: the moved parts are left out, but for the
    last step of a moved trace). None when the body cannot be read."""
    try:
        body: bytes = zlib.decompress(found[BODY])
    except (KeyError, TypeError, zlib.error):
        return None
    if pointer_of(found) is None:
        return body  # the whole record: the reader validates it
    try:
        head = json.loads(body)
        moved = json.loads(zlib.decompress(parts)) if parts is not None else None
    except (ValueError, RecursionError, zlib.error):
        return None
    if not isinstance(head, dict) or not isinstance(moved, dict | None):
        return None
    if moved is not None:
        head |= moved
    elif found.get(PATH_LAST):
        head["trace"] = [json.loads(found[PATH_LAST])]
    return dumps(head).encode("utf-8")


def pointer_of(found: Mapping[str, Any]) -> Pointer | None:
    """The item's pointer to its moved parts (None: all of it is in the body)."""
    text = found.get(POINTER)
    return Pointer.parsed(text) if isinstance(text, str) else None


def _compressed(value: Any) -> bytes:
    return zlib.compress(dumps(value).encode("utf-8"))


# --- item size, as DynamoDB counts it ----------------------------------------------------------


def attributes_size(attributes: Mapping[str, Any]) -> int:
    """`item_size` of plain attribute values (str, int, bytes, bool; None left out)."""
    return item_size(item(attributes))


def item_size(stored: Mapping[str, Mapping[str, Any]]) -> int:
    """The size DynamoDB counts for an item in its wire form: each attribute's name in UTF-8
    plus its value (strings in UTF-8, binary as is, a number about one byte per two digits plus
    one, 3 bytes and one per element for maps and lists), rounded up where AWS leaves it vague."""
    return sum(len(name.encode("utf-8")) + _value_size(value) for name, value in stored.items())


def _value_size(value: Mapping[str, Any]) -> int:
    kind, raw = next(iter(value.items()))
    match kind:
        case "S":
            return len(raw.encode("utf-8"))
        case "B":
            return len(raw)
        case "N":
            return (len(raw.lstrip("-").replace(".", "")) + 1) // 2 + 1
        case "BOOL" | "NULL":
            return 1
        case "SS" | "NS" | "BS":
            return sum(_value_size({kind[0]: element}) for element in raw)
        case "L":
            return 3 + sum(1 + _value_size(element) for element in raw)
        case _:  # M
            return 3 + sum(
                1 + len(name.encode("utf-8")) + _value_size(element)
                for name, element in raw.items()
            )


_POINTER_BYTES = len(POINTER) + len(
    Pointer(PREFIX + "x" * 100 + "/" + "t" * 32, LARGE_PARTS, "0" * 64).text()
)


# --- the bucket ---------------------------------------------------------------------------------


class S3ProcessParts:
    """The parts objects of process items, under `processes/` in one bucket."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self._bucket = bucket

    def put(self, process_id: str, blob: bytes) -> str:
        """Store a new object; its key (random: no other write ever names it)."""
        key = f"{PREFIX}{process_id}/{secrets.token_hex(16)}"
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=blob, ContentType="application/zlib")
        return key

    def get(self, key: str) -> bytes | None:
        """The object's bytes; None when it is gone (its item was written again since)."""
        try:
            answer = self._s3.get_object(Bucket=self._bucket, Key=key)
        except Exception as exc:
            if meaning(exc) is Meaning.NOT_FOUND:
                return None
            raise
        body: bytes = answer["Body"].read()
        return body

    def delete(self, key: str) -> None:
        """Delete an object no item names any more (S3 answers a missing one alike)."""
        self._s3.delete_object(Bucket=self._bucket, Key=key)
