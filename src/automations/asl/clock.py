"""Clocks: the real one for the server, a virtual one so tests wait a day in no time.

The virtual clock moves only when nothing else can run: every coroutine is blocked on one of
its sleeps and no outside work (a task call started through `start_work`) is in progress. Then
it jumps to the earliest wake-up time. A one-day Wait or a retry back-off costs no wall time,
and concurrent branches still wake in the right order.
"""

from __future__ import annotations

import asyncio
import contextvars
import heapq
import itertools
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class RealClock:
    """Wall-clock time and asyncio sleeps."""

    # `now` is `time.time` itself rather than a method calling it: the engine reads the clock
    # for every history event, and the extra Python call showed in every execution's cost.
    now = staticmethod(time.time)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def start_work(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        return asyncio.ensure_future(work)


class _Work:
    """One piece of outside work started by VirtualClock.start_work.

    It keeps the clock still while it runs, except while some task inside it sleeps on the
    clock (a resolver that waits, or a nested execution whose states wait): then it is only
    waiting for time itself. Tasks it starts inherit it through a context variable.
    """

    __slots__ = ("sleeping",)

    def __init__(self) -> None:
        self.sleeping = 0


_WORK: contextvars.ContextVar[_Work | None] = contextvars.ContextVar("virtual_work", default=None)


# Every running advancer task: several virtual clocks may share one event loop, and each must
# see the others' advancers as idle rather than as work.
_ADVANCERS: set[asyncio.Task[None]] = set()


def _is_advancer(handle: Any) -> bool:
    callback = getattr(handle, "_callback", None)
    return getattr(callback, "__self__", None) in _ADVANCERS


class VirtualClock:
    """Time that advances only when every coroutine waits on it (for tests and replays)."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._busy = 0
        self._idle: asyncio.Event | None = None
        self._advancer: asyncio.Task[None] | None = None

    def now(self) -> float:
        return self._now

    def advance_to(self, moment: float) -> None:
        """Move time forward to `moment` (never backwards); used when resuming a checkpoint."""
        self._now = max(self._now, moment)

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        wake: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._order), wake))
        self._ensure_advancer(loop)
        work = _WORK.get()
        if work is not None:
            work.sleeping += 1
            if work.sleeping == 1:  # the work now waits on us: it no longer holds the clock
                self._leave_work()
        try:
            await wake
        finally:
            if work is not None:
                work.sleeping -= 1
                if work.sleeping == 0:
                    self._enter_work()

    def start_work(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        return asyncio.ensure_future(self._as_work(work))

    async def _as_work(self, work: Coroutine[Any, Any, T]) -> T:
        _WORK.set(_Work())  # this task runs in its own context copy
        self._enter_work()
        try:
            return await work
        finally:
            self._leave_work()

    def _enter_work(self) -> None:
        self._busy += 1
        if self._idle is not None:
            self._idle.clear()

    def _leave_work(self) -> None:
        self._busy -= 1
        if self._busy == 0 and self._idle is not None:
            self._idle.set()

    def _ensure_advancer(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._advancer is None or self._advancer.done() or self._advancer.get_loop() is not loop:
            self._idle = asyncio.Event()
            if self._busy == 0:
                self._idle.set()
            self._advancer = loop.create_task(self._advance())
            _ADVANCERS.add(self._advancer)
            self._advancer.add_done_callback(_ADVANCERS.discard)

    async def _advance(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._drop_cancelled()
            if not self._sleepers:
                break  # nobody waits: stop rather than spin (a cancelled timer is no sleeper)
            await self._settle(loop)
            self._drop_cancelled()
            if not self._sleepers:
                break
            moment = self._sleepers[0][0]
            self._now = max(self._now, moment)
            while self._sleepers and self._sleepers[0][0] <= self._now:
                _, _, wake = heapq.heappop(self._sleepers)
                if not wake.done():
                    wake.set_result(None)

    async def _settle(self, loop: asyncio.AbstractEventLoop) -> None:
        """Return when no other callback is ready to run and no outside work is in progress."""
        while True:
            await asyncio.sleep(0)
            if self._busy:
                assert self._idle is not None
                await self._idle.wait()
                continue
            ready = getattr(loop, "_ready", None)  # CPython's run queue; absent elsewhere
            if ready is None:
                for _ in range(50):
                    await asyncio.sleep(0)
                return
            if all(_is_advancer(handle) for handle in ready):
                return  # only other virtual clocks' advancers are runnable: the loop is idle

    def _drop_cancelled(self) -> None:
        live = [entry for entry in self._sleepers if not entry[2].done()]
        if len(live) != len(self._sleepers):
            heapq.heapify(live)
            self._sleepers = live
