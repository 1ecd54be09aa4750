"""`/api/v1/scenarios`: save a scenario's BPMN (compiled for both flavours), read it back, list
scenarios, run one by hand (`$manual`), and delete one nothing uses any more."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import Field

from automations.api.bodies import raw_body
from automations.bpmn.errors import Problem
from automations.model.base import CamelModel, utc_iso
from automations.model.scenario import ScenarioVersion
from automations.model.user import User
from automations.service.automation import Automation
from automations.service.errors import ScenarioNotFound
from automations.service.manual import run_manual
from automations.service.scenario_deletion import delete_scenario
from automations.service.scenarios import check_scenario, save_scenario

PATHS = (
    "/api/v1/scenarios",
    "/api/v1/scenarios/<scenarioId>",
    "/api/v1/scenarios/<scenarioId>/run",
    "/api/v1/scenarios/validate",
)
TAGS = ["scenarios"]
XML = "application/xml"

# What powertools cannot say from the signatures: the BPMN text in and out.
OPENAPI: dict[tuple[str, str], dict[str, Any]] = {
    ("/api/v1/scenarios/{scenarioId}", "put"): {
        "requestBody": {
            "required": True,
            "content": {XML: {"schema": {"type": "string", "description": "BPMN 2.0 XML"}}},
        },
        "responses": {
            "422": {
                "description": "The scenario does not compile; every problem with element and line",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        },
    },
    ("/api/v1/scenarios/validate", "post"): {
        "requestBody": {
            "required": True,
            "content": {XML: {"schema": {"type": "string", "description": "BPMN 2.0 XML"}}},
        },
    },
    ("/api/v1/scenarios/{scenarioId}", "delete"): {
        "responses": {
            "409": {
                "description": "Still used: `errors` lists each subscription, web request"
                " endpoint, schedule or calling scenario ({kind, id, message})",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        }
    },
    ("/api/v1/scenarios/{scenarioId}", "get"): {
        "responses": {
            "200": {
                "description": "The BPMN text",
                "content": {XML: {"schema": {"type": "string"}}},
            }
        }
    },
}


class RunBody(CamelModel):
    """The body of `POST /api/v1/scenarios/{id}/run`: start variables, and whether to wait."""

    input: dict[str, Any] = Field(default_factory=dict)
    run_async: bool = Field(default=False, alias="async")


def version_json(version: ScenarioVersion) -> dict[str, Any]:
    """A saved version as the list shows it."""
    return {
        "id": version.scenario_id,
        "version": version.version,
        "flavours": sorted(version.compiled),
        "createdAt": utc_iso(version.created_at),
    }


def problem_json(problem: Problem) -> dict[str, Any]:
    """One problem as the editor marks it: on the element with this BPMN id (`-`: the file)."""
    return {"elementId": problem.element, "line": problem.line, "message": problem.message}


def router(automation: Automation) -> Router:
    """The scenario routes, bound to these use cases."""
    routes = Router()  # type: ignore[no-untyped-call]
    store = automation.scenarios

    @routes.get(PATHS[0], tags=TAGS, summary="List scenarios (latest versions)")
    def list_scenarios() -> list[dict[str, Any]]:
        return [version_json(v) for v in store.all()]

    @routes.put(PATHS[1], tags=TAGS, summary="Save a scenario's BPMN as its next version")
    def put_scenario(scenarioId: str) -> dict[str, Any]:
        # The bytes as sent: the file's own encoding (a BOM, its declaration) says how to read it.
        bpmn = raw_body(routes.current_event)
        timeout = automation.settings.process_timeout_seconds
        return version_json(save_scenario(store, scenarioId, bpmn, timeout_seconds=timeout))

    @routes.post(
        PATHS[3], tags=TAGS, summary="Check a BPMN draft with the compiler (nothing stored)"
    )
    def validate_scenario(
        scenario_id: Annotated[
            str | None, Query(alias="scenarioId", max_length=100, description="the id it will have")
        ] = None,
    ) -> dict[str, Any]:
        problems = check_scenario(
            store,
            raw_body(routes.current_event),
            scenario_id=scenario_id,
            timeout_seconds=automation.settings.process_timeout_seconds,
        )
        return {"ok": not problems, "problems": [problem_json(p) for p in problems]}

    @routes.get(PATHS[1], tags=TAGS, summary="Get a scenario's BPMN")
    def get_scenario(
        scenarioId: str, version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None
    ) -> Response[str]:
        found = (
            store.latest(scenarioId) if version is None else store.get_version(scenarioId, version)
        )
        if found is None:
            raise ScenarioNotFound(f"scenario {scenarioId[:100]} not found")
        return Response(
            status_code=200,
            content_type=XML,
            body=found.bpmn,
            headers={"X-Scenario-Version": str(found.version)},
        )

    @routes.delete(PATHS[1], tags=TAGS, summary="Delete a scenario nothing starts any more")
    def delete_scenario_route(scenarioId: str) -> dict[str, Any]:
        delete_scenario(automation.deletion_deps(), scenarioId)
        return {"id": scenarioId}

    @routes.post(PATHS[2], tags=TAGS, summary="Run a scenario by hand ($manual)")
    def run_scenario(scenarioId: str, body: Annotated[RunBody, Body()]) -> Response[str]:
        user: User | None = routes.context.get("user")
        process = run_manual(
            automation.processes,
            scenarioId,
            body.input,
            user_id=None if user is None else user.id,
            wait=not body.run_async,
        )
        return Response(
            status_code=202 if body.run_async else 200,
            content_type=content_types.APPLICATION_JSON,
            body=process.model_dump_json(by_alias=True),
        )

    return routes
