"""One HTTP exchange with an ASGI app in process: (status, headers by lower-case name, body)."""

from __future__ import annotations

import asyncio
from typing import Any

from automations.devserver.http import ResolverAsgi


def call(
    app: ResolverAsgi, method: str, path: str, body: bytes = b"", **headers: str
) -> tuple[int, dict[str, str], bytes]:
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query.encode(),
        "headers": [(b"host", b"testserver")]
        + [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, end = sent
    names = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return start["status"], names, end["body"]
