"""The Executor port on the embedded engine: background runs on one asyncio loop in a thread of
its own; synchronous runs on the calling thread's own loop, or, when the machine can never wait,
straight through on the calling thread (`run_now`).

Every run is an asyncio task on the real clock. Background runs checkpoint into SQLite after
each transition (a restarted server resumes them) and report their end through `on_end`, which
runs on a small thread pool because it writes to the database. Synchronous runs checkpoint in
memory only: nobody could wait for them across a restart, so the recovery aborts them instead.
Components reach the stores through `services_for(request)`, built per run so that a write made
by a process carries that process's chain depth. A background run's path is stored on its
process as it goes (`on_trace`), in the transaction of each checkpoint: from the events since
the previous one only (`service/live_trace.py:TraceBuilder`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from automations.adapters.sqlite.checkpoints import SqliteCheckpointStore
from automations.asl import (
    AslError,
    CheckpointStore,
    ComponentResolver,
    Definition,
    Engine,
    EngineOptions,
    RealClock,
)
from automations.asl.errors import ExecutionNotRedrivable
from automations.asl.ports import Clock
from automations.asl.redrive import redriven
from automations.expressions.errors import Overstayed
from automations.expressions.overstay import bounded
from automations.json_depth import DEFAULT_MAX_JSON_DEPTH
from automations.model.process import TraceStep
from automations.ports import ExecutionEnd, ExecutionRequest, OnEnd, RedriveRefused
from automations.service.live_trace import TraceBuilder

logger = logging.getLogger(__name__)

STOPPED = ("Process.Stopped", "The process was stopped.")
SYNC_TIMEOUT = "Process.Timeout"
ENGINE_FAILURE = "Process.EngineFailure"
DEFINITION_CACHE = 256
STOP_GRACE_SECONDS = 2.0
# A run that ended so keeps its checkpoint: a retry goes on from it (`redrive`).
KEPT_FOR_RETRY = frozenset({"FAILED", "TIMED_OUT"})

ChildLookup = Callable[[str], tuple[str, Mapping[str, Any]] | None]
ServicesFor = Callable[[ExecutionRequest], Mapping[str, Any]]
TraceSink = Callable[[str, list[TraceStep]], object]  # (process id, its path so far)


class _RunOverstayed(Overstayed):
    """Raised in a run on the caller's thread that is still going at the end of its time."""


class LastSnapshot:
    """A CheckpointStore that keeps only the latest snapshot of one run, unserialised."""

    def __init__(self) -> None:
        self.snapshot: dict[str, Any] | None = None

    def save(self, execution_id: str, checkpoint: dict[str, Any]) -> None:
        self.snapshot = checkpoint

    def load(self, execution_id: str) -> dict[str, Any] | None:
        return self.snapshot


class _Traced:
    """The checkpoint store of one background run, storing its process's path beside each
    checkpoint. The engine saves before every wait (a task, a timer, a back-off, branches), so
    a process that waits shows where it is; only the events since the last save are read. The
    final save is left out: the end stores the whole path with the outcome."""

    def __init__(self, store: SqliteCheckpointStore, sink: TraceSink) -> None:
        self._store = store
        self._sink = sink
        self._builder = TraceBuilder()
        self._read = 0  # how many events of the history the builder has read

    def save(self, execution_id: str, checkpoint: dict[str, Any]) -> None:
        events: list[dict[str, Any]] = checkpoint["history"]
        changed = checkpoint.get("result") is None and self._builder.feed(events[self._read :])
        self._read = len(events)
        if not changed:
            self._store.save(execution_id, checkpoint)
            return
        steps = self._builder.steps()
        self._store.save(execution_id, checkpoint, lambda: self._sink(execution_id, steps))

    def load(self, execution_id: str) -> dict[str, Any] | None:
        return self._store.load(execution_id)


