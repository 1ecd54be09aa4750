"""The public entry: `Engine.start`, `Engine.resume` and the synchronous `run_execution`."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from typing import Any

from automations.asl.clock import RealClock, VirtualClock
from automations.asl.context import ExecutionInfo
from automations.asl.definition import Definition, StateMachineType
from automations.asl.errors import CheckpointMismatch, ExecutionAlreadyExists, ExecutionNotFound
from automations.asl.execution import CHECKPOINT_VERSION, Execution
from automations.asl.frames import Frame
from automations.asl.json_text import parse_execution_input, to_json_text
from automations.asl.options import EngineOptions, ExecutionResult
from automations.asl.ports import CheckpointStore, Clock, ResourceResolver
from automations.asl.resolvers import ComponentResolver

_NO_INPUT = object()


class Engine:
    """Runs state machines; time, tasks and checkpoints come in through ports."""

    def __init__(
        self,
        resolver: ResourceResolver | None = None,
        clock: Clock | None = None,
        checkpoints: CheckpointStore | None = None,
        *,
        options: EngineOptions | None = None,
    ) -> None:
        self.resolver: ResourceResolver = resolver or ComponentResolver()
        self.clock: Clock = clock or RealClock()
        self.checkpoints = checkpoints
        self.options = options or EngineOptions()

    async def start(
        self,
        definition: Definition | Mapping[str, Any] | str,
        input: Any = _NO_INPUT,
        *,
        input_text: str | None = None,
        execution_id: str | None = None,
        name: str | None = None,
        state_machine_name: str = "automations",
        state_machine_type: StateMachineType = "STANDARD",
    ) -> ExecutionResult:
        """Run an execution to its end.

        Give the input as a JSON value (`input`) or as the exact text a caller sent
        (`input_text`, recorded verbatim in ExecutionStarted). Raises InvalidDefinition or
        InvalidExecutionInput before anything runs. Like StartExecution, starting an id that
        already has a checkpoint with the same input is idempotent: that execution is resumed
        (or its result returned); with another input it raises ExecutionAlreadyExists.
        """
        parsed = _definition(definition, state_machine_type)
        input_text_is_ours = input_text is None
        if input_text is not None:
            value = parse_execution_input(input_text)
        else:
            value = {} if input is _NO_INPUT else input
            input_text = to_json_text(value)
        execution_id = execution_id or str(uuid.uuid4())
        if self.checkpoints is not None:
            saved = self.checkpoints.load(execution_id)
            if saved is not None:
                if saved["info"]["input_text"] != input_text:
                    raise ExecutionAlreadyExists(
                        f"Execution Already Exists: '{execution_id}' was started with other input"
                    )
                return await self.resume(execution_id, parsed)
        info = ExecutionInfo(
            execution_id=execution_id,
            name=name or execution_id,
            state_machine_name=state_machine_name,
            state_machine_type=state_machine_type,
            start_time=self.clock.now(),
            input=value,
            input_text=input_text,
            region=self.options.region,
            account=self.options.account,
            role_arn=self.options.role_arn,
        )
        return await self._execution(parsed, info, input_text_is_ours=input_text_is_ours).run()

    async def resume(
        self, execution_id: str, definition: Definition | Mapping[str, Any] | str
    ) -> ExecutionResult:
        """Continue an execution from its last checkpoint (a finished one returns its result).

        A task that was in flight when the checkpoint was taken runs again (at-least-once).
        """
        saved = self.checkpoints.load(execution_id) if self.checkpoints is not None else None
        if saved is None:
            raise ExecutionNotFound(f"no checkpoint for execution {execution_id!r}")
        info = ExecutionInfo.from_dict(saved["info"])
        parsed = _definition(definition, info.state_machine_type)  # type: ignore[arg-type]
        if saved.get("version") != CHECKPOINT_VERSION or saved["definition"] != parsed.fingerprint:
            raise CheckpointMismatch(f"checkpoint of {execution_id!r} is for another definition")
        if isinstance(self.clock, VirtualClock):
            self.clock.advance_to(float(saved["clock"]))
        events = list(saved["history"])
        result = None
        if saved.get("result") is not None:
            result = ExecutionResult(**saved["result"], history=events)
        root = Frame.from_dict(saved["root"])
        return await self._execution(parsed, info, events, root, result).run()

    def _execution(
        self,
        definition: Definition,
        info: ExecutionInfo,
        events: list[dict[str, Any]] | None = None,
        root: Frame | None = None,
        result: ExecutionResult | None = None,
        *,
        input_text_is_ours: bool = False,
    ) -> Execution:
        return Execution(
            definition,
            info,
            resolver=self.resolver,
            clock=self.clock,
            checkpoints=self.checkpoints,
            options=self.options,
            events=events,
            root=root,
            result=result,
            input_text_is_ours=input_text_is_ours,
        )


def _definition(
    source: Definition | Mapping[str, Any] | str, state_machine_type: StateMachineType
) -> Definition:
    if isinstance(source, Definition):
        return source
    return Definition.parse(source, state_machine_type=state_machine_type)


def run_execution(
    definition: Definition | Mapping[str, Any] | str,
    input: Any = _NO_INPUT,
    *,
    resolver: ResourceResolver | None = None,
    clock: Clock | None = None,
    checkpoints: CheckpointStore | None = None,
    options: EngineOptions | None = None,
    **start: Any,
) -> ExecutionResult:
    """Synchronous wrapper: run one execution in a fresh event loop and return its result."""
    engine = Engine(resolver, clock, checkpoints, options=options)
    return asyncio.run(engine.start(definition, input, **start))
