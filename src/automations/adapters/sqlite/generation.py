"""A counter that every server process of one database shares, to know when its caches are stale.

The embedded server keeps a few things in memory that every web request would otherwise read
from SQLite (which endpoint a urlId names, which version of a scenario is the latest). Several
server processes may serve one database: a process that changes such a thing moves the counter
on after its commit, and every process compares the counter with the one its cache was filled
under. The counter is 8 bytes of a small file beside the database, mapped into memory: reading
it is a memory read, with no system call and no SQLite statement on the request's path.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import struct
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

_COUNTER = struct.Struct("<Q")
K = TypeVar("K")
V = TypeVar("V")


class Generation:
    """The shared counter of the database at `db_path` (an in-process one for `:memory:`)."""

    def __init__(self, db_path: str) -> None:
        self._lock = threading.Lock()
        self._local = 0
        self._map: mmap.mmap | None = None
        self._descriptor = -1
        if db_path != ":memory:" and not db_path.startswith("file:"):
            self._descriptor = os.open(Path(f"{db_path}-generation"), os.O_RDWR | os.O_CREAT, 0o600)
            if os.fstat(self._descriptor).st_size < _COUNTER.size:
                os.ftruncate(self._descriptor, _COUNTER.size)
            self._map = mmap.mmap(self._descriptor, _COUNTER.size)

    def current(self) -> int:
        """The counter now."""
        if self._map is None:
            return self._local
        return int(_COUNTER.unpack_from(self._map, 0)[0])

    def advance(self) -> None:
        """Move the counter on: what any process cached before now is stale. Call it after the
        change is committed, so that no process can fill its cache with the old value under
        the new number."""
        with self._lock:
            if self._map is None:
                self._local += 1
                return
            # Locked across processes: two advancing at once must give two numbers, or a reader
            # that cached between them would miss the second change.
            fcntl.flock(self._descriptor, fcntl.LOCK_EX)
            try:
                value = _COUNTER.unpack_from(self._map, 0)[0]
                _COUNTER.pack_into(self._map, 0, (value + 1) % 2**64)
            finally:
                fcntl.flock(self._descriptor, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            os.close(self._descriptor)
            self._map = None


class GenerationCache(Generic[K, V]):
    """Lookups remembered until the generation moves (a store's writes must `advance` it)."""

    def __init__(self, generation: Generation) -> None:
        self._generation = generation
        self._values: dict[K, V] = {}
        self._seen = generation.current()  # what the remembered lookups were made under
        self._lock = threading.Lock()

    def get(self, key: K, load: Callable[[K], V]) -> V:
        """The remembered value of `key`, or `load(key)` (kept unless a write came meanwhile)."""
        generation = self._generation.current()
        with self._lock:
            if generation != self._seen:
                self._values.clear()
                self._seen = generation
            elif key in self._values:
                return self._values[key]
        value = load(key)
        with self._lock:
            if generation == self._seen == self._generation.current():
                self._values[key] = value
        return value
