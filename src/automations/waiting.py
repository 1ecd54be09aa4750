"""The `Counters` and `Waits` ports as both runtimes fill them: behind a lock, and by polling.

They live below the use cases so that those stay free of threads, locks and sleeps (a runtime
may serve one request at a time, or many threads and an event loop at once), and are shared by
the two runtimes, which import nothing of each other.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class ThreadSafeCounters:
    """Counters behind one lock: the embedded server counts from its API threads, the engine's
    thread and the event loop at once."""

    def __init__(self) -> None:
        self._values: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._values[name] = self._values.get(name, 0) + amount

    def at_least(self, name: str, value: int) -> None:
        with self._lock:
            self._values[name] = max(self._values.get(name, 0), value)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._values)


class PollingWaits:
    """Waits by asking `done()` every `poll_seconds`: what is waited for is stored by another
    thread or process (the engine, the primary server process, the dispatcher on AWS), none of
    which can wake this one."""

    def __init__(self, poll_seconds: float) -> None:
        self._poll = poll_seconds

    def until(self, done: Callable[[], bool], seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(self._poll, left))
        return True
