"""What `telegram.send`, `whatsapp.send` and `max.send` share: the bot's account (a named
connection), one API call through the address guard with bounded retries on rate limits, the
API's refusals turned into `<kind>.*` codes, and the stored files they send.

Connections (the operator's, `services["connections"]`; a scenario only names one):
- `telegram://<bot token>@api.telegram.org` (the token as BotFather gives it, `123456:ABC-...`;
  `telegram://:<token percent-encoded>@host` is read too, as a secret kept apart writes it).
- `whatsapp://<phone number id>:<access token>@graph.facebook.com?version=v21.0`.
- `max://<token>@platform-api2.max.ru` (or `max://:<token>@...`).
No host (`telegram://:<token>@`) is the API's own; a path after the host is a prefix of every
API path (a gateway); `<kind>+http://` talks plain HTTP (a local gateway, the tests), the bare
scheme HTTPS. Every call is one `outbound` exchange: the host resolved
through the address guard and the address it checked connected to (a gateway on a private
address needs `AUTOMATIONS_HTTP_ALLOW_HOSTS`). TLS certificates are checked against certifi's
authorities plus `AUTOMATIONS_MESSENGER_CA_FILE` when set (Max's servers use a certificate of
the Russian Ministry of Digital Development's root, which few systems carry).

The token is never written in a result, a log line or an error: messages name the connection and
the API method, never the URL (Telegram's carries the token in its path), and any text from
the server or the HTTP library is cleaned of it before it is shown.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote, unquote, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, model_validator

from automations.components import address_guard, http_request, outbound
from automations.components.connections import SERVICE_KEY as CONNECTIONS_KEY
from automations.components.errors import ComponentFailed
from automations.components.registry import ComponentContext

Kind = Literal["telegram", "whatsapp", "max"]

FILES_KEY = "files"  # ComponentContext.services: the FileStore port
CA_FILE_ENV = "AUTOMATIONS_MESSENGER_CA_FILE"
MAX_TIMEOUT_SECONDS = 300.0
MAX_ATTEMPTS = 4  # a rate-limited call is tried at most this many times
MAX_ANSWER_BYTES = 2 * 1024 * 1024
MAX_FILE_BYTES = 50 * 1024 * 1024  # Telegram's limit for a bot's upload, the largest of the three
DEFAULT_TYPE = "application/octet-stream"

# Error codes, the same words for each messenger: `<kind>.<what>`.
BAD_REQUEST = "bad_request"
UNAUTHORIZED = "unauthorized"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
RATE_LIMITED = "rate_limited"
FAILED = "failed"
CONNECTION = "connection"
FILE = "file"
FORBIDDEN_ADDRESS = "forbidden_address"
WHATS = (
    BAD_REQUEST,
    UNAUTHORIZED,
    FORBIDDEN,
    NOT_FOUND,
    RATE_LIMITED,
    FAILED,
    CONNECTION,
    FILE,
    FORBIDDEN_ADDRESS,
)
_BY_STATUS = {
    400: BAD_REQUEST,
    401: UNAUTHORIZED,
    403: FORBIDDEN,
    404: NOT_FOUND,
    429: RATE_LIMITED,
}

log = logging.getLogger(__name__)
_sleep = time.sleep  # the wait between attempts (a test takes note of it instead of waiting)


def error_codes(kind: Kind) -> tuple[str, ...]:
    """Every code a messenger component may fail with, in the order the docs list them."""
    return tuple(f"{kind}.{what}" for what in WHATS)


def descriptions(kind: Kind) -> dict[str, str]:
    """What each code means, for the editor's list of errors."""
    said = {
        BAD_REQUEST: "the API refused the request (a chat that does not exist, bad markup...)",
        UNAUTHORIZED: "the connection's token is refused",
        FORBIDDEN: "the bot may not write there (blocked by the user, not in the chat)",
        NOT_FOUND: "the API has no such method or object",
        RATE_LIMITED: "still rate-limited after the retries the call's time allowed",
        FAILED: "any other refusal, or an answer that is not the API's",
        CONNECTION: "no such connection, or the API cannot be reached or did not answer in time",
        FILE: "a file to send is missing, cannot be fetched, or is too large",
        FORBIDDEN_ADDRESS: "the API's host, or a file's URL, is not a public address",
    }
    return {f"{kind}.{what}": text for what, text in said.items()}


