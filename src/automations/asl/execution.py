"""One execution: the frame loop, Retry/Catch, the machine's timeout and checkpoints.

Each frame runs its states one after the other. A state's handler returns an Outcome or raises
StatesFailure; the loop then writes the history events Step Functions writes, applies
assignments once the state is done, and checkpoints after every transition.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from automations.asl import errors, history, jsonata_io, jsonpath_io
from automations.asl.context import ExecutionInfo, execution_context
from automations.asl.definition import Catcher, Definition
from automations.asl.errors import HistoryLimitReached, StatesFailure
from automations.asl.frames import Frame
from automations.asl.history import History
from automations.asl.json_text import to_json_text
from automations.asl.options import EngineOptions, ExecutionResult, Status
from automations.asl.ports import CheckpointStore, Clock, ResourceResolver
from automations.asl.retry import backoff_seconds, find_catcher, find_retrier
from automations.asl.run import Outcome, StateRun
from automations.asl.states import FAILED_EVENTS, HANDLERS

__all__ = ["CHECKPOINT_VERSION", "EngineOptions", "Execution", "ExecutionResult", "Status"]

CHECKPOINT_VERSION = 1
# How long a frame runs states without awaiting before it lets the event loop have a turn.
GIVE_WAY_SECONDS = 0.05


class _PastTimeout(Exception):
    """Raised in a frame that finds the machine's TimeoutSeconds passed as it gives way."""


# Every state's entered / exited event type, written once rather than formatted per event.
_ENTERED = {kind: f"{kind}StateEntered" for kind in HANDLERS}
_EXITED = {kind: f"{kind}StateExited" for kind in HANDLERS}


