"""The API application: one powertools resolver for API Gateway (Lambda) and the dev server.

`build_app(services)` registers the routers on an `ApiResolver`, which checks three things
before any routing or parsing: the body is within the size limit, the caller is authenticated
(except on public paths), and their role allows the route (`access.py`). So an anonymous caller
or a member on a management route learns nothing about validation, and no oversized body is
ever decoded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from automations.api import (
    access,
    api_keys,
    catalogs,
    components,
    expressions,
    files,
    messengers,
    processes,
    record_messages,
    records,
    scenarios,
    schedules,
    sessions,
    subscriptions,
    updating,
    users,
    webapp,
    webhook,
    webrequests,
)
from automations.api.auth import Authenticator, header
from automations.api.bodies import json_reader
from automations.api.errors import (
    ApiError,
    BodyTooLarge,
    UnsupportedMediaType,
    error_body,
    register_error_handlers,
)
from automations.api.openapi import OPENAPI_PATH, register_openapi
from automations.api.services import Services
from automations.json_depth import DEFAULT_MAX_JSON_DEPTH
from automations.model.user import User

# Web requests come from other systems: the scenario decides what to trust in them. Messenger
# deliveries are checked against their connection's secret by their route (no session, no CSRF).
PUBLIC_PREFIXES = (webhook.PREFIX, messengers.PREFIX)
ROUTE_PATHS = (
    *catalogs.PATHS,
    *records.PATHS,
    *users.PATHS,
    *api_keys.PATHS,
    *components.PATHS,
    *expressions.PATHS,
    OPENAPI_PATH,
)
# Scenarios, events and processes: served when the services include the automation side.
AUTOMATION_MODULES = (
    scenarios,
    subscriptions,
    webrequests,
    schedules,
    processes,
    updating,
    webhook,
    messengers,
)

Gate = Callable[[Mapping[str, Any]], User | None]


def body_size(event: Mapping[str, Any]) -> int:
    """Bytes of the request body (a base64 body counts its decoded size)."""
    body = event.get("body") or ""
    size = len(body.encode("utf-8")) if isinstance(body, str) else 0
    return size * 3 // 4 if event.get("isBase64Encoded") else size


def gateway_error(error: ApiError) -> dict[str, Any]:
    """An API Gateway proxy response for an error raised before routing."""
    body = error_body(error.status, error.code, error.message, error.field_id)
    return {
        "statusCode": int(error.status),
        "multiValueHeaders": {"Content-Type": ["application/json"]},
        "body": json.dumps(body, ensure_ascii=False),
        "isBase64Encoded": False,
    }


def make_gate(
    authenticator: Authenticator, max_body_bytes: int, max_file_bytes: int | None = None
) -> Gate:
    """Size first (cheap, and protects the rest), then credentials unless the route is public,
    then the role the route needs. An upload's body is a file: `max_file_bytes` bounds it."""

    def gate(event: Mapping[str, Any]) -> User | None:
        path = str(event.get("path") or "")
        method = str(event.get("httpMethod") or "")
        if max_file_bytes is not None and files.is_upload(method, path):
            if body_size(event) > max_file_bytes:
                raise files.too_big(max_file_bytes)
        elif body_size(event) > max_body_bytes:
            raise BodyTooLarge(f"the request body is larger than {max_body_bytes} bytes")
        if path.startswith(PUBLIC_PREFIXES):
            return None  # web requests: any body, the scenario reads it as data
        if (
            event.get("body")
            and _is_form(header(event.get("headers"), "content-type"))
            and not _reads_raw_body(method, path)
        ):
            # powertools would try to parse the form (and fail on a bad one): no route takes one.
            raise UnsupportedMediaType("send the body as application/json")
        needed = access.required_role(method, path)
        if needed is access.PUBLIC:
            return None
        user = authenticator.authenticate(event.get("headers"), method)
        access.authorize(user, needed)
        return user

    return gate


# Routes that read their body as bytes (a BPMN file): whatever type the client names, curl's
# default form type included, nothing parses it as a form.
_RAW_BODY = re.compile(r"/api/v1/scenarios/[^/]+")


def _reads_raw_body(method: str, path: str) -> bool:
    if files.is_upload(method, path):
        return True  # a file: its route reads the bytes (and says what it makes of a form)
    return method in ("PUT", "POST") and _RAW_BODY.fullmatch(path) is not None


