"""Calling the API resolver in process as API Gateway would: events, Basic credentials, a client."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from automations.adapters.sqlite.outbox import SqliteChangeFeed
from automations.asl.clock import VirtualClock
from automations.model.event import ChangeEvent
from automations.model.user import Role
from support.bootstrap import LocalServices

LOGIN, PASSWORD = "admin@example.ru", "s3cret пароль"


def basic(login: str, password: str) -> str:
    """The Authorization header of HTTP Basic with these credentials."""
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


BASIC = basic(LOGIN, PASSWORD)


def proxy_event(
    method: str,
    path: str,
    body: Any = None,
    *,
    query: dict[str, str | list[str]] | None = None,
    headers: dict[str, str] | None = None,
    raw_body: str | None = None,
) -> dict[str, Any]:
    """An API Gateway REST (v1) proxy event as Lambda receives it."""
    all_headers = {"Content-Type": "application/json", "Host": "api.example"} | (headers or {})
    multi_query = {k: v if isinstance(v, list) else [v] for k, v in (query or {}).items()}
    text = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/prod{path}",
            "stage": "prod",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "pytest"},
        },
        "body": text,
        "isBase64Encoded": False,
    }


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, list[str]]


@dataclass
class Api:
    """The app over a fresh SQLite file, called with proxy events (authenticated by default)."""

    local: LocalServices
    app: Any
    clock: VirtualClock

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        query: dict[str, str | list[str]] | None = None,
        auth: str | None = BASIC,
        headers: dict[str, str] | None = None,
        raw_body: str | None = None,
    ) -> Answer:
        extra = ({"Authorization": auth} if auth else {}) | (headers or {})
        event = proxy_event(method, path, body, query=query, headers=extra, raw_body=raw_body)
        response = self.app.resolve(event, None)
        text = response.get("body") or ""
        return Answer(
            response["statusCode"],
            json.loads(text) if text else None,
            response.get("multiValueHeaders", {}),
        )

    def user(self, login: str, role: Role = Role.MEMBER, password: str = "passw0rd!") -> str:
        """Create a user (a member unless told) and return their Basic Authorization header."""
        self.local.services.users.create(login, password, role=role)
        return basic(login, password)

    def events(self) -> list[ChangeEvent]:
        return SqliteChangeFeed(self.local.db, self.clock).pending()

    def catalog(self, fields: list[dict[str, Any]] | None = None) -> str:
        """Create a catalog (default: text, number, dropdown, date) and return its id."""
        default = [
            {"name": "Title", "type": "text", "required": True},
            {"name": "Total", "type": "number"},
            {
                "name": "Status",
                "type": "dropdown",
                "config": {"items": [{"name": "new"}, {"name": "done"}]},
            },
            {"name": "Due", "type": "date"},
        ]
        answer = self.call(
            "POST", "/api/v1/catalogs", {"name": "Orders", "fields": fields or default}
        )
        assert answer.status == 200, answer.body
        return str(answer.body["id"])


MakeApi = Callable[..., Api]
