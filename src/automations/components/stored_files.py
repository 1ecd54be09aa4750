"""What the components that make files share (`file.upload`, `document.generate`): the file store
port, the result they give, and saving a file into a record's file field.

A file saved into a field replaces what the field held, as the product's "Upload file" does (to
keep several, take the results' `fileId`s and write the field with `records.update`). The catalog,
the field (it must be a file field) and the record are checked before the file is stored, so a
wrong id leaves no stray file behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, StringConstraints

from automations.components.errors import ComponentFailed
from automations.components.records_common import ERROR_CODES, Id
from automations.components.registry import ComponentContext
from automations.errors import FileTooLarge
from automations.model.catalog import FieldType
from automations.model.file import DEFAULT_MAX_FILE_BYTES, StoredFile
from automations.ports import FileStore, RecordsPort

FILES_KEY = "files"  # ComponentContext.services: the FileStore port
RECORDS_KEY = "records"
# Where the API serves a stored file (`GET /api/v1/files/{id}`, signed in), relative to the API.
FILES_URL = "/api/v1/files/"

FieldId = Annotated[
    str,
    BeforeValidator(lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else v),
    StringConstraints(pattern=r"^[0-9]{1,18}$"),
]


class RecordTarget(BaseModel):
    """Where a made file goes: a file field of a record."""

    catalogId: Id
    recordId: Id
    fieldId: FieldId


def target_of(inputs: Any) -> RecordTarget | None:
    """The record file field an input model's `catalogId`, `recordId` and `fieldId` name (all
    three, or None when none is given); a ValueError, in the user's words, for one or two."""
    given = [inputs.catalogId, inputs.recordId, inputs.fieldId]
    if all(value is None for value in given):
        return None
    if any(value is None for value in given):
        raise ValueError("to save into a record give catalogId, recordId and fieldId")
    return RecordTarget.model_validate(
        {"catalogId": inputs.catalogId, "recordId": inputs.recordId, "fieldId": inputs.fieldId}
    )


class StoredFileResult(BaseModel):
    """A file kept in the file store: its id (for a file field or `mail.send`), its name, media
    type and size in bytes, and where the API serves it (`GET`, signed in)."""

    fileId: str
    name: str
    type: str
    size: int
    url: str


def result_of(stored: StoredFile) -> StoredFileResult:
    return StoredFileResult(
        fileId=stored.id,
        name=stored.name,
        type=stored.type,
        size=stored.size,
        url=FILES_URL + stored.id,
    )


def files_of(ctx: ComponentContext, code: str) -> FileStore:
    """The file store this run was given; `code` when there is none."""
    files = ctx.services.get(FILES_KEY)
    if files is None:
        raise ComponentFailed(code, "no file store is available where this process runs")
    return files  # type: ignore[no-any-return]


def size_limit(files: FileStore) -> int:
    """The store's limit for one file (AUTOMATIONS_MAX_FILE_BYTES): both stores keep it as
    `max_bytes`; a store that has none is held to the default."""
    limit = getattr(files, "max_bytes", DEFAULT_MAX_FILE_BYTES)
    return limit if isinstance(limit, int) else DEFAULT_MAX_FILE_BYTES


def store(files: FileStore, name: str, media_type: str, data: bytes, too_large: str) -> StoredFile:
    """Keep the file; `too_large` is the code for one over the store's limit."""
    try:
        return files.put(name, media_type, data)
    except FileTooLarge as refused:
        raise ComponentFailed(
            too_large,
            f"the file {name!r} is {refused.size} bytes, over the limit of {refused.limit} "
            "bytes (AUTOMATIONS_MAX_FILE_BYTES)",
        ) from None


def keep(
    ctx: ComponentContext,
    made: tuple[str, str, bytes],
    target: RecordTarget | None,
    codes: tuple[str, str, str],
) -> StoredFileResult:
    """Store a file made by a component (`made`: name, media type, content) and, when `target`
    names a record's file field, make it that field's file; `codes`: the component's codes for
    no file store, a file over the limit, a record that is not there."""
    no_store, too_large, record = codes
    # A wrong record fails before anything is stored (and leaves no stray file).
    records = check_target(ctx, target, record) if target is not None else None
    name, media_type, data = made
    stored = store(files_of(ctx, no_store), name, media_type, data, too_large)
    if records is not None and target is not None:
        save_into_field(records, target, stored, record)
    return result_of(stored)


def check_target(ctx: ComponentContext, target: RecordTarget, code: str) -> RecordsPort:
    """The records port, once the catalog, its file field and the record are known to exist."""
    records = ctx.services.get(RECORDS_KEY)
    if records is None:
        raise ComponentFailed(code, "records are not available where this process runs")
    with _as(code):
        catalog = records.catalog(target.catalogId)
        field = catalog.field(target.fieldId)
        if field is None:
            raise ComponentFailed(code, f"catalog {target.catalogId} has no field {target.fieldId}")
        if field.type != FieldType.FILE:
            raise ComponentFailed(
                code,
                f"field {target.fieldId} of catalog {target.catalogId} is a {field.type.value} "
                "field, not a file field",
            )
        records.get(target.catalogId, target.recordId, {target.fieldId})
    return records  # type: ignore[no-any-return]


def save_into_field(
    records: RecordsPort, target: RecordTarget, stored: StoredFile, code: str
) -> None:
    """Make the file the field's only file."""
    value: list[dict[str, Any]] = [
        {"id": stored.id, "title": stored.name, "mimeType": stored.type, "size": stored.size}
    ]
    with _as(code):
        records.update(target.catalogId, target.recordId, {target.fieldId: value})


@contextmanager
def _as(code: str) -> Iterator[None]:
    """Any error of the records port as `code`, with the port's own message."""
    try:
        yield
    except tuple(ERROR_CODES) as exc:
        message = getattr(exc, "message", None) or str(exc)
        raise ComponentFailed(code, message) from None