class Execution:
    """A running (or resumed) execution of one definition."""

    def __init__(
        self,
        definition: Definition,
        info: ExecutionInfo,
        *,
        resolver: ResourceResolver,
        clock: Clock,
        checkpoints: CheckpointStore | None,
        options: EngineOptions,
        events: list[dict[str, Any]] | None = None,
        root: Frame | None = None,
        result: ExecutionResult | None = None,
        input_text_is_ours: bool = False,
    ) -> None:
        """`input_text_is_ours`: `info.input_text` is `to_json_text(info.input)` (the engine
        wrote it, the caller sent none), so it also serves as the first state's input text."""
        self.definition = definition
        self.info = info
        self.resolver = resolver
        self.clock = clock
        self.checkpoints = checkpoints
        self.options = options
        # Step Functions' history quota holds for STANDARD executions (EXPRESS keep none).
        standard = info.state_machine_type == "STANDARD"
        self.history = History(clock.now, events, options.max_history_events if standard else None)
        self.root = root or Frame(
            id="", path=(), state=definition.machine.start_at, input=info.input
        )
        self.result = result
        self._input_text_is_ours = input_text_is_ours
        # The root frame's final output and its text, as written for its last *StateExited
        # (ExecutionSucceeded shows the same text).
        self._root_output: tuple[Any, str] | None = None
        self._dirty = False
        self._context_parts: tuple[dict[str, Any], dict[str, Any]] | None = None

    @cached_property
    def rng(self) -> random.Random:
        """The random source of retry jitter. Built on first use: seeding from the OS costs
        more than a whole short execution, and most executions never back off with jitter."""
        return random.Random(self.options.seed)  # noqa: S311 - jitter of retries, not secrets

    def context_parts(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """`$$.Execution` and `$$.StateMachine`, built once per execution."""
        if self._context_parts is None:
            self._context_parts = execution_context(self.info)
        return self._context_parts

    # --- the whole execution --------------------------------------------------------------------

    async def run(self) -> ExecutionResult:
        if self.result is not None:
            return self.result
        if not self.history.events:
            started = history.execution_started(self.info.input_text, self.info.role_arn)
            self.history.add("ExecutionStarted", 0, started)
            self.checkpoint()  # (the first state's previousEventId is 0, as on AWS)
            self.persist()
        full: HistoryLimitReached | None = None
        timed_out = False
        try:
            if self.definition.machine.suspends:
                work = asyncio.ensure_future(self.run_frame(self.root))
                timed_out = await self._within_timeout(work)
            else:  # no timer: a machine that never waits is checked as it gives way
                await self.run_frame(self.root)
        except _PastTimeout:
            timed_out = True
        except HistoryLimitReached as reached:
            full = reached
        result = None
        if full is None:
            try:
                result = self._conclude(timed_out)
            except HistoryLimitReached as reached:  # its end would be past the quota too
                full = reached
        if result is None:
            assert full is not None
            result = self._history_full(full)
        self.result = result
        self.checkpoint()
        self.persist()
        return result

    async def _give_way(self) -> float:
        """States that never await (a gateway loop over slow expressions) would keep the event
        loop, its timers and every other run on it waiting: now and then they let the loop have
        a turn, and see whether the machine's TimeoutSeconds has passed (_PastTimeout)."""
        timeout = self.definition.timeout_seconds
        if timeout is not None and self.clock.now() > self.info.start_time + timeout:
            raise _PastTimeout
        if self.options.gives_way:
            await asyncio.sleep(0)
        return time.monotonic()

    async def _within_timeout(self, work: asyncio.Future[None]) -> bool:
        """Await the root frame; True when the machine's TimeoutSeconds passed first."""
        timeout = self.definition.timeout_seconds
        if timeout is None:
            await work
            return False
        remaining = self.info.start_time + timeout - self.clock.now()
        timer = asyncio.ensure_future(self.clock.sleep(remaining))
        try:
            done, _ = await asyncio.wait({work, timer}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            # A stop: `wait` leaves the frames running, and they would go on past it.
            work.cancel()
            await asyncio.gather(work, return_exceptions=True)
            raise
        finally:
            timer.cancel()
        if work in done:
            work.result()  # re-raise whatever escaped the frames
            return False
        work.cancel()
        await asyncio.gather(work, return_exceptions=True)
        return True

    def _conclude(self, timed_out: bool) -> ExecutionResult:
        root, last = self.root, self.root.last_event
        if timed_out:
            self.history.add("ExecutionTimedOut", self.history.last_id, {})
            return self._result("TIMED_OUT")
        if root.status == "SUCCEEDED":
            saved = self._root_output
            if saved is not None and saved[0] is root.output:
                output_text = saved[1]
            else:
                output_text = to_json_text(root.output)
            details = history.output(output_text)
            self.history.add("ExecutionSucceeded", last, details)
            return self._result("SUCCEEDED", output=root.output)
        self.history.add("ExecutionFailed", last, history.failure(root.error, root.cause))
        return self._result("FAILED", error=root.error, cause=root.cause)

    def _history_full(self, reached: HistoryLimitReached) -> ExecutionResult:
        """The end of an execution that reached the history quota: ExecutionFailed as its last
        event, States.Runtime (no Retry or Catch sees it), as Step Functions ends it."""
        cause = str(reached)
        details = history.failure(errors.RUNTIME, cause)
        self.history.add_last("ExecutionFailed", self.history.last_id, details)
        self.root.fail(errors.RUNTIME, cause)
        return self._result("FAILED", error=errors.RUNTIME, cause=cause)

    def _result(self, status: Status, **fields: Any) -> ExecutionResult:
        return ExecutionResult(
            self.info.execution_id, self.info.name, status, history=self.history.events, **fields
        )

    # --- frames ----------------------------------------------------------------------------------

    async def run_frame(self, frame: Frame) -> None:
        """Run a frame's states until it succeeds or fails."""
        machine = self.definition.machine_at(frame.path)
        # --- reuse of the text of the output just left as the next state's input text (the
        # same object, serialised moments ago, with no handler run in between); see below.
        # A state that passes its input on as its output (a Pass with only Assign) reuses the
        # input's text too.
        left: tuple[Any, str] | None = None
        gave_way = time.monotonic()
        while frame.status == "RUNNING":
            if time.monotonic() - gave_way > GIVE_WAY_SECONDS:
                gave_way = await self._give_way()
            state = machine.states[frame.state]
            run = StateRun(self, frame, state)
            input_text: str | None = None
            if not frame.entered_id:
                frame.entered_time = self.clock.now()
                if left is not None and left[0] is frame.input:
                    input_text = left[1]
                    details = history.state_entered(state.name, input_text)
                elif frame is self.root and self.history.last_id == 1:
                    # AWS shows the first state the input text as sent (ours to reuse only
                    # when the engine wrote it: a caller's text may have other spacing).
                    details = history.state_entered(state.name, self.info.input_text)
                    if self._input_text_is_ours:
                        input_text = self.info.input_text
                else:
                    input_text = to_json_text(frame.input)
                    details = history.state_entered(state.name, input_text)
                frame.entered_id = run.emit(_ENTERED[state.type], details)
            left = None
            try:
                if frame.retry_at is not None:
                    self.persist()
                    await self.clock.sleep(frame.retry_at - self.clock.now())
                    frame.retry_at = None
                outcome = await HANDLERS[state.type](run)
                if input_text is not None and outcome.output is frame.input:
                    output_text = input_text
                else:
                    output_text = to_json_text(outcome.output)
                if len(output_text) * 4 > self.options.max_payload_bytes:  # may be too big
                    self._checked_text(run, output_text)
                if frame.parent is not None:  # (only nested frames have an outer scope)
                    _check_scope(run, outcome.assigned)
            except StatesFailure as failure:
                if not self._recover(run, failure):
                    return
                continue
            self._leave(run, outcome, output_text)
            left = (outcome.output, output_text)  # --- end of input-text reuse

    def _leave(self, run: StateRun, outcome: Outcome, output_text: str) -> None:
        frame = run.frame
        details = history.state_exited(run.state.name, output_text, outcome.assigned)
        run.emit(_EXITED[run.state.type], details)
        if outcome.assigned:
            frame.assign(outcome.assigned)
        if outcome.next is None:
            frame.finish(outcome.output)
            if frame is self.root:
                self._root_output = (outcome.output, output_text)
            if frame.parent is not None:
                return  # the parent state checkpoints once it has taken the branch's result in
        else:
            frame.move_to(outcome.next, outcome.output)
        self.checkpoint()

    def _checked_output(self, run: StateRun, output: Any) -> str:
        return self._checked_text(run, to_json_text(output))

    def _checked_text(self, run: StateRun, text: str) -> str:
        limit = self.options.max_payload_bytes
        if len(text) * 4 > limit and len(text.encode("utf-8")) > limit:
            raise StatesFailure(
                errors.DATA_LIMIT_EXCEEDED,
                f"The state/task '{run.state.name}' returned a result with a size exceeding the "
                "maximum number of bytes service limit.",
            )
        return text

    def _recover(self, run: StateRun, failure: StatesFailure) -> bool:
        """Retry or catch the failure; False when the frame fails with it."""
        frame, state = run.frame, run.state
        run.record_evaluation(failure)
        found = find_retrier(state.retriers, failure, frame.retries)
        if found is not None:
            index, retrier = found
            done = frame.retries.get(str(index), 0)
            frame.retries[str(index)] = done + 1
            frame.retry_at = self.clock.now() + backoff_seconds(retrier, done, self.rng)
            frame.progress = {}
            frame.children = []
            self.checkpoint()
            return True
        if not failure.terminal and state.type in FAILED_EVENTS:
            run.emit(FAILED_EVENTS[state.type])
        catcher = find_catcher(state.catchers, failure)
        if catcher is None:
            frame.fail(failure.error, failure.cause)
            return False
        try:
            outcome = self._caught(run, catcher, failure)
            output_text = self._checked_output(run, outcome.output)
            _check_scope(run, outcome.assigned)
        except StatesFailure as second:
            run.record_evaluation(second)
            frame.fail(second.error, second.cause)
            return False
        self._leave(run, outcome, output_text)
        return True

    def _caught(self, run: StateRun, catcher: Catcher, failure: StatesFailure) -> Outcome:
        error_output = {
            key: value
            for key, value in (("Error", failure.error), ("Cause", failure.cause))
            if value is not None
        }
        if run.state.jsonata:
            states = jsonata_io.states_binding(run, run.input, error_output=error_output)
            assigned = jsonata_io.assign(run, catcher.raw.get("Assign"), states)
            output: Any = error_output
            if "Output" in catcher.raw:
                output = jsonata_io.evaluate_field(run, catcher.raw["Output"], "Output", states)
            return Outcome(output, catcher.next, assigned)
        assigned = jsonpath_io.assign(run, error_output, catcher.raw.get("Assign"))
        path = catcher.raw.get("ResultPath", "$")
        output = jsonpath_io.apply_result_path(run, path, run.input, error_output)
        return Outcome(output, catcher.next, assigned)

    # --- history of detached frames (distributed Map iterations are child executions) ---------

    def history_for(self, frame: Frame) -> History:
        node: Frame | None = frame
        while node is not None:
            if node.detached:
                if node.history is None:
                    node.history = History(self.clock.now)
                    node.history.add("ExecutionStarted", 0, {})
                    node.last_event = max(node.last_event, 1)
                assert isinstance(node.history, History)
                return node.history
            node = node.parent
        return self.history

    # --- nested executions ---------------------------------------------------------------------

    async def run_child(self, definition: Any, child_input: Any, name: str) -> ExecutionResult:
        """Run another machine to the end (states:startExecution.sync:2): same clock, same tasks."""
        parsed = definition if isinstance(definition, Definition) else Definition.parse(definition)
        child_id = f"{self.info.execution_id}:{name}"
        info = ExecutionInfo(
            execution_id=child_id,
            name=name,
            state_machine_name=name,
            state_machine_type="STANDARD",
            start_time=self.clock.now(),
            input=child_input,
            input_text=to_json_text(child_input),
            region=self.info.region,
            account=self.info.account,
            role_arn=self.info.role_arn,
        )
        child = Execution(
            parsed,
            info,
            resolver=self.resolver,
            clock=self.clock,
            checkpoints=None,
            options=self.options,
            input_text_is_ours=True,
        )
        return await child.run()

    # --- checkpoints -----------------------------------------------------------------------------

    def checkpoint(self) -> None:
        """Note a transition. It is saved by the next `persist`, which the interpreter calls
        whenever it is about to wait for the outside world (a task, a timer, a back-off,
        branches) and at the end. The transitions in between are pure computation that a
        resumed run repeats identically, so saving each of them would only cost time (the
        snapshot grows with the history); `checkpoint_each_transition` saves them all anyway.
        """
        self._dirty = True
        if self.options.checkpoint_each_transition:
            self.persist()

    def persist(self) -> None:
        """Save the execution if anything changed since the last save."""
        if self.checkpoints is not None and self._dirty:
            self._dirty = False
            self.checkpoints.save(self.info.execution_id, self.snapshot())

    def snapshot(self) -> dict[str, Any]:
        """The whole execution as plain JSON values."""
        return {
            "version": CHECKPOINT_VERSION,
            "definition": self.definition.fingerprint,
            "info": self.info.to_dict(),
            "clock": self.clock.now(),
            "history": list(self.history.events),
            "root": self.root.to_dict(),
            "result": self.result.to_dict() if self.result is not None else None,
        }


def _check_scope(run: StateRun, assigned: Mapping[str, Any] | None) -> None:
    """A Parallel branch or Map iteration may read outer variables but not assign them (AWS
    fails such a run with States.Runtime)."""
    if not assigned:
        return
    outer = run.frame.outer_variables()
    for name in assigned:
        if name in outer:
            raise run.runtime_error(
                f"The variable '{name}' belongs to an outer scope: a Parallel branch or a Map "
                "iteration can read it but not assign it."
            )
