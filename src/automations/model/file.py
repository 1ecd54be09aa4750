"""A stored file as the API and the components see it: its id, name, media type and size."""

from __future__ import annotations

from automations.model.base import CamelModel, UtcDateTime


class StoredFile(CamelModel):
    """A file kept by the file store. `id` is opaque (a random token, never a path), so a
    scenario cannot name a file it was not given."""

    id: str
    name: str
    type: str
    size: int
    created: UtcDateTime
