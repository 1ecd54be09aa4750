"""Time limits that hold inside built-in functions, where no check of ours runs.

An expression's own deadline is checked between the nodes it evaluates, which is cheap and
exact, but a built-in function (jsonata-python's `$distinct` is quadratic, `$sort` calls its
comparator a million times) runs for as long as it likes between two checks. So a bounded
piece of work registers its deadline for its thread here, and one watchdog thread, waking every
`TICK_SECONDS`, raises the bound's exception *in that thread* once the deadline has passed
(CPython's `PyThreadState_SetAsyncExc`: raised at the thread's next bytecode boundary, so a
loop written in Python stops within a tick, and a single call into C as soon as it returns —
which is why regular expressions run on an engine with its own timeout, see `regex_engine`).

Time here is `clock()`: the monotonic clock less the interpreter's garbage collections. A
collection of a large heap stops every thread for as long as it takes (over a second in a long
test run, for any expression that happens to be running); that time is no evaluation's, so no
bound is charged for it.

The exception is injected at most once per bound and only while the bound is registered; the
watchdog unregisters a bound as it fires it, and the bound clears an undelivered injection
when its work ends first (under the same lock), so the exception can only ever be raised
inside the bounded block, never after it.
"""

from __future__ import annotations

import ctypes
import gc
import os
import threading
import time
from types import TracebackType
from typing import Final, NoReturn

from automations.expressions.errors import Overstayed

TICK_SECONDS: Final = 0.01

_SET_ASYNC_EXC = ctypes.pythonapi.PyThreadState_SetAsyncExc

_collecting_since: float | None = None
_collected_seconds = 0.0  # every collection's pause so far


def _count_collection(phase: str, _info: dict[str, int]) -> None:
    # Collections run one at a time (under the GIL), whichever thread starts them.
    global _collecting_since, _collected_seconds
    if phase == "start":
        _collecting_since = time.monotonic()
    elif _collecting_since is not None:
        _collected_seconds += time.monotonic() - _collecting_since
        _collecting_since = None


gc.callbacks.append(_count_collection)


def clock() -> float:
    """Monotonic seconds that stand still while the garbage collector runs."""
    since = _collecting_since  # (the watchdog may look while a collection's callback runs)
    return (time.monotonic() if since is None else since) - _collected_seconds


def _inject(thread: int, error: type[BaseException] | None) -> None:
    """Raise `error` in `thread` at its next bytecode boundary; None takes back one not raised."""
    _SET_ASYNC_EXC(ctypes.c_ulong(thread), None if error is None else ctypes.py_object(error))


class _Bound:
    __slots__ = ("deadline", "error", "fired", "outer", "thread")

    def __init__(
        self, deadline: float, error: type[Overstayed], outer: _Bound | None, thread: int
    ) -> None:
        self.deadline = deadline
        self.error = error
        self.outer = outer
        self.thread = thread
        self.fired = False


_lock = threading.Lock()
_active: dict[int, _Bound] = {}  # thread id -> its innermost registered bound
_watchdog: threading.Thread | None = None


class bounded:
    """`with bounded(seconds, error):` raises `error` (an Overstayed subclass) inside the block
    if it is still running `seconds` from now. Nested bounds: the earliest deadline wins."""

    __slots__ = ("_bound", "_error", "_seconds")

    def __init__(self, seconds: float, error: type[Overstayed]) -> None:
        self._seconds = seconds
        self._error = error
        self._bound: _Bound | None = None

    def __enter__(self) -> None:
        thread = threading.get_ident()
        deadline = clock() + self._seconds
        with _lock:
            outer = _active.get(thread)
            if outer is not None and outer.deadline <= deadline:
                return  # the enclosing bound ends first: it is the limit that applies
            self._bound = _active[thread] = _Bound(deadline, self._error, outer, thread)
        if _watchdog is None:
            _start_watchdog()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        bound = self._bound
        if bound is None:
            return
        with _lock:
            if _active.get(bound.thread) is bound:
                _restore(bound)
            if bound.fired and not _outer_fired(bound):
                _inject(bound.thread, None)  # fired, perhaps not raised yet: not past the block


def remaining() -> float | None:
    """Seconds left to the calling thread's innermost bound, or None when it has none."""
    bound = _active.get(threading.get_ident())
    return None if bound is None else max(bound.deadline - clock(), 0.0)


def expire(default: type[Overstayed]) -> NoReturn:
    """Raise the calling thread's innermost bound's error now (its time is up: a call with a
    timeout of its own, given `remaining()`, says so), or `default` outside any bound."""
    with _lock:
        bound = _active.get(threading.get_ident())
        if bound is not None:
            bound.fired = True  # the watchdog must not raise it a second time
            _restore(bound)
    raise default if bound is None else bound.error


def _outer_fired(bound: _Bound) -> bool:
    outer = bound.outer
    while outer is not None:
        if outer.fired:
            return True
        outer = outer.outer
    return False


def _restore(bound: _Bound) -> None:
    if bound.outer is None:
        del _active[bound.thread]
    else:
        _active[bound.thread] = bound.outer


def _fire_due(now: float) -> None:
    with _lock:
        for bound in [b for b in _active.values() if b.deadline <= now]:
            bound.fired = True
            _restore(bound)
            _inject(bound.thread, bound.error)


def _watch() -> None:
    while True:
        time.sleep(TICK_SECONDS)
        if _active:
            _fire_due(clock())


def _start_watchdog() -> None:
    global _watchdog
    with _lock:
        if _watchdog is not None:
            return
        _watchdog = threading.Thread(target=_watch, name="overstay-watchdog", daemon=True)
        _watchdog.start()


def _forget_after_fork() -> None:
    # A forked child has none of its parent's threads: it starts its own watchdog when needed.
    global _watchdog, _lock
    _watchdog = None
    _lock = threading.Lock()
    _active.clear()


os.register_at_fork(after_in_child=_forget_after_fork)
