"""`file.upload`: keep a file from the web, or one the scenario makes, in the file store (the
product's "Загрузить файл").

Inputs, the file from exactly one of:
- `url`: fetched through the address guard as `http.request` fetches (every redirect's target
  checked too, at most 5), its body at most the file store's limit (AUTOMATIONS_MAX_FILE_BYTES).
- `content`: a text (kept as UTF-8), e.g. a CSV or an HTML page the scenario wrote.
- `contentBase64`: bytes, written in base64.
and:
- `fileName`: its name with the extension (`"Отчёт.htm"`); default: the URL's last path
  segment, else `file` (`file.txt` for a text).
- `type`: its media type; default: what the server sent for a URL, else what the name suggests
  (`text/plain` for a text, `application/octet-stream` for bytes when it suggests nothing).
- `catalogId`, `recordId`, `fieldId`: also save it into that record's file field, replacing what
  the field held (see `stored_files`).
- `timeoutSeconds` (default 30, at most 300): the download.

Result: `{fileId, name, type, size, url}`; `url` is where the API serves the file
(`/api/v1/files/<id>`, for a signed-in user or an API key).

Errors: `file.source` (the URL cannot be fetched: unreachable, timed out, answering >= 400,
not http(s); content that is not base64; no file store), `file.too_large` (over the limit),
`file.forbidden_address` (the URL or a redirect leads to an address the guard refuses),
`file.record` (the catalog, the file field or the record does not exist, or the record refused
the value).
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from automations.components import download, stored_files
from automations.components.errors import ComponentFailed
from automations.components.registry import ComponentContext, ComponentSpec, register
from automations.components.stored_files import RecordTarget, StoredFileResult
from automations.model.file import DEFAULT_TYPE

SOURCE = "file.source"
TOO_LARGE = "file.too_large"
FORBIDDEN_ADDRESS = "file.forbidden_address"
RECORD = "file.record"
ERRORS = (SOURCE, TOO_LARGE, FORBIDDEN_ADDRESS, RECORD)

MAX_TIMEOUT_SECONDS = 300.0
TEXT_TYPE = "text/plain"

# `type/subtype` with optional parameters (RFC 9110's tokens), as the files API accepts.
_TCHARS = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE = re.compile(rf"{_TCHARS}/{_TCHARS}(\s*;\s*{_TCHARS}=({_TCHARS}|\"[^\"\\]*\"))*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class FileUploadInput(BaseModel):
    """What `file.upload` takes; see the module docstring for each field."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = None
    content: str | None = None
    contentBase64: str | None = None
    fileName: str | None = Field(default=None, min_length=1, max_length=255)
    type: str | None = Field(default=None, max_length=200)
    catalogId: str | int | None = None
    recordId: str | int | None = None
    fieldId: str | int | None = None
    timeoutSeconds: float = Field(default=30.0, gt=0, le=MAX_TIMEOUT_SECONDS)

    @field_validator("fileName")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and _CONTROL.search(value):
            raise ValueError("the file name holds a control character")
        return value

    @field_validator("type")
    @classmethod
    def _media_type(cls, value: str | None) -> str | None:
        if value is not None and _MEDIA_TYPE.fullmatch(value.strip()) is None:
            raise ValueError(f"{value!r} is not a media type (type/subtype)")
        return value.strip() if value is not None else None

    @model_validator(mode="after")
    def _one_source(self) -> FileUploadInput:
        given = [k for k in ("url", "content", "contentBase64") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give the file as one of url, content or contentBase64")
        _ = self.target  # all three ids or none, each of its shape
        return self

    @property
    def target(self) -> RecordTarget | None:
        return stored_files.target_of(self)


def _downloaded(params: FileUploadInput, limit: int) -> tuple[bytes, str, str]:
    """The body at the URL, the name its URL suggests and the type its server sent."""
    try:
        fetched = download.fetch(params.url or "", limit, params.timeoutSeconds)
    except download.DownloadRefused as refused:
        raise ComponentFailed(FORBIDDEN_ADDRESS, refused.message) from None
    except download.DownloadTooLarge as too_big:
        raise ComponentFailed(
            TOO_LARGE, f"{too_big.message} (AUTOMATIONS_MAX_FILE_BYTES)"
        ) from None
    except download.DownloadError as failed:
        raise ComponentFailed(SOURCE, failed.message) from None
    sent = fetched.media_type if fetched.media_type != DEFAULT_TYPE else ""
    return fetched.data, fetched.name, sent


def _made(params: FileUploadInput) -> tuple[bytes, str]:
    """The content given inline, and the name to fall back on."""
    if params.content is not None:
        return params.content.encode("utf-8"), "file.txt"
    try:
        return base64.b64decode(params.contentBase64 or "", validate=True), "file"
    except (binascii.Error, ValueError):
        raise ComponentFailed(SOURCE, "contentBase64 is not base64") from None


def _media_type(params: FileUploadInput, name: str, sent: str) -> str:
    if params.type:
        return params.type
    if sent:
        return sent
    guessed, _ = mimetypes.guess_type(name, strict=False)
    if params.content is None:
        return guessed or DEFAULT_TYPE
    kind = guessed or TEXT_TYPE
    # The text was written as UTF-8: say so, or a browser may read it in its local charset.
    return f"{kind}; charset=utf-8" if kind.startswith("text/") else kind


def run(params: FileUploadInput, ctx: ComponentContext) -> StoredFileResult:
    """Get the file, keep it, and save it into the record when one is given."""
    target = params.target
    if target is not None:  # a wrong record fails before the download
        stored_files.check_target(ctx, target, RECORD)
    limit = stored_files.size_limit(stored_files.files_of(ctx, SOURCE))
    if params.url is not None:
        data, fallback, sent = _downloaded(params, limit)
    else:
        (data, fallback), sent = _made(params), ""
    name = params.fileName or fallback or "file"
    made = (name, _media_type(params, name, sent), data)
    return stored_files.keep(ctx, made, target, (SOURCE, TOO_LARGE, RECORD))


SPEC = register(
    ComponentSpec(
        name="file.upload",
        input_model=FileUploadInput,
        result_model=StoredFileResult,
        errors=ERRORS,
        run=run,
        summary="Keep a file from a URL or from content in the file store, or in a record.",
        title="Upload file",
        error_descriptions={
            SOURCE: "the URL cannot be fetched, or the content is not base64",
            TOO_LARGE: "the file is over the file size limit",
            FORBIDDEN_ADDRESS: "the URL, or a redirect, leads to an address that is not allowed",
            RECORD: "the record, catalog or file field to save into does not exist",
        },
    )
)
