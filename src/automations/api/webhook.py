"""`/api/webrequest/{urlId}` (any method, no credentials): a web request starts the endpoint's
scenario; its `$response` is the answer, or 202 at once with `?async=true`."""

from __future__ import annotations

from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from automations.api.bodies import raw_body
from automations.service.automation import Automation
from automations.service.webrequests import IncomingRequest, handle_web_request

PREFIX = "/api/webrequest/"
PATHS = ("/api/webrequest/<urlId>",)  # the resolver also matches it with a trailing slash
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def router(automation: Automation) -> Router:
    """The public web request route, bound to these use cases."""
    routes = Router()  # type: ignore[no-untyped-call]
    deps = automation.webrequest_deps()

    def web_request(urlId: str) -> Response[bytes]:
        event = routes.current_event
        pairs = [
            (k, v)
            for k, values in (event.multi_value_query_string_parameters or {}).items()
            for v in values
        ]
        query = dict(pairs)
        headers = dict(event.headers or {})
        host = next((v for k, v in headers.items() if k.lower() == "host"), "localhost")
        url = f"http://{host}{event.path}" + (f"?{urlencode(pairs)}" if pairs else "")
        request = IncomingRequest(
            url=url, method=event.http_method, headers=headers, query=query, body=raw_body(event)
        )
        wait = query.get("async", "").lower() not in ("true", "1")
        answer = handle_web_request(deps, urlId, request, wait=wait)
        return Response(status_code=answer.status, headers=answer.headers, body=answer.body)

    routes.route(PATHS[0], method=METHODS, include_in_schema=False)(web_request)
    return routes
