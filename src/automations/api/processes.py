"""`/api/v1/processes`: list processes, read one with its trace, stop one, chart them
(`/api/v1/processes/stats`); `/api/v1/metrics`.

A member sees only the processes they started: others' are not listed and read as not found
(as if they did not exist)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import Field

from automations.api.access import caller, initiator_scope
from automations.model.base import CamelModel
from automations.model.process import ProcessRecord, ProcessStatus
from automations.ports import ProcessQuery
from automations.service.automation import Automation
from automations.service.errors import ProcessNotFound
from automations.service.process_stats import MAX_STATS_HOURS, process_stats

PATHS = (
    "/api/v1/processes",
    "/api/v1/processes/<processId>",
    "/api/v1/processes/<processId>/stop",
    "/api/v1/metrics",
    "/api/v1/processes/stats",
    "/api/v1/processes/<processId>/retry",
)
TAGS = ["processes"]
MAX_LIMIT = 1000


def process_json(process: ProcessRecord, *, trace: bool = True) -> dict[str, Any]:
    """A process as the API shows it. The list gives a summary of the path instead of the
    trace: how many steps, and the element entered last (where a running process is now)."""
    body = process.model_dump(mode="json")
    if not trace:
        steps = body.pop("trace", None) or []
        body["path"] = {
            "steps": len(steps),
            "lastElement": steps[-1]["element"] if steps else None,
        }
    return body


class RetryBody(CamelModel):
    """The body of `POST /api/v1/processes/{id}/retry`: variables to change before it goes on."""

    variables: dict[str, Any] = Field(default_factory=dict)


def router(automation: Automation) -> Router:
    """The process routes, bound to these use cases."""
    routes = Router()  # type: ignore[no-untyped-call]
    processes = automation.processes

    def scope() -> str | None:
        return initiator_scope(caller(routes.context.get("user")))

    @routes.get(PATHS[0], tags=TAGS, summary="List processes, newest first")
    def list_processes(
        scenario_id: Annotated[str | None, Query(alias="scenarioId", max_length=100)] = None,
        status: Annotated[ProcessStatus | None, Query()] = None,
        since: Annotated[datetime | None, Query(alias="from")] = None,
        until: Annotated[datetime | None, Query(alias="to")] = None,
        limit: Annotated[int, Query(ge=0, le=MAX_LIMIT)] = 100,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        event_type: Annotated[
            str | None, Query(alias="eventType", max_length=100, description="e.g. $manual")
        ] = None,
    ) -> list[dict[str, Any]]:
        query = ProcessQuery(
            scenario_id=scenario_id,
            status=status,
            since=since,
            until=until,
            initiator_id=scope(),
            limit=limit,
            offset=offset,
            event_type=event_type,
        )
        return [process_json(p, trace=False) for p in processes.find(query)]

    @routes.get(PATHS[4], tags=TAGS, summary="Processes per hour by status, and durations")
    def stats(
        scenario_id: Annotated[str | None, Query(alias="scenarioId", max_length=100)] = None,
        hours: Annotated[int, Query(ge=1, le=MAX_STATS_HOURS)] = 24,
    ) -> dict[str, Any]:
        deps = processes.deps
        return process_stats(deps.processes, deps.clock, hours, scenario_id)

    def own_process(process_id: str) -> ProcessRecord:
        """The process, if the caller may see it (a member: theirs only), else not found."""
        process = processes.get(process_id)
        own = scope()
        if own is not None and process.initiator.user_id != own:
            raise ProcessNotFound(f"process {process_id} not found")  # the same words as missing
        return process

    @routes.get(PATHS[1], tags=TAGS, summary="Get a process with its trace")
    def get_process(processId: str) -> dict[str, Any]:
        own_process(processId)
        return process_json(processes.read(processId))  # a running one: its path up to now

    @routes.post(PATHS[2], tags=TAGS, summary="Stop a queued or running process")
    def stop_process(processId: str) -> dict[str, Any]:
        return process_json(processes.stop(processId))

    @routes.post(
        PATHS[5],
        tags=TAGS,
        summary="Retry a process that ended in error, from the element that failed",
        description=(
            "The same process (its id, scenario version and start variables) goes on from the "
            "element that failed, with the variables it held there; `variables` changes some "
            "first (embedded engine only: Step Functions redrives with what it held). Elements "
            "that completed are not run again. 409 `not_retryable` says why a process cannot "
            "be retried: it did not end in error, it is being retried, it never ran, it ran "
            "while its caller waited, or Step Functions refuses to redrive it."
        ),
    )
    def retry_process(
        processId: str, body: Annotated[RetryBody | None, Body()] = None
    ) -> dict[str, Any]:
        own_process(processId)
        variables = body.variables if body is not None else None
        return process_json(processes.retry(processId, variables))

    @routes.get(PATHS[3], tags=TAGS, summary="Process counters of this server")
    def metrics() -> dict[str, int]:
        return processes.counters()

    return routes