def failed(kind: Kind, what: str, message: str) -> ComponentFailed:
    return ComponentFailed(f"{kind}.{what}", message)


# ---------------------------------------------------------------------------------------------
# The account


@dataclass(frozen=True, slots=True)
class Account:
    """A bot's account on one messenger: where its API is and the secrets to call it with.
    `user` is WhatsApp's phone number id (empty for the others)."""

    kind: Kind
    name: str
    base: str  # scheme://host[:port][/prefix], no token
    token: str = field(repr=False)
    user: str = ""
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.kind} connection {self.name!r}"

    def redact(self, text: str) -> str:
        """`text` without the token, as written and as a URL would carry it."""
        for form in {self.token, self.token.replace(":", "%3A")}:
            if form:
                text = text.replace(form, "***")
        return text


# The API's own host, for a connection that names none (`telegram://:<token>@`).
DEFAULT_HOSTS: dict[str, str] = {
    "telegram": "api.telegram.org",
    "whatsapp": "graph.facebook.com",
    "max": "platform-api2.max.ru",  # where Max now asks bots to call (dev.max.ru)
}

_SCHEME = re.compile(r"^(telegram|whatsapp|max)(?:\+(https?))?://", re.IGNORECASE)


def parse_account(url: str, name: str, kind: Kind) -> Account:
    """Read a messenger connection's URL; ComponentFailed `<kind>.connection` naming the
    connection (never its URL) when it is not one of `kind`."""
    what = f"connection {name!r}"
    match = _SCHEME.match(url.strip())
    if match is None or match.group(1).lower() != kind:
        raise failed(kind, CONNECTION, f"{what} is not a {kind}:// connection")
    transport = (match.group(2) or "https").lower()
    before_query, _, query = url.strip()[match.end() :].partition("?")
    userinfo, at, place = before_query.rpartition("@")
    hostport, slash, prefix = place.partition("/")
    try:
        parts = urlsplit(f"//{hostport or DEFAULT_HOSTS[kind]}")
        port = parts.port
    except ValueError:
        raise failed(kind, CONNECTION, f"{what} has an invalid host or port") from None
    if not parts.hostname:
        raise failed(kind, CONNECTION, f"{what} names no host")
    user, _, password = (unquote(p) for p in userinfo.partition(":")) if at else ("", "", "")
    token, account_user = _secrets(kind, user, password)
    if not token or (kind == "whatsapp" and not account_user):
        form = {
            "telegram": "telegram://<bot token>@api.telegram.org",
            "whatsapp": "whatsapp://<phone number id>:<access token>@graph.facebook.com",
            "max": "max://<token>@platform-api2.max.ru",
        }[kind]
        raise failed(kind, CONNECTION, f"{what} holds no token (the form is {form})")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    base = f"{transport}://{host}{f':{port}' if port else ''}"
    if slash and prefix.strip("/"):
        base += "/" + prefix.strip("/")
    options = {unquote(k): unquote(v) for k, _, v in (p.partition("=") for p in query.split("&"))}
    return Account(kind, name, base, token, account_user, {k: v for k, v in options.items() if k})


def _secrets(kind: Kind, user: str, password: str) -> tuple[str, str]:
    """(token, user) from the URL's user info, as each messenger's form puts them."""
    if kind == "whatsapp":
        return password, user
    if kind == "telegram" and user and password:
        return f"{user}:{password}", ""  # BotFather's token has a colon: it reads as user:password
    return password or user, ""


def account_of(ctx: ComponentContext, name: str, kind: Kind) -> Account:
    """The operator's connection `name`, read as a `kind` account."""
    connections: Any = ctx.services.get(CONNECTIONS_KEY)
    try:
        url = None if connections is None else connections.get(name)
    except Exception as exc:  # a secret store that cannot be read: say which connection
        raise failed(kind, CONNECTION, f"cannot read connection {name!r}: {exc}") from None
    if url is None:
        raise failed(kind, CONNECTION, f"there is no connection {name!r}")
    return parse_account(url, name, kind)


# ---------------------------------------------------------------------------------------------
# One call


Deadline = outbound.Deadline  # the call's time: each request, and each wait, gets what is left


@dataclass(frozen=True, slots=True)
class Refusal:
    """What an API answered when it did not do what was asked: the HTTP status (or the one the
    API's own code stands for), its own words, and whether (and after how long) to try again."""

    status: int
    description: str
    retry: bool = False
    retry_after: float | None = None


