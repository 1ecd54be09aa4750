"""`/api/v1/files`: store a file, read one back.

Upload: the file's bytes are the request body, its media type the `Content-Type` header and its
name the `name` query parameter, which is what both a browser and curl send without a form:

    curl -u ... --data-binary @invoice.pdf -H 'Content-Type: application/pdf' \\
         'http://127.0.0.1:8000/api/v1/files?name=invoice.pdf'
    fetch('/api/v1/files?name=' + encodeURIComponent(file.name), {method: 'POST', body: file})

A body without a type, or with curl's default form type, gets the type the name suggests
(`application/octet-stream` when it suggests none); a multipart form is refused (415), since
its envelope would be stored as the file. The answer is `{id, name, type, size, created}`.

Download: `GET /api/v1/files/{id}` answers the bytes as an attachment (never shown inline, and
`nosniff`: a stored HTML page cannot run in the API's origin), with the name in
`Content-Disposition` as RFC 6266 / RFC 8187 write it for any script.
"""

from __future__ import annotations

import mimetypes
import re
from http import HTTPStatus
from typing import Annotated, Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from automations.api.auth import header
from automations.api.bodies import raw_body
from automations.api.errors import ApiError, BadRequest, NotFound, UnsupportedMediaType
from automations.errors import FileTooLarge
from automations.model.file import DEFAULT_TYPE, StoredFile
from automations.ports import FileStore

PATHS = ("/api/v1/files", "/api/v1/files/<fileId>")
UPLOAD_PATH = PATHS[0]
TAGS = ["files"]
MAX_NAME_CHARS = 255

# `type/subtype` with optional parameters, as RFC 9110 writes a media type (tokens only).
_TCHARS = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE = re.compile(rf"{_TCHARS}/{_TCHARS}(\s*;\s*{_TCHARS}=({_TCHARS}|\"[^\"\\]*\"))*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FORM = "application/x-www-form-urlencoded"

OPENAPI: dict[tuple[str, str], dict[str, Any]] = {
    ("/api/v1/files", "post"): {
        "requestBody": {
            "required": True,
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        },
        "responses": {"413": {"description": "The file is over AUTOMATIONS_MAX_FILE_BYTES"}},
    },
    ("/api/v1/files/{fileId}", "get"): {
        "responses": {
            "200": {
                "description": "The file's bytes, as an attachment",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
}


class FileTooBig(ApiError):
    """Raised when an uploaded file is over the file size limit (AUTOMATIONS_MAX_FILE_BYTES)."""

    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    code = "file.too_large"


def too_big(limit: int) -> FileTooBig:
    """The refusal of a file over `limit` bytes (the gate's, before the body is read, too)."""
    return FileTooBig(f"the file is larger than {limit} bytes (AUTOMATIONS_MAX_FILE_BYTES)")


def is_upload(method: str, path: str) -> bool:
    """Whether a request is an upload (its body is a file: the file limit, any media type)."""
    return method.upper() == "POST" and path.rstrip("/") == UPLOAD_PATH


def file_json(stored: StoredFile) -> dict[str, Any]:
    """A stored file as the API shows it."""
    return stored.model_dump(mode="json", by_alias=True)


def media_type(given: str | None, name: str) -> str:
    """The type a file is stored with: the one sent, else the one its name suggests."""
    text = (given or "").strip()
    essence = text.split(";")[0].strip().lower()
    if essence.startswith("multipart/"):
        raise UnsupportedMediaType(
            "send the file's bytes as the body (not a multipart form), its type as Content-Type "
            "and its name as ?name=..."
        )
    if not text or essence == _FORM:
        guessed, _ = mimetypes.guess_type(name, strict=False)
        return guessed or DEFAULT_TYPE
    if len(text) > 200 or _MEDIA_TYPE.fullmatch(text) is None:
        raise BadRequest(f"Content-Type {text[:200]!r} is not a media type (type/subtype)")
    return text


def checked_name(name: str | None) -> str:
    """The file's name as given, or BadRequest naming what is wrong with it."""
    if name is None or not name.strip():
        raise BadRequest("give the file's name as the query parameter name (?name=report.pdf)")
    if len(name) > MAX_NAME_CHARS:
        raise BadRequest(f"the file's name is longer than {MAX_NAME_CHARS} characters")
    if _CONTROL.search(name) is not None:
        raise BadRequest("the file's name holds a control character")
    return name


def content_disposition(name: str) -> str:
    """`attachment` with the name: plain ASCII for old clients, and RFC 8187's UTF-8 form."""
    # A name kept by a component (a mail attachment's) may hold anything: a control character
    # never reaches the header (the ext-value percent-encodes it).
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    encoded = quote(name, safe="!#$&+-.^_`|~", encoding="utf-8")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def router(files: FileStore, max_file_bytes: int) -> Router:
    """The file routes over this store."""
    routes = Router()  # type: ignore[no-untyped-call]

    @routes.post(PATHS[0], tags=TAGS, summary="Store a file (the body), named by ?name=")
    def upload(
        name: Annotated[str | None, Query(description="the file's name")] = None,
    ) -> Response[str]:
        event = routes.current_event
        given = checked_name(name)
        kind = media_type(header(event.headers, "content-type"), given)
        data = raw_body(event)
        if len(data) > max_file_bytes:
            raise too_big(max_file_bytes)
        try:
            stored = files.put(given, kind, data)
        except FileTooLarge as refused:
            raise too_big(refused.limit) from None
        return Response(
            status_code=201,
            content_type=content_types.APPLICATION_JSON,
            body=stored.model_dump_json(by_alias=True),
        )

    def download(fileId: str) -> Response[bytes]:
        found = files.read(fileId)
        if found is None:
            raise NotFound(f"file {fileId[:64]} not found")
        stored, data = found
        return Response(
            status_code=200,
            content_type=stored.type,
            body=data,
            headers={
                "Content-Disposition": content_disposition(stored.name),
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )

    # powertools validates a declared return type as JSON (bytes do not encode); it passes a
    # route's non-JSON Response through as it is only when the route declares none.
    del download.__annotations__["return"]
    routes.get(PATHS[1], tags=TAGS, summary="Download a stored file")(download)
    return routes
