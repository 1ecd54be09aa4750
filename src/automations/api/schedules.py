"""`/api/v1/schedules`: start a scenario on a cron or rate expression (`$schedule`)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import Field

from automations.model.base import CamelModel
from automations.model.scenario import Schedule
from automations.service.automation import Automation
from automations.service.errors import ScheduleNotFound
from automations.service.schedules import ScheduleDeps, create_schedule, next_runs

PATHS = ("/api/v1/schedules", "/api/v1/schedules/<scheduleId>")
TAGS = ["schedules"]


class ScheduleDraft(CamelModel):
    """The body of `POST /api/v1/schedules`: `rate(5 minutes)` or `cron(0 9 ? * MON-FRI *)`."""

    expression: str = Field(max_length=256)
    scenario_id: str = Field(max_length=100)
    active: bool = True


def schedule_json(deps: ScheduleDeps, schedule: Schedule) -> dict[str, Any]:
    """A schedule with its next run times (`nextRuns`, by the code that fires it)."""
    return schedule.model_dump(mode="json") | {"nextRuns": next_runs(deps, schedule)}


def router(automation: Automation) -> Router:
    """The schedule routes, bound to these use cases."""
    routes = Router()  # type: ignore[no-untyped-call]
    deps = automation.schedule_deps()

    @routes.post(PATHS[0], tags=TAGS, summary="Create a schedule")
    def post_schedule(draft: Annotated[ScheduleDraft, Body()]) -> dict[str, Any]:
        schedule = create_schedule(deps, draft.expression, draft.scenario_id, active=draft.active)
        return schedule_json(deps, schedule)

    @routes.get(PATHS[0], tags=TAGS, summary="List schedules")
    def list_schedules() -> list[dict[str, Any]]:
        return [schedule_json(deps, s) for s in automation.schedules.all()]

    @routes.delete(PATHS[1], tags=TAGS, summary="Delete a schedule")
    def delete_schedule(scheduleId: str) -> dict[str, Any]:
        if not automation.schedules.delete(scheduleId):
            raise ScheduleNotFound(f"schedule {scheduleId[:100]} not found")
        return {"id": scheduleId}

    return routes
