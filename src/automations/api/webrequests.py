"""`/api/v1/webrequests`: endpoints `/api/webrequest/{urlId}` and the scenario each starts."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import Field

from automations.model.base import CamelModel
from automations.model.scenario import UrlId
from automations.service.automation import Automation
from automations.service.errors import EndpointNotFound
from automations.service.webrequests import create_endpoint

PATHS = ("/api/v1/webrequests", "/api/v1/webrequests/<endpointId>")
TAGS = ["webrequests"]


class EndpointDraft(CamelModel):
    """The body of `POST /api/v1/webrequests`."""

    url_id: UrlId
    scenario_id: str = Field(max_length=100)
    active: bool = True


def router(automation: Automation) -> Router:
    """The endpoint routes, bound to these use cases."""
    routes = Router()  # type: ignore[no-untyped-call]
    store = automation.webrequests

    @routes.post(PATHS[0], tags=TAGS, summary="Create a web request endpoint")
    def post_endpoint(draft: Annotated[EndpointDraft, Body()]) -> dict[str, Any]:
        endpoint = create_endpoint(
            store, automation.scenarios, draft.url_id, draft.scenario_id, active=draft.active
        )
        return {"id": endpoint.id, "urlId": endpoint.url_id}

    @routes.get(PATHS[0], tags=TAGS, summary="List web request endpoints")
    def list_endpoints() -> list[dict[str, Any]]:
        return [e.model_dump(mode="json") for e in store.all()]

    @routes.delete(PATHS[1], tags=TAGS, summary="Delete a web request endpoint")
    def delete_endpoint(endpointId: str) -> dict[str, Any]:
        if not store.delete(endpointId):
            raise EndpointNotFound(f"endpoint {endpointId[:100]} not found")
        return {"id": endpointId}

    return routes