class EmbeddedExecutor:
    """Runs compiled scenarios in-process; `close()` stops the loop thread."""

    def __init__(
        self,
        *,
        checkpoints: SqliteCheckpointStore,
        services_for: ServicesFor,
        children: ChildLookup,
        max_payload_bytes: int,
        max_json_depth: int = DEFAULT_MAX_JSON_DEPTH,
        clock: Clock | None = None,
        finishers: int = 4,
        on_trace: TraceSink | None = None,
    ) -> None:
        self._checkpoints = checkpoints
        self._on_trace = on_trace
        self._services_for = services_for
        self._children = children
        self._max_payload_bytes = max_payload_bytes
        self._clock = clock or RealClock()
        self._resolver = ComponentResolver(
            definitions=self._child_definition, max_json_depth=max_json_depth
        )
        # A machine that never waits calls no component: it needs no services.
        self._now_options = EngineOptions(max_payload_bytes=max_payload_bytes, gives_way=False)
        self._parsed: OrderedDict[str, Definition] = OrderedDict()
        self._parsed_lock = threading.Lock()
        self._tasks: dict[str, asyncio.Task[ExecutionEnd]] = {}
        self._closing = False
        self._finisher = ThreadPoolExecutor(max_workers=finishers, thread_name_prefix="finish")
        # Components run in the loops' default executor: size it for many waiting on I/O.
        self._components = ThreadPoolExecutor(max_workers=32, thread_name_prefix="component")
        self._local = threading.local()  # each synchronous caller's own event loop
        self._caller_loops: list[asyncio.AbstractEventLoop] = []
        self._loop = asyncio.new_event_loop()
        self._loop.set_default_executor(self._components)
        self._thread = threading.Thread(target=self._loop.run_forever, name="engine", daemon=True)
        self._thread.start()

    # --- the port ---------------------------------------------------------------------------------

    def start(self, request: ExecutionRequest, on_end: OnEnd) -> None:
        asyncio.run_coroutine_threadsafe(
            self._background(request, on_end, resume=False), self._loop
        )

    def resume(self, request: ExecutionRequest, on_end: OnEnd) -> None:
        asyncio.run_coroutine_threadsafe(self._background(request, on_end, resume=True), self._loop)

    def redrive(
        self, request: ExecutionRequest, variables: Mapping[str, Any] | None, on_end: OnEnd
    ) -> None:
        """From the checkpoint a failed background run kept (`_finish`), made to go on from
        the states that failed (`asl/redrive.py`), then resumed."""
        saved = self._checkpoints.load(request.process_id)
        if saved is None:
            raise RedriveRefused(
                "its run kept nothing to go on from (it ran before retries existed, or "
                "while someone waited for it): start the scenario again instead"
            )
        try:
            ready = redriven(saved, self._clock.now(), variables)
        except ExecutionNotRedrivable as refused:
            raise RedriveRefused(str(refused)) from None
        self._checkpoints.save(request.process_id, ready)
        self.resume(request, on_end)

    def run(self, request: ExecutionRequest, timeout_seconds: float) -> ExecutionEnd:
        # On the caller's own loop, not the engine thread: no hand-over between threads per run,
        # and many synchronous callers never queue behind each other or the background runs.
        # The loop's own timeout needs the loop to get a turn; a run that never gives way (a
        # gateway loop over slow expressions) is cut by the bound instead, and the loop it held,
        # stopped anywhere, is thrown away with it.
        loop = self._thread_loop()
        try:
            with bounded(timeout_seconds + STOP_GRACE_SECONDS + 1.0, _RunOverstayed):
                return loop.run_until_complete(self._bounded(request, timeout_seconds))
        except _RunOverstayed:
            self._drop_thread_loop(loop)
            return ExecutionEnd("ABORTED", timed_out=True)

    async def _bounded(self, request: ExecutionRequest, timeout_seconds: float) -> ExecutionEnd:
        task = asyncio.ensure_future(self._tracked(request, LastSnapshot(), resume=False))
        done, _ = await asyncio.wait({task}, timeout=timeout_seconds)
        if task in done:
            return task.result()
        task.cancel()  # the cancelled run reports its history up to the stop
        done, _ = await asyncio.wait({task}, timeout=STOP_GRACE_SECONDS)
        history = task.result().history if task in done and not task.cancelled() else []
        return ExecutionEnd("ABORTED", history=history, timed_out=True)

    def _thread_loop(self) -> asyncio.AbstractEventLoop:
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None:
            loop = self._local.loop = asyncio.new_event_loop()
            loop.set_default_executor(self._components)
            with self._parsed_lock:
                self._caller_loops.append(loop)
        return loop

    def _drop_thread_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._local.loop = None
        with self._parsed_lock:
            self._caller_loops.remove(loop)
        for process_id, task in list(self._tasks.items()):
            if task.get_loop() is loop:
                del self._tasks[process_id]
        with contextlib.suppress(RuntimeError):  # (its tasks are dropped, never run again)
            loop.close()

    def can_run_now(self, request: ExecutionRequest) -> bool:
        # Only Pass, Choice, Succeed and Fail (and Parallel/Map of them): no task, no timer.
        return not self._definition(
            request.definition_key, request.definition, request
        ).machine.suspends

    def run_now(self, request: ExecutionRequest, budget_seconds: float) -> ExecutionEnd | None:
        # Nothing in such a machine awaits: its coroutine ends at the first step, with no event
        # loop, no task and no checkpoint (nobody could resume a run that never gave way).
        # It calls no component either, so a run cut short at its budget has done nothing.
        run = self._execute(request, None, resume=False, options=self._now_options)
        try:
            with bounded(budget_seconds, _RunOverstayed):
                run.send(None)
        except StopIteration as finished:
            end: ExecutionEnd = finished.value
            return end
        except _RunOverstayed:
            run.close()
            return None
        run.close()
        raise RuntimeError(f"process {request.process_id} waited, but its machine cannot wait")

    def stop(self, process_id: str) -> bool:
        task = self._tasks.get(process_id)
        if task is None or task.done():
            return False
        task.get_loop().call_soon_threadsafe(task.cancel)
        return True

    def close(self) -> None:
        """Cancel every run and stop the loop thread (their processes stay `running`)."""
        self._closing = True  # a shutdown is not a stop: the next start resumes these runs
        for task in list(self._tasks.values()):
            if task.get_loop() is not self._loop:
                task.get_loop().call_soon_threadsafe(task.cancel)
        if self._loop.is_running():  # its runs unwind before it stops (no task left pending)
            settled = asyncio.run_coroutine_threadsafe(self._cancel_runs(), self._loop)
            with contextlib.suppress(Exception):
                settled.result(STOP_GRACE_SECONDS + 1.0)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._finisher.shutdown(wait=False, cancel_futures=True)
        with self._parsed_lock:
            idle = [loop for loop in self._caller_loops if not loop.is_running()]
        for loop in idle:  # the synchronous callers' loops: closed here, not at some collection
            loop.close()

    async def _cancel_runs(self) -> None:
        runs = [task for task in self._tasks.values() if task.get_loop() is self._loop]
        for task in runs:
            task.cancel()
        if runs:
            await asyncio.wait(runs, timeout=STOP_GRACE_SECONDS)

    # --- runs -------------------------------------------------------------------------------------

    async def _background(self, request: ExecutionRequest, on_end: OnEnd, *, resume: bool) -> None:
        store: CheckpointStore = self._checkpoints
        if self._on_trace is not None:
            store = _Traced(self._checkpoints, self._on_trace)
        end = await self._tracked(request, store, resume=resume)
        if self._closing:
            return
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._finisher, self._finish, request.process_id, end, on_end)

    def _finish(self, process_id: str, end: ExecutionEnd, on_end: OnEnd) -> None:
        try:
            on_end(end)
        except Exception:
            # Keep the checkpoint: the recovery at the next start finishes the process.
            logger.exception("storing the end of process %s failed", process_id)
            return
        if end.status not in KEPT_FOR_RETRY:
            self._checkpoints.discard(process_id)

    async def _tracked(
        self, request: ExecutionRequest, checkpoints: CheckpointStore, *, resume: bool
    ) -> ExecutionEnd:
        task = asyncio.current_task()
        assert task is not None
        self._tasks[request.process_id] = task
        try:
            return await self._execute(request, checkpoints, resume=resume)
        except asyncio.CancelledError:
            saved = checkpoints.load(request.process_id)
            history = list(saved["history"]) if saved else []
            return ExecutionEnd("ABORTED", error=STOPPED[0], cause=STOPPED[1], history=history)
        finally:
            self._tasks.pop(request.process_id, None)

    async def _execute(
        self,
        request: ExecutionRequest,
        checkpoints: CheckpointStore | None,
        *,
        resume: bool,
        options: EngineOptions | None = None,
    ) -> ExecutionEnd:
        if options is None:
            options = EngineOptions(
                max_payload_bytes=self._max_payload_bytes, services=self._services_for(request)
            )
        engine = Engine(self._resolver, self._clock, checkpoints, options=options)
        try:
            definition = self._definition(request.definition_key, request.definition, request)
            if resume and checkpoints is not None and checkpoints.load(request.process_id):
                result = await engine.resume(request.process_id, definition)
            else:
                result = await engine.start(
                    definition,
                    request.input,
                    execution_id=request.process_id,
                    name=request.process_id,
                    state_machine_type="EXPRESS" if request.express else "STANDARD",
                )
        except AslError as exc:  # a definition or input the engine refuses, a stale checkpoint
            return ExecutionEnd(
                "FAILED", error=ENGINE_FAILURE, cause=f"{type(exc).__name__}: {exc}"
            )
        return ExecutionEnd(
            result.status, result.output, result.error, result.cause, list(result.history)
        )

    # --- definitions ------------------------------------------------------------------------------

    def _definition(
        self, key: str, source: Mapping[str, Any], request: ExecutionRequest | None = None
    ) -> Definition:
        express = request is not None and request.express
        cache_key = f"{key}/{'EXPRESS' if express else 'STANDARD'}"
        with self._parsed_lock:
            found = self._parsed.get(cache_key)
            if found is not None:
                self._parsed.move_to_end(cache_key)
                return found
        parsed = Definition.parse(
            dict(source), state_machine_type="EXPRESS" if express else "STANDARD"
        )
        with self._parsed_lock:
            self._parsed[cache_key] = parsed
            while len(self._parsed) > DEFINITION_CACHE:
                self._parsed.popitem(last=False)
        return parsed

    def _child_definition(self, scenario_id: str) -> Definition | None:
        found = self._children(scenario_id)
        if found is None:
            return None
        key, source = found
        return self._definition(key, source)
