"""`$webRequest`: a request to `/api/webrequest/{urlId}` starts the endpoint's scenario.

Synchronous by default: the answer is the process's `$response` {status, headers, body}.
With `?async=true` the process is queued and the caller gets 202 at once. The request (its
headers, cookies, query and body) is an outsider's: it reaches the scenario as data only (the
values of credential headers and of cookies as `***`: they would be stored), and
what the scenario answers is checked before it becomes an HTTP response (headers as
`service.headers` allows them, a status the protocol allows). A process whose answer cannot be
sent fails (`Response.BadHeader`), and the caller gets 502 saying why.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qsl

from automations.errors import StoreConflict
from automations.json_depth import DEFAULT_MAX_JSON_DEPTH, text_depth_over, too_deep_message
from automations.model.event import EventType
from automations.model.process import ProcessRecord, ProcessStatus
from automations.model.scenario import WebRequestEndpoint
from automations.ports import ScenarioStore, WebRequestStore
from automations.service.errors import (
    BindingInvalid,
    BodyTooDeep,
    EndpointNotFound,
    HeaderRefused,
    ProcessFailed,
)
from automations.service.headers import BAD_HEADER, response_headers
from automations.service.processes import Processes, Start
from automations.service.redaction import redacted_cookies, redacted_headers
from automations.service.response import DEFAULT_STATUS, ProcessResponse, response_of
from automations.service.variables import Trigger

# Failures of the answer itself: their messages are ours, safe to show the caller.
_ANSWER_CODES = frozenset({BAD_HEADER})


@dataclass(frozen=True, slots=True)
class IncomingRequest:
    """An HTTP request as it arrived (`query` keeps the last value of each name)."""

    url: str
    method: str
    headers: dict[str, str]
    query: dict[str, str]
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class WebAnswer:
    """The HTTP answer: status, headers and the body's bytes."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class WebRequestDeps:
    """The ports web requests need."""

    endpoints: WebRequestStore
    scenarios: ScenarioStore
    processes: Processes


def handle_web_request(
    deps: WebRequestDeps, url_id: str, request: IncomingRequest, *, wait: bool
) -> WebAnswer:
    """Start the endpoint's scenario; answer with its `$response`, or 202 when not `wait`."""
    start = web_request_start(deps, url_id, request, wait=wait)
    if not wait:
        return enqueued_answer(deps, start)
    return process_answer(run_waiting(deps, start))


def run_waiting(deps: WebRequestDeps, start: Start) -> ProcessRecord:
    """Run a request's process while its caller waits; it fails when its answer cannot be sent."""
    return deps.processes.run_sync(start, check=answer_problem)


def web_request_start(
    deps: WebRequestDeps, url_id: str, request: IncomingRequest, *, wait: bool
) -> Start:
    """The process a request to this endpoint starts; EndpointNotFound when none is active,
    BodyTooDeep when its JSON body nests deeper than the limit."""
    endpoint = deps.endpoints.by_url_id(url_id)
    if endpoint is None or not endpoint.active:
        raise EndpointNotFound(f"no active web request endpoint {url_id[:100]!r}")
    body = body_of(request.headers, request.body, deps.processes.deps.settings.max_json_depth)
    facts = {
        "url": request.url,
        "method": request.method,
        # Stored in the process's input: credentials are redacted (`service.redaction`).
        "headers": redacted_headers(request.headers),
        "cookies": redacted_cookies(cookies_of(request.headers)),
        "query": request.query,
        "body": body,
    }
    return Start(
        scenario_id=endpoint.scenario_id,
        trigger=Trigger(EventType.WEB_REQUEST, endpoint.id, None, sync=wait, facts=facts),
    )


def enqueued_answer(deps: WebRequestDeps, start: Start) -> WebAnswer:
    """Queue the process (`?async=true`) and answer 202 with its id at once."""
    queued = deps.processes.enqueue(start)
    deps.processes.pump()
    return json_answer(202, {"processId": queued.id if queued is not None else ""})


def answer_problem(output: dict[str, Any]) -> tuple[str, str] | None:
    """Why a completed process's `$response` cannot be sent, as (code, message); None when it
    can. Synchronous runs are given this check, so such a process ends in error."""
    try:
        response_headers(response_of(output).headers)
    except HeaderRefused as refused:
        return BAD_HEADER, refused.message
    return None


def process_answer(process: ProcessRecord) -> WebAnswer:
    """The answer a finished synchronous process gives; ProcessFailed unless it completed."""
    if process.status is not ProcessStatus.COMPLETED:
        error = process.error
        code = error.code if error is not None else str(process.status)
        detail = f" ({error.message})" if error is not None and code in _ANSWER_CODES else ""
        raise ProcessFailed(f"the scenario of this endpoint failed: {code}{detail}", process.id)
    return answer_of(response_of(process.output))


def _header(headers: dict[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name), "")


def cookies_of(headers: dict[str, str]) -> dict[str, str]:
    """The request's cookies by name (a malformed Cookie header gives none)."""
    text = _header(headers, "cookie")
    if not text:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(text)
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def body_of(headers: dict[str, str], raw: bytes, max_depth: int = DEFAULT_MAX_JSON_DEPTH) -> Any:
    """The body as the scenario sees it: JSON parsed, a form as an object, else text.

    JSON nesting deeper than `max_depth` is refused (BodyTooDeep): the scenario could not
    store it. Text that is not JSON stays text, as it is.
    """
    if not raw:
        return None
    content_type = _header(headers, "content-type").split(";")[0].strip().lower()
    text = raw.decode("utf-8", errors="replace")
    if content_type == "application/json" or content_type.endswith("+json"):
        depth = text_depth_over(raw, max_depth)
        if depth is not None:
            raise BodyTooDeep(too_deep_message("the JSON body", max_depth, f"{depth} levels"))
        try:
            return json.loads(text, parse_constant=_no_constant)
        except ValueError:  # (never RecursionError: the depth is checked)
            return text
    if content_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(text, keep_blank_values=True))
    return text


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def answer_of(response: ProcessResponse) -> WebAnswer:
    """The HTTP answer a process's `$response` describes; HeaderRefused when a header cannot
    be sent (`answer_problem` finds that first)."""
    headers = response_headers(response.headers)
    body = response.body
    if body is None:
        data = b""
    elif isinstance(body, str):
        data = body.encode("utf-8")
        headers.setdefault("Content-Type", "text/plain; charset=utf-8")
    else:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers.setdefault("Content-Type", "application/json")
    return WebAnswer(response.status or DEFAULT_STATUS, headers, data)


def json_answer(status: int, body: Any) -> WebAnswer:
    """A JSON answer of our own (not a scenario's)."""
    return WebAnswer(status, {"Content-Type": "application/json"}, json.dumps(body).encode())


def create_endpoint(
    endpoints: WebRequestStore,
    scenarios: ScenarioStore,
    url_id: str,
    scenario_id: str,
    *,
    active: bool = True,
) -> WebRequestEndpoint:
    """A new endpoint at `/api/webrequest/{url_id}`; StoreConflict when the urlId is taken."""
    if scenarios.latest(scenario_id) is None:
        raise BindingInvalid(f"scenario {scenario_id} has no saved version", field="scenarioId")
    if endpoints.by_url_id(url_id) is not None:
        raise StoreConflict(f"urlId {url_id} is taken")
    endpoint = WebRequestEndpoint(
        id=uuid.uuid4().hex, url_id=url_id, scenario_id=scenario_id, active=active
    )
    endpoints.put(endpoint)
    return endpoint
