"""`process.start`: run another scenario as a process of its own (the product's "Запуск
процесса").

Inputs: `scenarioId` (a literal, or an expression reading it from a variable), `variables` (the
child's start variables: an object) and `wait` (default true). Waited for, the child runs to its
end within the synchronous limit and the result is `{processId, status, variables}` with the
child's final variables; not waited for, it is queued and the result `{processId, status}` comes
back at once (`variables` null). The child is one step deeper in the chain of processes than
the one that starts it (AUTOMATIONS_MAX_CHAIN_DEPTH).

Errors: `process.not_found` (the scenario has no saved version), `process.chain_too_deep`,
`process.busy` (every slot taken: a waited child cannot queue), `process.timeout` (the waited
child outlived the synchronous limit), `process.invalid_variables` (over a data limit),
`process.failed` (the waited child ended in error or was stopped; the message says how),
`process.unavailable` (this runtime starts no processes).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from automations.components.errors import ComponentFailed
from automations.components.registry import ComponentContext, ComponentSpec, register
from automations.model.process import ProcessStatus
from automations.ports import ProcessStarter, StartedProcess

SERVICE_KEY = "processes"
FAILED = "process.failed"
UNAVAILABLE = "process.unavailable"
ERRORS = (
    "process.not_found",
    "process.chain_too_deep",
    "process.busy",
    "process.timeout",
    "process.invalid_variables",
    FAILED,
    UNAVAILABLE,
)
DESCRIPTIONS = {
    "process.not_found": "the scenario has no saved version",
    "process.chain_too_deep": "processes starting each other reached AUTOMATIONS_MAX_CHAIN_DEPTH",
    "process.busy": "every process slot is taken (a waited process cannot queue)",
    "process.timeout": "the waited process outlived the synchronous limit",
    "process.invalid_variables": "the variables are over the process data limit",
    FAILED: "the waited process ended in error or was stopped",
    UNAVAILABLE: "this runtime starts no processes",
}


def _id_text(value: object) -> object:
    # A scenario id read from a record or a variable may be a number.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


ScenarioId = Annotated[
    str, BeforeValidator(_id_text), StringConstraints(min_length=1, max_length=100)
]


class StartInput(BaseModel):
    """What `process.start` takes."""

    # camelCase on purpose: field names are the `auto:input` names a scenario writes.
    model_config = ConfigDict(extra="forbid")

    scenarioId: ScenarioId = Field(description="the scenario to start (its id)")
    variables: dict[str, Any] = Field(
        default_factory=dict, description="the started process's start variables"
    )
    wait: bool = Field(
        default=True, description="wait for its end and return its variables (false: its id)"
    )


class StartResult(BaseModel):
    """The started process: its id, its status, and (waited for) its final variables."""

    processId: str
    status: str
    variables: dict[str, Any] | None = None


def starter_of(ctx: ComponentContext) -> ProcessStarter:
    """The port the server bound to this run."""
    starter = ctx.services.get(SERVICE_KEY)
    if starter is None:
        raise ComponentFailed(UNAVAILABLE, "processes cannot be started here (no process store)")
    return starter  # type: ignore[no-any-return]


def run(params: StartInput, ctx: ComponentContext) -> StartResult:
    """Start the scenario; wait for it when asked."""
    started = starter_of(ctx).start(params.scenarioId, params.variables, wait=params.wait)
    _raise_for(params, started)
    return StartResult(
        processId=started.process_id, status=str(started.status), variables=started.variables
    )


def _raise_for(params: StartInput, started: StartedProcess) -> None:
    scenario = params.scenarioId
    if started.refusal is not None:
        why = started.error.message if started.error is not None else started.refusal
        where = f" (process {started.process_id})" if started.process_id else ""
        raise ComponentFailed(f"process.{started.refusal}", f"scenario {scenario}: {why}{where}")
    # Not waited for, how the child goes on is its own business (its process shows it).
    if params.wait and started.status in (ProcessStatus.ERROR, ProcessStatus.ABORTED):
        error = started.error
        what = f"{error.code}: {error.message}" if error is not None else str(started.status)
        at = f" at {error.element}" if error is not None and error.element else ""
        raise ComponentFailed(
            FAILED,
            f"process {started.process_id} of scenario {scenario} ended {started.status}"
            f"{at}: {what}",
        )


SPEC = register(
    ComponentSpec(
        name="process.start",
        input_model=StartInput,
        result_model=StartResult,
        errors=ERRORS,
        run=run,
        summary="Start another scenario as a process; wait for its variables or not.",
        title="Start a process",
        error_descriptions=DESCRIPTIONS,
    )
)
