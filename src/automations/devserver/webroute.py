"""`/api/webrequest/{urlId}` served on the dev server's event loop, not through the API resolver.

Web requests are the one route outsiders call at volume, and a synchronous one usually runs a
machine that can never wait (assignments and gateways only): that run takes a fraction of a
millisecond, so it runs right here on the loop (`Processes.run_sync_now`), with no worker thread,
no API Gateway event and no resolver in between. A run that could wait (a component, a timer)
goes to a worker thread, as do queued (`?async=true`) requests. What is answered is the same as
the resolver's route (`api/webhook.py`, which Lambda serves): the same service functions build
the process and the answer, and errors get the same bodies.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode

from automations.api.errors import BodyTooLarge, MethodNotAllowed, NotFound, error_for
from automations.api.webhook import METHODS, PREFIX
from automations.service.webrequests import (
    IncomingRequest,
    WebAnswer,
    WebRequestDeps,
    answer_problem,
    enqueued_answer,
    process_answer,
    run_waiting,
    web_request_start,
)

# How long a run may hold the loop (and every request behind it) before it is handed to a
# thread and started again there: a machine that never waits has done nothing anyone saw.
LOOP_BUDGET_SECONDS = 0.02

Scope = MutableMapping[str, Any]
T = TypeVar("T")
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class WebRequestRoute:
    """Answers web requests from ASGI scopes; `workers` threads run what would block the loop."""

    def __init__(self, deps: WebRequestDeps, max_body_bytes: int, *, workers: int = 16) -> None:
        self._deps = deps
        self._max_body_bytes = max_body_bytes
        self._threads = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="webrequest")

    def close(self) -> None:
        self._threads.shutdown(wait=False)

    @staticmethod
    def serves(path: str) -> bool:
        return path.startswith(PREFIX)

    async def answer(self, scope: Scope, body: bytes) -> Answer:
        try:
            answer = await self._answer(scope, body)
        except Exception as exc:  # the same bodies as the resolver's error handlers
            error = error_for(exc)
            text = error.body if isinstance(error.body, str) else ""
            answer = WebAnswer(
                error.status_code, {"Content-Type": "application/json"}, text.encode()
            )
        headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers.items()
        ]
        headers.append((b"content-length", str(len(answer.body)).encode()))
        return answer.status, headers, answer.body

    async def _answer(self, scope: Scope, body: bytes) -> WebAnswer:
        url_id = scope["path"][len(PREFIX) :]
        url_id = url_id[:-1] if url_id.endswith("/") else url_id
        if not url_id or "/" in url_id:
            raise NotFound("no such resource")
        if scope["method"] not in METHODS:
            raise MethodNotAllowed("method not allowed on this path")
        if len(body) > self._max_body_bytes:
            raise BodyTooLarge(f"the request body is larger than {self._max_body_bytes} bytes")
        request = incoming(scope, body)
        wait = request.query.get("async", "").lower() not in ("true", "1")
        start = web_request_start(self._deps, url_id, request, wait=wait)
        if not wait:
            return await self._in_thread(enqueued_answer, self._deps, start)
        process = await self._deps.processes.run_sync_now(
            start, LOOP_BUDGET_SECONDS, check=answer_problem
        )
        if process is None:  # its machine can wait, or it took long: not on the loop
            process = await self._in_thread(run_waiting, self._deps, start)
        return process_answer(process)

    async def _in_thread(self, work: Callable[..., T], *args: Any) -> T:
        # (asyncio.get_running_loop costs a getpid system call in CPython 3.11: only here)
        return await asyncio.get_running_loop().run_in_executor(self._threads, work, *args)


def incoming(scope: Scope, body: bytes) -> IncomingRequest:
    """The request as the scenario sees it, as API Gateway would hand it over: repeated
    headers joined with ", ", the last value of a repeated query parameter, and the values of
    each parameter together (API Gateway groups them by name)."""
    query = scope.get("query_string", b"").decode("latin-1")
    pairs = _plain_pairs(query)
    if pairs is not None:  # re-encoding them gives the same text
        encoded = query
    else:
        grouped: dict[str, list[str]] = {}
        for name, value in parse_qsl(query, keep_blank_values=True):
            grouped.setdefault(name, []).append(value)
        pairs = [(name, value) for name, values in grouped.items() for value in values]
        encoded = urlencode(pairs)
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    host = headers.get("host", "localhost")
    url = f"http://{host}{scope['path']}" + (f"?{encoded}" if pairs else "")
    return IncomingRequest(
        url=url, method=scope["method"], headers=headers, query=dict(pairs), body=body
    )


# `name=value&...` with nothing to decode: what nearly every caller sends (`?n=21`).
_PLAIN_QUERY = re.compile(r"[\w.~-]+=[\w.~-]*(?:&[\w.~-]+=[\w.~-]*)*", re.ASCII)


def _plain_pairs(query: str) -> list[tuple[str, str]] | None:
    """The pairs of a query string with nothing to decode and no name twice (their order needs
    no grouping and `urlencode` gives the text back); None for any other query."""
    if not _PLAIN_QUERY.fullmatch(query):
        return None
    pairs = [part.partition("=")[::2] for part in query.split("&")]
    if len({name for name, _ in pairs}) != len(pairs):
        return None
    return pairs
