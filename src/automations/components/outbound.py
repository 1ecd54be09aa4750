"""One guarded HTTP exchange, for every component that calls a web service (`http.request`,
`ai.request`, the messengers, the file downloads).

An exchange resolves the host, has the address guard (`address_guard`, with the caller's
policy) check every address, and connects to the very address that was checked: the URL's host
is replaced by the IP while the `Host` header, the TLS server name and the certificate check
stay the host's name, so DNS cannot answer differently between the check and the connection.
Proxy environment variables are ignored for the same reason. Certificates are checked against
certifi's authorities plus an optional CA file of the caller's. The body is read while it
streams, up to a byte limit (counted after decompression; a `Content-Length` over it fails
before reading), and the whole exchange keeps to a `Deadline`.

Failures are raised as the neutral `OutboundError`s below, which each component turns into its
own codes (`http.*`, `ai.*`, `telegram.*`...) and messages; `retrying` is the bounded retry
loop with `Retry-After` the rate-limited services share.

Secrets: httpx logs every request's full URL at INFO (a Telegram bot's token is in the path, API
keys ride in query strings) and httpcore the response headers at DEBUG (cookies), so both
loggers are held at WARNING from the moment this module is imported. Nothing here logs a
header, a body or more of a URL than its origin.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from ipaddress import ip_address
from typing import Any, TypeVar

import certifi
import httpx

from automations.components import address_guard
from automations.components.address_guard import AddressPolicy, IPAddress

# Whatever level the application logs at, these two must not write URLs or headers (see the
# module docstring); an operator who wants their lines for debugging can lower them again.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}

T = TypeVar("T")


# ---------------------------------------------------------------------------------------------
# What goes wrong, in neutral terms (each component says it in its own codes)


class OutboundError(Exception):
    """Base of what an exchange raises; `detail` is text for a message (no secrets added)."""

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(detail)


class OutboundRefused(OutboundError):
    """The guard refused the host: an address that the policy does not allow (its words)."""


class OutboundUnresolved(OutboundError):
    """The host name does not resolve (the guard's words)."""


class OutboundUnreachable(OutboundError):
    """No checked address accepted a connection; `failures` has (address, why) for each."""

    def __init__(self, failures: tuple[tuple[IPAddress, str], ...]) -> None:
        super().__init__("; ".join(f"{address}: {why}" for address, why in failures))
        self.failures = failures


class OutboundTimeout(OutboundError):
    """The deadline passed before the answer was complete."""


class OutboundTooLarge(OutboundError):
    """The body is over `limit` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"over {limit} bytes")
        self.limit = limit


class OutboundFailed(OutboundError):
    """Talking to the server failed after connecting (the HTTP library's words)."""


class OutboundUndecodable(OutboundFailed):
    """The body's content encoding (gzip, brotli...) is broken."""


class OutboundCaFile(OutboundError):
    """The extra CA file cannot be read (why, in `detail`)."""


# ---------------------------------------------------------------------------------------------
# The call's time


class Deadline:
    """The end of a call's time: each request, and each wait between them, gets what is left."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def left(self) -> float:
        return self._end - time.monotonic()

    def remaining(self) -> float:
        """What is left; OutboundTimeout when nothing is."""
        left = self.left()
        if left <= 0:
            raise OutboundTimeout(f"no answer within {self.seconds:g} s")
        return left


# ---------------------------------------------------------------------------------------------
# One exchange


@dataclass(frozen=True, slots=True)
class Request:
    """One request as written: the URL with the host's name (never an IP it resolved to)."""

    method: str
    url: httpx.URL
    headers: httpx.Headers
    content: bytes | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer: `url` is the request's; `location` is set for a redirect (whose body is not
    read when the caller follows redirects itself)."""

    url: httpx.URL
    status: int
    headers: httpx.Headers
    content: bytes
    charset: str | None = None
    location: str | None = None


# Builds the transport for one connection from the TLS context (a caller's own transport can
# rewrite the request on its way out, e.g. put a token into the path httpx never sees).
TransportFactory = Callable[[ssl.SSLContext], httpx.BaseTransport]


def exchange(
    request: Request,
    policy: AddressPolicy,
    deadline: Deadline,
    max_bytes: int,
    *,
    ca_file: str = "",
    transport: TransportFactory | None = None,
    skip_redirect_body: bool = False,
) -> Reply:
    """Send `request` to the first checked address of its host that accepts a connection."""
    host = request.url.raw_host.decode("ascii")
    port = request.url.port or DEFAULT_PORTS.get(request.url.scheme, 443)
    failures: list[tuple[IPAddress, str]] = []
    for address in checked_addresses(host, port, policy):
        try:
            return _exchange_with(
                request, address, deadline, max_bytes, ca_file, transport, skip_redirect_body
            )
        except httpx.ConnectError as exc:  # refused/unreachable: the next address may answer
            failures.append((address, str(exc)))
        except httpx.TimeoutException:
            raise OutboundTimeout(f"no answer within {deadline.seconds:g} s") from None
        except httpx.DecodingError as exc:
            raise OutboundUndecodable(str(exc)) from None
        except httpx.HTTPError as exc:
            raise OutboundFailed(str(exc)) from None
    raise OutboundUnreachable(tuple(failures))


def checked_addresses(host: str, port: int, policy: AddressPolicy) -> list[IPAddress]:
    """`host` resolved and every address allowed by `policy`: OutboundRefused or
    OutboundUnresolved otherwise."""
    try:
        return address_guard.checked_addresses(host, port, policy)
    except address_guard.ForbiddenAddress as refused:
        raise OutboundRefused(refused.message) from None
    except address_guard.AddressRefused as unresolved:
        raise OutboundUnresolved(unresolved.message) from None


def _exchange_with(
    request: Request,
    address: IPAddress,
    deadline: Deadline,
    max_bytes: int,
    ca_file: str,
    transport: TransportFactory | None,
    skip_redirect_body: bool,
) -> Reply:
    url = request.url
    headers = httpx.Headers(request.headers)
    headers["Host"] = url.netloc.decode("ascii")  # the name the server expects, not the IP
    extensions: dict[str, Any] = {}
    if url.scheme == "https" and not _is_ip_literal(url.host):
        extensions["sni_hostname"] = url.raw_host.decode("ascii")  # SNI + certificate check
    pinned = url.copy_with(host=str(address))
    timeout = deadline.remaining()
    verify = tls_context(ca_file)
    # trust_env=False: a proxy from the environment would connect somewhere not checked.
    with httpx.Client(
        trust_env=False,
        follow_redirects=False,
        timeout=timeout,
        verify=verify,
        transport=transport(verify) if transport is not None else None,
    ) as client:
        built = client.build_request(
            request.method, pinned, headers=headers, content=request.content, extensions=extensions
        )
        response = client.send(built, stream=True)
        try:
            location = response.headers.get("location") if response.is_redirect else None
            skip = skip_redirect_body and location is not None
            content = b"" if skip else _read_limited(response, deadline, max_bytes)
        finally:
            response.close()
    return Reply(
        url, response.status_code, response.headers, content, response.charset_encoding, location
    )


def _read_limited(response: httpx.Response, deadline: Deadline, limit: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise OutboundTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():  # decoded: the limit holds for compressed bodies too
        size += len(chunk)
        if size > limit:
            raise OutboundTooLarge(limit)
        deadline.remaining()  # a server trickling bytes must not stretch the call
        chunks.append(chunk)
    return b"".join(chunks)


def _is_ip_literal(host: str) -> bool:
    try:
        ip_address(host)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=8)
def tls_context(ca_file: str = "") -> ssl.SSLContext:
    """certifi's authorities plus those of `ca_file` (built once per file: loading costs)."""
    context = ssl.create_default_context(cafile=certifi.where())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca_file:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise OutboundCaFile(str(exc)) from None
    return context


def origin(url: httpx.URL) -> str:
    """scheme://host[:port], all of a URL a log line may show (paths and queries hold tokens)."""
    return f"{url.scheme}://{url.netloc.decode('ascii')}"


# ---------------------------------------------------------------------------------------------
# Retries


def retrying(
    send: Callable[[], T],
    wait_for: Callable[[T, int], float | None],
    deadline: Deadline,
    *,
    attempts: int,
    sleep: Callable[[float], None],
    what: str,
    max_wait: float = float("inf"),
) -> tuple[T, int]:
    """Call `send` until `wait_for(result, attempt)` says no retry (None), the attempts are
    spent, or the wait would reach past `deadline` or `max_wait`: the last result and how many
    attempts it took. `sleep` waits (a test passes one that only takes note)."""
    for attempt in range(1, attempts + 1):
        result = send()
        wait = wait_for(result, attempt)
        if wait is None or attempt == attempts or wait > max_wait or wait >= deadline.left():
            return result, attempt
        log.info("%s: retrying in %.1f s", what, wait)
        sleep(wait)
    raise AssertionError("unreachable: the last attempt returns")  # pragma: no cover


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The wait `Retry-After` asks for (RFC 9110 10.2.3: seconds or an HTTP date), if any."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
