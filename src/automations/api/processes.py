"""`/api/v1/processes`: list processes, read one with its trace, stop one; `/api/v1/metrics`.

A member sees only the processes they started: others' are not listed and read as not found
(as if they did not exist)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from automations.api.access import caller, initiator_scope
from automations.model.process import ProcessRecord, ProcessStatus
from automations.ports import ProcessQuery
from automations.service.automation import Automation
from automations.service.errors import ProcessNotFound

PATHS = (
    "/api/v1/processes",
    "/api/v1/processes/<processId>",
    "/api/v1/processes/<processId>/stop",
    "/api/v1/metrics",
)
TAGS = ["processes"]
MAX_LIMIT = 1000


def process_json(process: ProcessRecord, *, trace: bool = True) -> dict[str, Any]:
    """A process as the API shows it (the list leaves the trace out)."""
    body = process.model_dump(mode="json")
    if not trace:
        body.pop("trace", None)
    return body


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
    ) -> list[dict[str, Any]]:
        query = ProcessQuery(
            scenario_id=scenario_id,
            status=status,
            since=since,
            until=until,
            initiator_id=scope(),
            limit=limit,
            offset=offset,
        )
        return [process_json(p, trace=False) for p in processes.find(query)]

    @routes.get(PATHS[1], tags=TAGS, summary="Get a process with its trace")
    def get_process(processId: str) -> dict[str, Any]:
        process = processes.get(processId)
        own = scope()
        if own is not None and process.initiator.user_id != own:
            raise ProcessNotFound(f"process {processId} not found")  # the same words as missing
        return process_json(process)

    @routes.post(PATHS[2], tags=TAGS, summary="Stop a queued or running process")
    def stop_process(processId: str) -> dict[str, Any]:
        return process_json(processes.stop(processId))

    @routes.get(PATHS[3], tags=TAGS, summary="Process counters of this server")
    def metrics() -> dict[str, int]:
        return processes.counters()

    return routes
