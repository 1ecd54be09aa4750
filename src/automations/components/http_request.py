"""`http.request`: call an HTTP(S) service (the product's "Веб-запрос").

Inputs:
- `url` (required, `http`/`https` only; may carry query parameters and `user:password@`).
- `method`: GET (default), POST, PUT, PATCH, DELETE, HEAD, OPTIONS (case-insensitive).
- `headers`: sent as given; a header given here wins over one the component would set.
- `query`: parameters added to the URL's own; booleans are written `true`/`false`.
- `body`: a string is sent as `text/plain; charset=utf-8`, any other JSON value as
  `application/json`; `null` (the default) sends no body.
- `timeoutSeconds` (default 30, at most 300): the whole call, redirects and body included
  (checked between reads, so a trickling server cannot stretch it much).
- `responseType`: `auto` (default: JSON when the response's content type is `application/json`,
  `text/json` or `*+json`, text otherwise - and text if such a body is not JSON after all),
  `json` or `text`. An empty body read as JSON is `null`.
- `failOnStatus` (default true): a final status >= 400 fails with `http.status`.

Result: `{status, headers, body}`; header names are lower-case, repeated headers are joined
with ", " (`set-cookie` lines with a newline, since cookie dates contain commas).

Error codes (what boundary events and `auto:retry` can name):
- `http.timeout`: no complete answer within `timeoutSeconds`.
- `http.connection`: the host name does not resolve, or connecting / talking to it failed.
- `http.status`: the final status is >= 400 and `failOnStatus` is true (the message has the
  status and the start of the body), or there were more than 5 redirects.
- `http.forbidden_address`: the host, or a redirect's target, resolves to an address that is
  not public (see below), or a redirect leads to a scheme other than http/https.
- `http.invalid_response`: `responseType` is `json` and the body is not JSON, the body's
  compression is broken, or a redirect's `Location` is not a URL.
- `http.too_large`: the body is over the limit (5 MB by default).
- `http.too_deep`: the body is JSON nesting deeper than `AUTOMATIONS_MAX_JSON_DEPTH` levels
  (64 by default): the result could not be kept as process data.

Address policy (the SSRF guard, kept in `address_guard`): the component resolves the host itself
and refuses loopback, private (RFC 1918, CGNAT 100.64/10, ULA fc00::/7), link-local (169.254/16
with the cloud metadata address, fe80::/10), site-local (fec0::/10), multicast, unspecified,
reserved and every other range IANA's special-purpose registries mark not globally reachable
(documentation, benchmarking, 192.0.0.0/24 and 2001::/23 whole), and IPv6 addresses that lead to
such an IPv4 address (::ffff:a.b.c.d, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4, Teredo,
::a.b.c.d). If any address of a host is refused, the host is. It then connects to the very
address it checked (the URL's host is replaced by the IP, with the original `Host` header and
TLS server name), so DNS cannot answer differently between the check and the connection. Proxy
environment variables are ignored for the same reason. Configuration, read at each call:
- `AUTOMATIONS_HTTP_ALLOW_PRIVATE=1`: allow every address (a developer machine, tests).
- `AUTOMATIONS_HTTP_ALLOW_HOSTS=crm.local,10.1.0.0/16,127.0.0.1`: host names, IP addresses or
  networks allowed whatever their addresses are.
- `AUTOMATIONS_HTTP_MAX_RESPONSE_BYTES`: the body limit (default 5 MB), counted after
  decompression while streaming; a `Content-Length` over it fails before reading.

Redirects are followed by the component itself, at most 5, each hop resolved and checked like
the first. 301/302 turn POST into GET and 303 turns anything but HEAD into GET (dropping the
body), as browsers do; `Authorization`, `Proxy-Authorization` and `Cookie` are dropped when the
redirect leaves the original scheme, host and port.

Secrets: header values are never logged; logs name only the origin (scheme, host, port) and
error messages the URL without its query string and user info.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator

from automations.components import outbound

# Re-exported: the guard's names as `http.request` has always offered them.
from automations.components.address_guard import ALLOW_HOSTS_ENV as ALLOW_HOSTS_ENV
from automations.components.address_guard import ALLOW_PRIVATE_ENV as ALLOW_PRIVATE_ENV
from automations.components.address_guard import AddressPolicy, IPAddress, read_allowances
from automations.components.address_guard import forbidden_reason as forbidden_reason
from automations.components.errors import ComponentFailed
from automations.components.registry import ComponentContext, ComponentSpec, register
from automations.json_depth import text_depth_over, too_deep_message

TIMEOUT = "http.timeout"
CONNECTION = "http.connection"
STATUS = "http.status"
FORBIDDEN_ADDRESS = "http.forbidden_address"
INVALID_RESPONSE = "http.invalid_response"
TOO_LARGE = "http.too_large"
TOO_DEEP = "http.too_deep"
ERRORS = (TIMEOUT, CONNECTION, STATUS, FORBIDDEN_ADDRESS, INVALID_RESPONSE, TOO_LARGE, TOO_DEEP)

MAX_RESPONSE_BYTES_ENV = "AUTOMATIONS_HTTP_MAX_RESPONSE_BYTES"

DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
MAX_TIMEOUT_SECONDS = 300.0
EXCERPT_CHARS = 200

_SCHEMES = {"http": 80, "https": 443}
_SECRET_HEADERS = ("authorization", "proxy-authorization", "cookie")

log = logging.getLogger(__name__)


class HttpRequestInput(BaseModel):
    """What `http.request` takes; see the module docstring for each field."""

    model_config = ConfigDict(extra="forbid")

    url: str
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] = "GET"
    headers: dict[str, str] = Field(default_factory=dict)
    query: dict[str, str | int | float | bool] = Field(default_factory=dict)
    body: Any = None
    # camelCase on purpose: field names are the `auto:input` names a scenario writes.
    timeoutSeconds: float = Field(default=30.0, gt=0, le=MAX_TIMEOUT_SECONDS)
    responseType: Literal["auto", "json", "text"] = "auto"
    failOnStatus: bool = True

    @field_validator("method", mode="before")
    @classmethod
    def _method_upper_case(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        url = httpx.URL(value)  # raises InvalidURL, a ValueError pydantic reports on `url`
        if url.scheme not in _SCHEMES or not url.host:
            raise ValueError("an absolute http:// or https:// URL is required")
        return value

    @field_validator("body")
    @classmethod
    def _json_body(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, str):
            json.dumps(value, allow_nan=False)  # ValueError/TypeError: not a JSON value
        return value


class HttpRequestResult(BaseModel):
    """The final response: status, lower-case headers and the decoded body."""

    status: int
    headers: dict[str, str]
    body: Any = None


# ---------------------------------------------------------------------------------------------
# Address policy (the guard itself is `address_guard`'s)


@dataclass(frozen=True, slots=True)
class HttpPolicy(AddressPolicy):
    """The address policy, plus how big a body may be (from the environment)."""

    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> HttpPolicy:
        env = os.environ if environ is None else environ
        allow_private, hosts, networks = read_allowances(env)
        limit = env.get(MAX_RESPONSE_BYTES_ENV, "").strip()
        return cls(
            allow_private=allow_private,
            allow_hosts=hosts,
            allow_networks=networks,
            max_response_bytes=int(limit) if limit.isdigit() else DEFAULT_MAX_RESPONSE_BYTES,
        )


def checked_addresses(host: str, port: int, policy: AddressPolicy) -> list[IPAddress]:
    """Resolve `host`; raise `http.forbidden_address` if any address is not allowed."""
    try:
        return outbound.checked_addresses(host, port, policy)
    except outbound.OutboundRefused as refused:
        raise ComponentFailed(FORBIDDEN_ADDRESS, refused.detail) from None
    except outbound.OutboundUnresolved as unresolved:
        raise ComponentFailed(CONNECTION, unresolved.detail) from None


# ---------------------------------------------------------------------------------------------
# One exchange (`outbound`'s), its failures in this component's codes

_Hop = outbound.Request  # one request to send: the URL as written (host name, not IP)
_Reply = outbound.Reply


def _safe_url(url: httpx.URL) -> str:
    # Query strings and user info often carry tokens: keep them out of messages and logs.
    return f"{url.scheme}://{url.netloc.decode('ascii')}{url.path}"


def _exchange(hop: _Hop, policy: HttpPolicy, deadline: outbound.Deadline) -> _Reply:
    """Send one hop to the first checked address that accepts a connection."""
    try:
        reply = outbound.exchange(
            hop, policy, deadline, policy.max_response_bytes, skip_redirect_body=True
        )
    except outbound.OutboundError as error:
        raise _failure(error, hop) from None
    log.debug("http.request %s %s -> %d", hop.method, outbound.origin(hop.url), reply.status)
    return reply


def _failure(error: outbound.OutboundError, hop: _Hop) -> ComponentFailed:
    shown = _safe_url(hop.url)
    match error:
        case outbound.OutboundRefused():
            return ComponentFailed(FORBIDDEN_ADDRESS, error.detail)
        case outbound.OutboundUnresolved():
            return ComponentFailed(CONNECTION, error.detail)
        case outbound.OutboundTimeout():
            return ComponentFailed(TIMEOUT, f"{hop.method} {shown} timed out")
        case outbound.OutboundTooLarge(limit=limit):
            return ComponentFailed(
                TOO_LARGE, f"the response of {shown} is larger than {limit} bytes"
            )
        case outbound.OutboundUndecodable():
            return ComponentFailed(
                INVALID_RESPONSE, f"{shown} sent a body that cannot be decoded: {error.detail}"
            )
        case outbound.OutboundUnreachable(failures=failures):
            last = f"{failures[-1][0]}: {failures[-1][1]}" if failures else "no address"
            return ComponentFailed(CONNECTION, f"cannot connect to {shown} ({last})")
        case _:
            return ComponentFailed(CONNECTION, f"{hop.method} {shown} failed: {error.detail}")


# ---------------------------------------------------------------------------------------------
# Redirects


def _fetch(params: HttpRequestInput, policy: HttpPolicy) -> _Reply:
    deadline = outbound.Deadline(params.timeoutSeconds)
    hop = _first_hop(params)
    for _ in range(MAX_REDIRECTS + 1):
        reply = _exchange(hop, policy, deadline)
        if reply.location is None:
            return reply
        hop = _redirected(hop, reply, reply.location)
    raise ComponentFailed(
        STATUS,
        f"{params.method} {_safe_url(httpx.URL(params.url))}: more than {MAX_REDIRECTS} redirects",
    )


def _first_hop(params: HttpRequestInput) -> _Hop:
    url = httpx.URL(params.url)
    if params.query:
        url = url.copy_merge_params(params.query)
    headers = httpx.Headers(params.headers)
    content, content_type = _encode_body(params.body)
    if content_type and "content-type" not in headers:
        headers["content-type"] = content_type
    return _Hop(params.method, url, headers, content)


def _encode_body(body: Any) -> tuple[bytes | None, str | None]:
    if body is None:
        return None, None
    if isinstance(body, str):
        return body.encode("utf-8"), "text/plain; charset=utf-8"
    return json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json"


def _redirected(hop: _Hop, reply: _Reply, location: str) -> _Hop:
    try:
        target = hop.url.join(location)
    except httpx.InvalidURL as exc:
        raise ComponentFailed(
            INVALID_RESPONSE, f"{_safe_url(hop.url)} redirects to an invalid URL: {exc}"
        ) from None
    if target.scheme not in _SCHEMES or not target.host:
        raise ComponentFailed(
            FORBIDDEN_ADDRESS, f"{_safe_url(hop.url)} redirects to a non-http(s) URL"
        )
    headers = httpx.Headers(hop.headers)
    method, content = hop.method, hop.content
    if (reply.status == 303 and method != "HEAD") or (
        reply.status in (301, 302) and method == "POST"
    ):
        method, content = "GET", None
        for name in ("content-type", "content-length", "transfer-encoding"):
            headers.pop(name, None)
    if _origin(target) != _origin(hop.url):
        for name in _SECRET_HEADERS:  # credentials were meant for the first origin only
            headers.pop(name, None)
    return _Hop(method, target, headers, content)


def _origin(url: httpx.URL) -> tuple[str, str, int]:
    return url.scheme, url.host, url.port or _SCHEMES[url.scheme]


# ---------------------------------------------------------------------------------------------
# The result


def _text(reply: _Reply) -> str:
    try:
        text = reply.content.decode(reply.charset or "utf-8", errors="replace")
    except LookupError:  # an unknown charset name: UTF-8 is the best guess
        text = reply.content.decode("utf-8", errors="replace")
    return text.removeprefix("\ufeff")


def _is_json_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in {"application/json", "text/json"} or media.endswith("+json")


def _body(reply: _Reply, response_type: str, max_depth: int) -> Any:
    text = _text(reply)
    if response_type == "text" or (
        response_type == "auto" and not _is_json_type(reply.headers.get("content-type", ""))
    ):
        return text
    if not text.strip():
        return None
    depth = text_depth_over(text, max_depth)
    if depth is not None:
        what = f"the response of {_safe_url(reply.url)}"
        raise ComponentFailed(TOO_DEEP, too_deep_message(what, max_depth, f"{depth} levels"))
    try:
        return json.loads(text)
    except ValueError as exc:
        if response_type == "auto":
            return text  # the server's label was wrong; the text is still worth having
        raise ComponentFailed(
            INVALID_RESPONSE, f"the response of {_safe_url(reply.url)} is not JSON: {exc}"
        ) from None


def _flat_headers(headers: httpx.Headers) -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in headers.multi_items():
        key = name.lower()
        separator = "\n" if key == "set-cookie" else ", "
        flat[key] = f"{flat[key]}{separator}{value}" if key in flat else value
    return flat


def _check_status(reply: _Reply, method: str) -> None:
    if reply.status < 400:
        return
    excerpt = " ".join(_text(reply).split())[:EXCERPT_CHARS]
    raise ComponentFailed(
        STATUS, f"{method} {_safe_url(reply.url)} answered {reply.status}: {excerpt}"
    )


def run(params: HttpRequestInput, ctx: ComponentContext) -> HttpRequestResult:
    """Send the request (following safe redirects) and return the final response."""
    reply = _fetch(params, HttpPolicy.from_environment())
    if params.failOnStatus:
        _check_status(reply, params.method)
    return HttpRequestResult(
        status=reply.status,
        headers=_flat_headers(reply.headers),
        body=_body(reply, params.responseType, ctx.max_json_depth),
    )


def fetch_bytes(url: str, timeout_seconds: float) -> tuple[bytes, str]:
    """GET `url` as this component does (the guard on every hop, redirects, the body limit), for
    another component that needs a file from the web (`mail.send`'s attachments): the body and
    its content type. ValueError for a URL that is not http(s); ComponentFailed with this
    component's codes otherwise, a final status >= 400 included."""
    try:
        params = HttpRequestInput(url=url, timeoutSeconds=min(timeout_seconds, MAX_TIMEOUT_SECONDS))
    except ValueError:
        raise ValueError("an absolute http:// or https:// URL is required") from None
    reply = _fetch(params, HttpPolicy.from_environment())
    _check_status(reply, params.method)
    return reply.content, reply.headers.get("content-type", "")


SPEC = register(
    ComponentSpec(
        name="http.request",
        input_model=HttpRequestInput,
        result_model=HttpRequestResult,
        errors=ERRORS,
        run=run,
        summary="Call an HTTP(S) service; private addresses are refused unless configured.",
    )
)
