"""Background loops of the embedded server: dispatcher, scheduler and queue pump.

Each loop runs one step, then sleeps until its interval passes or its doorbell rings (a record
write rings the dispatcher's, so events leave the outbox at once instead of at the next poll).
A step that raises is logged and retried at the next turn: a loop never dies of one bad step.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from automations.model.event import ChangeEvent
from automations.model.filters import FilterExpr
from automations.model.record import Record, RecordQuery
from automations.ports import RecordStore

logger = logging.getLogger(__name__)


class Bell(Protocol):
    """Something to ring when there is work for a loop (here, or in another server process)."""

    def ring(self) -> None: ...


class Doorbell:
    """Wakes a loop before its interval is over."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def ring(self) -> None:
        self._event.set()

    def wait(self, timeout: float) -> None:
        self._event.wait(timeout)
        self._event.clear()


class Loop:
    """Runs `step` in a daemon thread every `interval` seconds (sooner when the bell rings).

    `step` returns True when it should run again at once (it left work undone).
    """

    def __init__(
        self, name: str, step: Callable[[], Any], interval: float, bell: Doorbell | None = None
    ) -> None:
        self.name = name
        self._step = step
        self._interval = interval
        self.bell = bell or Doorbell()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self.bell.ring()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                again = bool(self._step())
            except Exception:
                logger.exception("the %s loop failed a step; it tries again", self.name)
                again = False
            if not again:
                self.bell.wait(self._interval)


class RingingRecordStore:
    """A RecordStore that rings a doorbell after every write (each write leaves an event)."""

    def __init__(self, inner: RecordStore, bell: Bell) -> None:
        self._inner = inner
        self._bell = bell

    def next_id(self, catalog_id: str) -> str:
        return self._inner.next_id(catalog_id)

    def get(self, catalog_id: str, record_id: str) -> Record | None:
        return self._inner.get(catalog_id, record_id)

    def find(self, catalog_id: str, query: RecordQuery) -> list[Record]:
        return self._inner.find(catalog_id, query)

    def count(self, catalog_id: str, where: FilterExpr | None = None) -> int:
        return self._inner.count(catalog_id, where)

    def create(self, record: Record, event: ChangeEvent) -> None:
        self._inner.create(record, event)
        self._bell.ring()

    def update(self, record: Record, event: ChangeEvent, *, expected_revision: int) -> bool:
        done = self._inner.update(record, event, expected_revision=expected_revision)
        self._bell.ring()
        return done

    def delete(self, record: Record, event: ChangeEvent, *, expected_revision: int) -> bool:
        done = self._inner.delete(record, event, expected_revision=expected_revision)
        self._bell.ring()
        return done


def stop_all(loops: Sequence[Loop]) -> None:
    """Stop loops (each gets its own timeout)."""
    for loop in loops:
        loop.stop()