# A messenger's reader of its answers: (HTTP status, parsed body) -> a Refusal, or None when
# the answer is a success.
ReadRefusal = Callable[[int, Any], Refusal | None]

Upload = tuple[str, tuple[str, bytes, str]]  # (field, (file name, content, media type))


# Where a token goes in a request's path (Telegram's `/bot<token>/...`): the URL httpx holds
# (in its log lines and error messages) keeps this mark; the transport puts the token in on
# the way out.
TOKEN_MARK = "__token__"  # noqa: S105  (a placeholder, no secret)


class _TokenInPath(httpx.HTTPTransport):
    """httpx's transport, writing the account's token where the path has `TOKEN_MARK`."""

    def __init__(self, token: str, **options: Any) -> None:
        super().__init__(**options)
        self._token = quote(token, safe=":").encode("ascii")

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        mark = TOKEN_MARK.encode("ascii")
        if mark in request.url.raw_path:
            path = request.url.raw_path.replace(mark, self._token)
            request = httpx.Request(
                request.method,
                request.url.copy_with(raw_path=path),
                headers=request.headers,
                stream=request.stream,
                extensions=request.extensions,
            )
        return super().handle_request(request)


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """One request. `what` names it in messages (`sendMessage`); a token in `url`'s path is
    written `TOKEN_MARK`."""

    what: str
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    data: Mapping[str, str] | None = None
    files: list[Upload] | None = None


def call(account: Account, request: ApiRequest, deadline: Deadline, read: ReadRefusal) -> Any:
    """Send `request`; its answer's parsed body. A rate-limited answer (429, or one the reader
    says to retry) is tried again after the wait the API asks for, at most MAX_ATTEMPTS times
    and never past the deadline; any other refusal fails at once with its code."""
    kind = account.kind

    def attempt() -> tuple[Any, Refusal | None]:
        status, body = _exchange(account, request, deadline)
        return body, read(status, body)

    def wait_for(answer: tuple[Any, Refusal | None], attempt: int) -> float | None:
        refusal = answer[1]
        if refusal is None or not _retried(refusal):
            return None
        return refusal.retry_after if refusal.retry_after is not None else float(2 ** (attempt - 1))

    (body, refusal), attempts = outbound.retrying(
        attempt,
        wait_for,
        deadline,
        attempts=MAX_ATTEMPTS,
        sleep=_sleep,
        what=f"{account.label} {request.what}",
    )
    if refusal is None:
        return body
    message = f"{account.label}: {request.what} refused: {account.redact(refusal.description)}"
    if not _retried(refusal):
        raise failed(kind, _BY_STATUS.get(refusal.status, FAILED), message)
    code = RATE_LIMITED if refusal.status == 429 else _BY_STATUS.get(refusal.status, FAILED)
    raise failed(kind, code, f"{message} (tried {attempts} times in {deadline.seconds:g} s)")


def _retried(refusal: Refusal) -> bool:
    return refusal.retry or refusal.status == 429


def _exchange(account: Account, request: ApiRequest, deadline: Deadline) -> tuple[int, Any]:
    """Send to the first checked address that accepts a connection: (status, parsed body)."""
    # httpx encodes the body (JSON, form, multipart) as it would have sent it itself.
    encoded = httpx.Request(
        request.method,
        request.url,
        headers=request.headers,
        params=dict(request.params) or None,
        json=request.json,
        data=request.data,
        files=request.files,
    )
    sent = outbound.Request(encoded.method, encoded.url, encoded.headers, encoded.read())
    try:
        reply = outbound.exchange(
            sent,
            address_guard.policy_from_environment(),
            deadline,
            MAX_ANSWER_BYTES,
            ca_file=os.environ.get(CA_FILE_ENV, "").strip(),
            transport=lambda verify: _TokenInPath(account.token, verify=verify),
        )
    except outbound.OutboundError as error:
        raise _failure(error, account, request, sent.url.host) from None
    log.debug("%s %s -> %d", account.label, request.what, reply.status)
    return reply.status, _parsed(reply.content)


