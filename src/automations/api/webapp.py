"""The web app's files (the bundle built into `web/dist`), served outside `/api/` by the same
resolver on the dev server and on Lambda.

The app routes in the browser, so a GET of any path that is not a file answers `index.html`.
A path is decoded once and must then name a file under the root by plain segments (no `..`,
`.`, backslash, NUL or hidden names), and the resolved file must still lie inside the root
(a symbolic link cannot lead out): anything else is 404, never a fallback. `index.html`
carries `<base href="/">`, rewritten to where the app is mounted (`/prod/` behind API
Gateway's stage), so the app's relative URLs work under both. Every answer forbids sniffing
and carries a policy that lets the page load only its own files (bpmn-js sets inline styles).
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

import automations

INDEX = "index.html"
BASE_TAG = '<base href="/">'
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "same-origin",
}
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
# esbuild's `[name]-[hash]` (8 base32 letters and digits), or a hex hash of 8 or more.
_HASHED = re.compile(r"[-.]([A-Z2-7]{8}|[0-9a-f]{8,}|[0-9A-F]{8,})\.[A-Za-z0-9]+$")
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
}
_TEXT = ("text/", "application/json", "image/svg+xml", "application/manifest+json")
MAX_SEGMENTS = 32
_SAFE_BASE = re.compile(r"/(?:[A-Za-z0-9._~-]+/)*")

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Automations: the web app is not built</title>
</head><body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>The web app is not built</h1>
<p>This server serves the browser app from <code>web/dist/</code>, which does not exist yet.
Build it once from the repository (Node.js 20 or later), then reload this page:</p>
<pre>npm --prefix web ci
npm --prefix web run build</pre>
<p>The API works meanwhile: <a href="api/v1/openapi.json">api/v1/openapi.json</a>.</p>
</body></html>
"""


def default_root() -> Path:
    """`web/dist` of the source tree this package runs from (absent when installed)."""
    return Path(automations.__file__).resolve().parents[2] / "web" / "dist"


def content_type(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def cache_control(name: str) -> str:
    """A year for names that change with their content; everything else is asked again."""
    return IMMUTABLE if _HASHED.search(name) else NO_CACHE


def _segments(path: str) -> list[str] | None:
    """The decoded path's segments, or None when it could reach outside the root."""
    decoded = unquote(path, errors="strict")
    if "\\" in decoded or "\0" in decoded:
        return None
    parts = [p for p in decoded.split("/") if p]
    if len(parts) > MAX_SEGMENTS or any(p in (".", "..") or p.startswith(".") for p in parts):
        return None
    return parts


def mount_base(event: Mapping[str, Any]) -> str:
    """Where the app is mounted: `/` on the dev server, `/<stage>/` behind API Gateway (the
    part of the browser's path before the path the function was given)."""
    path = str(event.get("path") or "/")
    outer = str((event.get("requestContext") or {}).get("path") or path)
    if path == "/":
        prefix = outer
    elif outer.endswith(path):
        prefix = outer[: -len(path)]
    else:
        prefix = ""
    base = prefix.rstrip("/") + "/"
    return base if _SAFE_BASE.fullmatch(base) else "/"


class WebApp:
    """Answers GET and HEAD outside `/api/` from the bundle folder `root`."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def answer(self, event: Mapping[str, Any]) -> dict[str, Any] | None:
        """The proxy response for this request, or None when it is the API's."""
        path = str(event.get("path") or "/")
        if path == "/api" or path.startswith("/api/"):
            return None
        method = str(event.get("httpMethod") or "GET").upper()
        if method not in ("GET", "HEAD"):
            return _response(
                405,
                "text/plain; charset=utf-8",
                b"method not allowed",
                method,
                {"Allow": "GET, HEAD"},
            )
        root = self._root.resolve()
        if not (root / INDEX).is_file():
            return _response(
                503,
                "text/html; charset=utf-8",
                NOT_BUILT.encode(),
                method,
                {"Cache-Control": "no-store"},
            )
        try:
            parts = _segments(path)
        except UnicodeDecodeError:
            parts = None
        if parts is None:
            return _response(404, "text/plain; charset=utf-8", b"not found", method)
        target = root.joinpath(*parts).resolve() if parts else root / INDEX
        if not target.is_relative_to(root):
            return _response(404, "text/plain; charset=utf-8", b"not found", method)
        if not target.is_file():
            target = root / INDEX  # a route of the app: the app finds its page itself
        data = target.read_bytes()
        if target.name == INDEX and target.parent == root:
            data = data.replace(BASE_TAG.encode(), f'<base href="{mount_base(event)}">'.encode(), 1)
        headers = {"Cache-Control": cache_control(target.name)}
        return _response(200, content_type(target.name), data, method, headers)


def _response(
    status: int, media: str, data: bytes, method: str, extra: Mapping[str, str] | None = None
) -> dict[str, Any]:
    headers = {"Content-Type": media, **SECURITY_HEADERS, **(extra or {})}
    body = b"" if method == "HEAD" else data
    text: str | None = None
    if media.startswith(_TEXT):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None  # not UTF-8 after all: sent as bytes
    return {
        "statusCode": status,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "body": text if text is not None else base64.b64encode(body).decode("ascii"),
        "isBase64Encoded": text is None,
    }
