"""A stored file as the API and the components see it: its id, name, media type and size."""

from __future__ import annotations

import re
import secrets

from automations.model.base import CamelModel, UtcDateTime

DEFAULT_MAX_FILE_BYTES = 25 * 1024 * 1024
DEFAULT_TYPE = "application/octet-stream"

# 128 random bits in hex: unguessable, and safe as a file or object name wherever it is used.
_FILE_ID = re.compile(r"[0-9a-f]{32}")


class StoredFile(CamelModel):
    """A file kept by the file store. `id` is opaque (a random token, never a path), so a
    scenario cannot name a file it was not given."""

    id: str
    name: str
    type: str
    size: int
    created: UtcDateTime


def new_file_id() -> str:
    """A fresh file id."""
    return secrets.token_hex(16)


def is_file_id(text: str) -> bool:
    """Whether `text` has the shape of a file id (anything else names no file, whatever it
    holds: a store never turns it into a path or a key)."""
    return _FILE_ID.fullmatch(text) is not None