def _failure(
    error: outbound.OutboundError, account: Account, request: ApiRequest, host: str
) -> ComponentFailed:
    kind, label = account.kind, account.label
    match error:
        case outbound.OutboundRefused():
            return failed(kind, FORBIDDEN_ADDRESS, error.detail)
        case outbound.OutboundUnresolved():
            return failed(kind, CONNECTION, error.detail)
        case outbound.OutboundTimeout():
            return failed(kind, CONNECTION, f"{label}: {request.what} got no answer in time")
        case outbound.OutboundTooLarge():
            return failed(
                kind,
                FAILED,
                f"{label}: the answer to {request.what} is over {MAX_ANSWER_BYTES} bytes",
            )
        case outbound.OutboundCaFile():
            return failed(
                kind,
                CONNECTION,
                f"cannot read the certificate authorities of {CA_FILE_ENV}: {error.detail}",
            )
        case outbound.OutboundUnreachable(failures=failures):
            last = account.redact(failures[-1][1]) if failures else ""
            return failed(
                kind, CONNECTION, f"{label}: cannot connect to {host} ({last or 'no address'})"
            )
        case _:
            return failed(
                kind, CONNECTION, f"{label}: {request.what} failed: {account.redact(error.detail)}"
            )


def _parsed(content: bytes) -> Any:
    """The answer's JSON; its text when it is not JSON (a proxy's error page, say)."""
    text = content.decode("utf-8", errors="replace")
    try:
        return json.loads(text) if text.strip() else None
    except ValueError:
        return text


def excerpt(body: Any) -> str:
    """The start of an answer that is not the API's JSON, for a message."""
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return " ".join(text.split())[:200] or "an empty answer"


# ---------------------------------------------------------------------------------------------
# Files


class FileRef(BaseModel):
    """A file to send: a stored file's id (`"f_..."` or `{fileId, name?}`) or a URL (`{url,
    name?}`; the product's file values `{title, url}` are read too)."""

    model_config = ConfigDict(extra="ignore")

    fileId: str | None = Field(default=None, min_length=1, max_length=200)
    url: str | None = Field(default=None, min_length=1, max_length=4096)
    name: str | None = Field(default=None, max_length=255)

    @model_validator(mode="before")
    @classmethod
    def _shorthands(cls, value: Any) -> Any:
        if isinstance(value, str):
            return (
                {"url": value} if value.startswith(("http://", "https://")) else {"fileId": value}
            )
        if isinstance(value, dict) and "title" in value and "name" not in value:
            value = {**value, "name": value["title"]}
        return value

    @model_validator(mode="after")
    def _one_source(self) -> FileRef:
        if (self.fileId is None) == (self.url is None):
            raise ValueError("a file is a stored file's id (fileId) or a URL (url), one of them")
        if self.url is not None and not self.url.startswith(("http://", "https://")):
            raise ValueError("a file's url must be an http:// or https:// URL")
        return self


@dataclass(frozen=True, slots=True)
class FileContent:
    name: str
    type: str
    data: bytes


def stored_file(ctx: ComponentContext, ref: FileRef, kind: Kind) -> FileContent:
    """The stored file `ref` names (its own name unless `ref` gives one); `<kind>.file` when
    there is none or it is too large to send."""
    files: Any = ctx.services.get(FILES_KEY)
    found = files.read(ref.fileId) if files is not None and ref.fileId else None
    if found is None:
        raise failed(kind, FILE, f"there is no stored file {ref.fileId!r}")
    stored, data = found
    _check_size(kind, len(data), stored.name)
    return FileContent(ref.name or stored.name, stored.type or DEFAULT_TYPE, data)


def fetched_file(ref: FileRef, kind: Kind, deadline: Deadline) -> FileContent:
    """The file at `ref.url`, fetched as `http.request` fetches (the address guard on every hop)."""
    url = ref.url or ""
    try:
        data, content_type = http_request.fetch_bytes(url, timeout_seconds=max(deadline.left(), 1))
    except ComponentFailed as refused:
        what = FORBIDDEN_ADDRESS if refused.code == http_request.FORBIDDEN_ADDRESS else FILE
        raise failed(kind, what, f"the file {refused.message}") from None
    except ValueError as exc:
        raise failed(kind, FILE, f"the file's URL: {exc}") from None
    name = ref.name or url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "file"
    _check_size(kind, len(data), name)
    media = content_type.split(";", 1)[0].strip().lower() or DEFAULT_TYPE
    return FileContent(name, media, data)


def _check_size(kind: Kind, size: int, name: str) -> None:
    if size > MAX_FILE_BYTES:
        raise failed(kind, FILE, f"the file {name!r} is larger than {MAX_FILE_BYTES} bytes")