def _is_form(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media.startswith("multipart/") or media == "application/x-www-form-urlencoded"


class ApiResolver(APIGatewayRestResolver):
    """An APIGatewayRestResolver that runs a gate (size, auth, role) on the raw event first."""

    def __init__(
        self,
        gate: Gate,
        max_json_depth: int = DEFAULT_MAX_JSON_DEPTH,
        web: webapp.WebApp | None = None,
    ) -> None:
        super().__init__(enable_validation=True, json_body_deserializer=json_reader(max_json_depth))
        self._gate = gate
        self._web = web
        self._own_event: BaseProxyEvent | None = None

    # powertools keeps the current event on its base class, one for the whole process: two
    # resolvers serving at once on two threads would read each other's request (seen as wrong
    # answers under load). Each resolver keeps its own here; its routers ask it.
    @property  # type: ignore[override]
    def current_event(self) -> BaseProxyEvent:
        assert self._own_event is not None
        return self._own_event

    @current_event.setter
    def current_event(self, value: BaseProxyEvent) -> None:
        self._own_event = value

    def _to_proxy_event(self, event: dict[str, Any]) -> BaseProxyEvent:
        proxy: BaseProxyEvent = super()._to_proxy_event(event)
        self._own_event = proxy
        return proxy

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        if self._web is not None:
            # The web app's files: public, outside /api/, answered before any gate or route.
            answer = self._web.answer(event)
            if answer is not None:
                return answer
        try:
            user = self._gate(event)
        except ApiError as error:
            return gateway_error(error)
        # Routes read the caller from the context; resolve() clears it when it is done.
        self.append_context(user=user)  # type: ignore[no-untyped-call]
        return super().resolve(event, context)


def _path_pattern(rule: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"<\w+>", "[^/]+", rule) + "/?$")


def _role_patches() -> dict[tuple[str, str], dict[str, Any]]:
    """What the document says of roles: each operation's (`x-role`), and 403 for admin ones."""
    forbidden = {
        "description": "Needs the admin role (the caller acts as a member)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    return {
        (re.sub(r"<(\w+)>", r"{\1}", route), method.lower()): {"x-role": str(role)}
        | ({"responses": {"403": forbidden}} if role is access.ADMIN else {})
        for (method, route), role in access.ROUTE_ROLES.items()
        if role is not access.PUBLIC
    }


def _merged(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Two patches of one operation: their responses joined, other parts from `second`."""
    responses = first.get("responses", {}) | second.get("responses", {})
    return first | second | ({"responses": responses} if responses else {})


def build_app(services: Services) -> APIGatewayRestResolver:
    """The API over these services (nothing global: build as many as you like)."""
    authenticator = Authenticator(
        services.users,
        services.api_keys,
        services.config.auth_cache_seconds,
        sessions=services.sessions,
        clock=services.clock,
    )
    web_root = services.config.web_root
    app = ApiResolver(
        make_gate(
            authenticator,
            services.config.max_body_bytes,
            services.config.max_file_bytes if services.files is not None else None,
        ),
        services.config.max_json_depth,
        web=None if web_root is None else webapp.WebApp(web_root),
    )
    app.include_router(catalogs.router(services))
    app.include_router(users.router(services))
    app.include_router(api_keys.router(services))
    app.include_router(components.router())
    app.include_router(expressions.router())
    paths = list(ROUTE_PATHS)
    if services.sessions is not None and services.sign_ins is not None:
        app.include_router(sessions.router(services, services.sessions, services.sign_ins))
        paths += sessions.PATHS
    patches = _role_patches()
    if services.files is not None:
        app.include_router(files.router(services.files, services.config.max_file_bytes))
        paths += files.PATHS
        for operation, patch in files.OPENAPI.items():
            patches[operation] = _merged(patches.get(operation, {}), patch)
    message_deps = services.message_deps()
    if message_deps is not None:
        app.include_router(record_messages.router(message_deps))
        paths += record_messages.PATHS
    if services.automation is not None:
        # Before the records router: `.../records/updating` must not be read as a record id.
        for module in AUTOMATION_MODULES:
            app.include_router(module.router(services.automation))
            paths += module.PATHS
            for operation, patch in getattr(module, "OPENAPI", {}).items():
                patches[operation] = _merged(patches.get(operation, {}), patch)
    app.include_router(records.router(services))
    register_openapi(app, patches)
    patterns = [_path_pattern(rule) for rule in paths]
    register_error_handlers(app, lambda path: any(p.match(path) for p in patterns))
    return app
