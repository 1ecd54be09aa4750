"""Serves the API resolver over real HTTP: each request becomes an API Gateway REST (v1) proxy
event, `app.resolve(event, context)` answers it, and the proxy response is written back.

The resolver is synchronous and keeps per-request state on itself (powertools' current event and
context), so one resolver serves one request at a time. Requests run off the event loop on a pool
of worker threads, each with a resolver of its own built by `factory` (one worker shares the
single app it was given). A synchronous run (a web request, a before-hook) waits in its worker,
so several workers let other requests through meanwhile. Web requests may be served by a
`WebRequestRoute` on the event loop itself instead (see webroute.py). A body is
read up to one byte past `max_body_bytes` and no further; the resolver then refuses it as too
large, so the dev server never buffers an unbounded upload.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import socket
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl

import uvicorn

from automations.api.services import DEFAULT_MAX_BODY_BYTES
from automations.devserver.webroute import WebRequestRoute

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class Resolver(Protocol):
    """What the dev server needs of the app: powertools' `resolve`."""

    def resolve(self, event: Any, context: Any) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class LocalContext:
    """Stands in for the Lambda context (the API reads nothing from it)."""

    function_name: str = "automations-dev"
    aws_request_id: str = ""


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def proxy_event(scope: Scope, body: bytes) -> dict[str, Any]:
    """The API Gateway REST (v1) proxy event for an ASGI HTTP request."""
    query = _multi(
        parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    )
    headers = _multi([(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]])
    try:
        text, encoded = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode("ascii"), True
    path, method = scope["path"], scope["method"]
    client = scope.get("client") or ("127.0.0.1", 0)
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {k: ", ".join(v) for k, v in headers.items()},
        "multiValueHeaders": headers,
        "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "httpMethod": method,
            "path": path,
            "resourcePath": path,
            "stage": "local",
            "requestId": uuid.uuid4().hex,
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": client[0]},
        },
        "body": text if body else None,
        "isBase64Encoded": encoded,
    }


def response_parts(response: dict[str, Any]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, headers and body bytes of an API Gateway proxy response."""
    headers: list[tuple[bytes, bytes]] = []
    for name, values in (response.get("multiValueHeaders") or {}).items():
        headers += [(name.lower().encode("latin-1"), str(v).encode("latin-1")) for v in values]
    for name, value in (response.get("headers") or {}).items():
        headers.append((name.lower().encode("latin-1"), str(value).encode("latin-1")))
    body = response.get("body") or ""
    data = base64.b64decode(body) if response.get("isBase64Encoded") else body.encode("utf-8")
    return int(response.get("statusCode", 200)), headers, data


class ResolverAsgi:
    """A minimal ASGI application around powertools resolvers (one per worker thread)."""

    def __init__(
        self,
        app: Resolver | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        *,
        factory: Callable[[], Resolver] | None = None,
        workers: int = 1,
        web: WebRequestRoute | None = None,
    ) -> None:
        self._web = web
        if factory is None:
            if app is None:
                raise ValueError("give an app or a factory")
            single: Resolver = app
            factory, workers = (lambda: single), 1  # one app is not re-entrant: one worker
        self._factory: Callable[[], Resolver] = factory
        self._local = threading.local()
        self._max_body_bytes = max_body_bytes
        self._worker = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="api")

    def _resolve(self, event: dict[str, Any]) -> dict[str, Any]:
        app: Resolver | None = getattr(self._local, "app", None)
        if app is None:
            app = self._local.app = self._factory()
        return app.resolve(event, LocalContext())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = await self._read_body(receive)
        if self._web is not None and self._web.serves(scope["path"]):
            status, headers, data = await self._web.answer(scope, body)
        else:
            event = proxy_event(scope, body)
            loop = asyncio.get_running_loop()
            response = await loop.run_in_executor(self._worker, self._resolve, event)
            status, headers, data = response_parts(response)
            headers.append((b"content-length", str(len(data)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if size > self._max_body_bytes or not message.get("more_body", False):
                break
        return b"".join(chunks)[: self._max_body_bytes + 1]

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self._worker.shutdown(wait=False)
                if self._web is not None:
                    self._web.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


GC_YOUNG_THRESHOLD = 20_000
SWITCH_INTERVAL_SECONDS = 0.001


def serve(
    app: Resolver | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    sockets: list[socket.socket] | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    factory: Callable[[], Resolver] | None = None,
    workers: int = 1,
    web: WebRequestRoute | None = None,
    log_level: str = "info",
) -> None:
    """Serve the API until interrupted (on `sockets` when given, else on host:port)."""
    asgi = ResolverAsgi(app, max_body_bytes, factory=factory, workers=workers, web=web)
    # What start-up built (modules, the app, parsed machines) lives as long as the server: out
    # of the collector's sight, a full collection under load takes a third of the time.
    gc.collect()
    gc.freeze()
    # A request allocates a few thousand containers, nearly all freed by reference counting:
    # collecting the young generation every 700 (the default) does work for nothing.
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    # The loop thread shares the interpreter with runs busy in threads (a long expression, a
    # component parsing a big reply): asking for it back after 1 ms instead of 5 keeps the
    # answers of everyone else prompt while such a run goes on; uncontended, it costs nothing.
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    if sockets is None:
        uvicorn.run(asgi, host=host, port=port, log_level=log_level, access_log=False)
        return
    config = uvicorn.Config(asgi, log_level=log_level, access_log=False)
    uvicorn.Server(config).run(sockets=sockets)


class BackgroundServer:
    """The dev server on a free port in a background thread (for tests): `with ... as server:`."""

    def __init__(
        self,
        app: Resolver,
        host: str = "127.0.0.1",
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, 0))
        self.host, self.port = self._socket.getsockname()[:2]
        config = uvicorn.Config(
            ResolverAsgi(app, max_body_bytes), log_level="warning", lifespan="on", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:54321."""
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        """Start serving; returns once the server accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the dev server did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.should_exit = True
        self._thread.join(timeout)
        self._socket.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
