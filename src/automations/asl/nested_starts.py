"""`process.start` where no server runs processes (`automations run`, a bare engine): the
started scenario runs as a nested execution of the same engine, as a call activity's does.

The runtimes hand components a ProcessStarter of their own (`services["processes"]`: real
processes, stored and limited); this one stands in only where none was given and the engine
knows other scenarios. Nothing is stored, so a start that is not waited for still runs to its
end before the component goes on (there is no background to leave it to), and only its id is
returned. The chain limit holds by nesting: each nested execution's id is its parent's plus
`:<name>`, and a start nested deeper than the setting's default is refused.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from automations.model.process import ProcessError, ProcessStatus
from automations.ports import StartedProcess
from automations.settings import Settings

MAX_NESTING = int(Settings.model_fields["max_chain_depth"].default)
_STATUS = {
    "SUCCEEDED": ProcessStatus.COMPLETED,
    "FAILED": ProcessStatus.ERROR,
    "TIMED_OUT": ProcessStatus.ERROR,
    "ABORTED": ProcessStatus.ABORTED,
}
_MARK = "start-"  # names a nested execution this module started

RunChild = Callable[[Any, Any, str], Awaitable[Any]]


class NestedStarts:
    """The ProcessStarter port over the engine's own nested executions."""

    def __init__(
        self,
        definitions: Callable[[str], Any],
        run_child: RunChild,
        loop: asyncio.AbstractEventLoop,
        execution_id: str,
    ) -> None:
        self._definitions = definitions
        self._run_child = run_child
        self._loop = loop
        self._depth = execution_id.count(f":{_MARK}")

    def start(
        self, scenario_id: str, variables: Mapping[str, Any], *, wait: bool
    ) -> StartedProcess:
        definition = self._definitions(scenario_id)
        if definition is None:
            return _refused("not_found", f"there is no scenario {scenario_id}")
        if self._depth >= MAX_NESTING:
            return _refused(
                "chain_too_deep",
                f"this process comes from a chain of {self._depth} processes each starting the "
                f"next; the limit is {MAX_NESTING}",
            )
        name = f"{_MARK}{uuid.uuid4().hex}"
        # The component runs in a worker thread; the engine's loop runs the child meanwhile.
        run = self._run_child(definition, dict(variables), name)
        result = asyncio.run_coroutine_threadsafe(_awaited(run), self._loop).result()
        status = _STATUS.get(result.status, ProcessStatus.ERROR)
        error = None
        if status is not ProcessStatus.COMPLETED:
            error = ProcessError(code=result.error or "States.Runtime", message=result.cause or "")
        output = result.output if isinstance(result.output, dict) else {}
        return StartedProcess(
            process_id=name,
            status=status,
            variables=output if wait and status is ProcessStatus.COMPLETED else None,
            error=error,
        )


async def _awaited(run: Awaitable[Any]) -> Any:
    return await run


def _refused(refusal: Any, message: str) -> StartedProcess:
    code = {"not_found": "Process.ScenarioNotFound", "chain_too_deep": "Process.ChainTooDeep"}
    return StartedProcess(
        process_id="",
        status=ProcessStatus.ERROR,
        error=ProcessError(code=code[refusal], message=message),
        refusal=refusal,
    )
