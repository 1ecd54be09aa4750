"""A file from the web for a component that keeps or reads one (`file.upload`, `document.generate`,
`convert`): fetched as `http.request` fetches, with a size cap of the caller's own.

Every hop goes through the address guard (the first URL and each redirect's target, resolved
and pinned), at most 5 redirects, proxies ignored; the body is counted while it streams and a
`Content-Length` over the cap fails before reading. The caller turns the three errors below
into its own codes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import httpx

from automations.components import http_request
from automations.components.errors import ComponentFailed
from automations.model.file import DEFAULT_TYPE

MAX_TIMEOUT_SECONDS = http_request.MAX_TIMEOUT_SECONDS


class DownloadError(Exception):
    """Base of what `fetch` raises; `message` is for users (no query string, no password)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class DownloadRefused(DownloadError):
    """The URL, or a redirect's target, is an address the guard does not allow."""


class DownloadTooLarge(DownloadError):
    """The body is over the caller's cap (`limit` bytes)."""

    def __init__(self, message: str, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class DownloadFailed(DownloadError):
    """Anything else: not an http(s) URL, unreachable, timed out, a status >= 400."""


@dataclass(frozen=True, slots=True)
class Downloaded:
    """The body, its media type (without parameters; the default when none was sent) and the
    name the URL's last path segment suggests ("" when it has none)."""

    data: bytes
    media_type: str
    name: str


def fetch(url: str, max_bytes: int, timeout_seconds: float) -> Downloaded:
    """GET `url`, its body at most `max_bytes`, the whole call within `timeout_seconds`."""
    try:
        params = http_request.HttpRequestInput(
            url=url, timeoutSeconds=min(max(timeout_seconds, 0.001), MAX_TIMEOUT_SECONDS)
        )
    except ValueError:
        raise DownloadFailed(f"{_shown(url)} is not an absolute http:// or https:// URL") from None
    policy = dataclasses.replace(
        http_request.HttpPolicy.from_environment(), max_response_bytes=max_bytes
    )
    try:
        # The component's own fetch, so the guard, redirects and limits are one code path.
        reply = http_request._fetch(params, policy)
        http_request._check_status(reply, "GET")
    except ComponentFailed as failed:
        if failed.code == http_request.FORBIDDEN_ADDRESS:
            raise DownloadRefused(failed.message) from None
        if failed.code == http_request.TOO_LARGE:
            raise DownloadTooLarge(failed.message, max_bytes) from None
        raise DownloadFailed(failed.message) from None
    media = reply.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return Downloaded(reply.content, media if "/" in media else DEFAULT_TYPE, url_name(url))


def url_name(url: str) -> str:
    """The file name a URL suggests: its path's last segment, percent-decoded ("" if none)."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    name = unquote(path.rstrip("/").rsplit("/", 1)[-1])
    return "".join(c for c in name if c.isprintable() and c not in "\\/")


def _shown(url: str) -> str:
    # Query strings and user info often carry tokens: keep them out of messages.
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return "the URL"
    if not parsed.scheme or not parsed.host:
        return "the URL"
    return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}{parsed.path}"
