"""More server processes on one database: `automations dev --processes N`.

CPython runs one thread of Python at a time, so one process serves web requests on one core.
With N processes, the first (the primary) does everything a single server does: it recovers
what a previous run left, and runs the dispatcher, the scheduler, the queue pump and every
background process. The N-1 workers serve the same port beside it (`SO_REUSEPORT`: the kernel
spreads connections over them) and run the synchronous processes their callers wait for, but
never a background one: through a pipe they tell the primary when they wrote events, queued
processes, or were asked to stop a process. They share the database file (writers queue on a
lock file) and a generation counter that tells each when its caches are stale.

A worker dies with the primary (Linux's parent-death signal, and a watch on its parent id
elsewhere), so a killed server never leaves processes answering on its port; the primary starts
a worker again if one dies while it runs.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.devserver.serving import serve_runtime
from automations.settings import Settings

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
PARENT_WATCH_SECONDS = 0.5


def listening_socket(host: str, port: int, *, shared: bool) -> socket.socket:
    """A bound, listening TCP socket; `shared` lets other processes bind the same port."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(False)
    return sock


class PipeToPrimary:
    """A worker's end of the pipe to the primary (any thread may use it)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._lock = threading.Lock()

    def ring(self) -> None:
        self._send("dispatcher")

    def pump(self) -> None:
        self._send("pump")

    def stop(self, process_id: str) -> None:
        self._send("stop", process_id)

    def _send(self, *message: str) -> None:
        try:
            with self._lock:
                self._connection.send(message)
        except (OSError, ValueError):  # the primary is gone: this worker goes down with it
            logger.warning("the primary server process does not answer")


class Workers:
    """The primary's side: starts the workers, serves their messages, restarts one that dies."""

    def __init__(
        self, runtime: LocalRuntime, settings: Settings, db_path: str, host: str, port: int
    ) -> None:
        self._runtime = runtime
        self._args = (settings, db_path, host, port, os.getpid())
        self._context = multiprocessing.get_context("spawn")
        self._workers: dict[int, tuple[BaseProcess, Connection]] = {}
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="workers", daemon=True)

    def start(self, count: int) -> Workers:
        for slot in range(count):
            self._spawn(slot)
        self._thread.start()
        return self

    def _spawn(self, slot: int) -> None:
        ours, theirs = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=worker_main, args=(*self._args, theirs), name=f"automations-worker-{slot + 1}"
        )
        process.start()
        theirs.close()
        self._workers[slot] = (process, ours)

    def _serve(self) -> None:
        while not self._closing.is_set():
            waiting: dict[Any, int] = {}
            for slot, (process, connection) in self._workers.items():
                waiting[connection] = slot
                waiting[process.sentinel] = slot
            for ready in wait(list(waiting), timeout=1.0):
                slot = waiting[ready]
                process, connection = self._workers[slot]
                if ready is connection:
                    self._receive(connection)
                elif not self._closing.is_set():
                    logger.warning(
                        "worker %s ended (%s): starting it again", slot + 1, process.exitcode
                    )
                    connection.close()
                    self._spawn(slot)

    def _receive(self, connection: Connection) -> None:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            time.sleep(0.05)  # the worker is ending; its sentinel says so next
            return
        kind = message[0]
        if kind in ("dispatcher", "pump"):
            self._runtime.wake(kind)
        elif kind == "stop":
            stopping = threading.Thread(
                target=self._stop, args=(message[1],), name="stop", daemon=True
            )
            stopping.start()

    def _stop(self, process_id: str) -> None:
        try:
            self._runtime.automation.processes.stop(process_id)
        except Exception:  # already finished, or gone: the worker reads the store anyway
            logger.debug("stopping %s for a worker", process_id, exc_info=True)

    def close(self, timeout: float = 10.0) -> None:
        """Stop every worker (SIGTERM, then SIGKILL after `timeout`)."""
        self._closing.set()
        for process, _ in self._workers.values():
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process, connection in self._workers.values():
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
            connection.close()
        self._thread.join(2)


def worker_main(
    settings: Settings, db_path: str, host: str, port: int, parent: int, link: Connection
) -> None:
    """A worker process: the API and web requests on the shared port, until its primary ends."""
    _die_with_parent(parent)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    runtime = build_runtime(db_path, settings, primary=PipeToPrimary(link))
    try:
        serve_runtime(runtime, listening_socket(host, port, shared=True))
    finally:
        runtime.close()


def _die_with_parent(parent: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the signal was asked for
        os._exit(1)

    def watch() -> None:  # where there is no parent-death signal
        while os.getppid() == parent:
            time.sleep(PARENT_WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
