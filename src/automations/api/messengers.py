"""`/api/messengers/{connection}` (no credentials: the messenger calls it): POST delivers an
update (verified by the platform's secret or signature, then 200 at once); GET answers Meta's
webhook verification. Lambda serves it in the webhook function, the dev server in its API."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from automations.api.bodies import raw_body
from automations.service.automation import Automation
from automations.service.messengers import handshake, receive_delivery

PREFIX = "/api/messengers/"
PATHS = ("/api/messengers/<connection>",)
METHODS = ["GET", "POST"]


def router(automation: Automation) -> Router:
    """The public messenger webhook routes, bound to these use cases."""
    routes = Router()  # type: ignore[no-untyped-call]
    deps = automation.messenger_deps()

    @routes.post(PATHS[0], include_in_schema=False)
    def deliver(connection: str) -> Response[bytes]:
        event = routes.current_event
        answer = receive_delivery(deps, connection, dict(event.headers or {}), raw_body(event))
        return Response(status_code=answer.status, headers=answer.headers, body=answer.body)

    @routes.get(PATHS[0], include_in_schema=False)
    def verify(connection: str) -> Response[bytes]:
        query = dict(routes.current_event.query_string_parameters or {})
        answer = handshake(deps, connection, query)
        return Response(status_code=answer.status, headers=answer.headers, body=answer.body)

    return routes
