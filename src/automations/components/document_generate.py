"""`document.generate`: fill a DOCX or XLSX template with data (the product's "Сгенерировать
документ").

Inputs:
- `templateFileId`: the template as a stored file: its id, or a file field's value
  (`[{"id": ..., "title": ...}]`, as `records.get` gives it: its first file is taken).
- `templateUrl`: or the template's URL, fetched through the address guard (as `http.request`
  fetches: each redirect checked, the body at most the file store's limit).
- `data` (required): an object (or its JSON text) whose keys the tags name: `{{executor.name}}`,
  and `{{table.number}}` repeating a table row per item of `table` (see `template_tags`).
- `fileName`: the document's name (default: the template's); `.docx` / `.xlsx` is added when
  the name does not end with it.
- `catalogId`, `recordId`, `fieldId`: also save the document into that record's file field,
  replacing what it held (see `stored_files`).
- `timeoutSeconds` (default 30, at most 300): fetching a template from its URL.

Which kind the template is, is read from the file itself (its main part), not from its name.
Result: `{fileId, name, type, size, url}`.

Errors:
- `document.source`: no such stored file, a URL refused by the guard, unreachable, answering
  >= 400 or over the size limit, a file that is not a DOCX or XLSX package (or is unsafe to
  open), no file store where the process runs.
- `document.template`: a tag without data, naming an object, mixing two lists in a row, or
  broken (`{{client.na`); the message names the tag and where it is ("tag {{client.phone}} in
  paragraph 3 has no data", "... in table 1, row 2, cell 3, paragraph 1 (item 2 of items)",
  "... in Invoice!B7").
- `document.data`: `data` is not an object, or the filled document is over the file limit.
- `document.record`: the catalog, the field (not a file field) or the record to save into does
  not exist, or the record refused the value.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Mapping
from typing import Any

from lxml import etree
from pydantic import BaseModel, ConfigDict, Field, model_validator

from automations.components import download, office_package, stored_files
from automations.components.docx_fill import fill_docx
from automations.components.errors import ComponentFailed
from automations.components.registry import ComponentContext, ComponentSpec, register
from automations.components.stored_files import RecordTarget, StoredFileResult
from automations.components.template_tags import TemplateProblem
from automations.components.xlsx_fill import fill_xlsx

SOURCE = "document.source"
TEMPLATE = "document.template"
DATA = "document.data"
RECORD = "document.record"
ERRORS = (SOURCE, TEMPLATE, DATA, RECORD)

MAX_TIMEOUT_SECONDS = 300.0

_FILLERS: dict[office_package.Kind, Callable[[bytes, dict[str, Any]], bytes]] = {
    "docx": fill_docx,
    "xlsx": fill_xlsx,
}


class DocumentGenerateInput(BaseModel):
    """What `document.generate` takes; see the module docstring for each field."""

    model_config = ConfigDict(extra="forbid")

    templateFileId: str | dict[str, Any] | list[dict[str, Any]] | None = None
    templateUrl: str | None = None
    data: Any
    fileName: str | None = Field(default=None, min_length=1, max_length=255)
    catalogId: str | int | None = None
    recordId: str | int | None = None
    fieldId: str | int | None = None
    timeoutSeconds: float = Field(default=30.0, gt=0, le=MAX_TIMEOUT_SECONDS)

    @model_validator(mode="after")
    def _one_template(self) -> DocumentGenerateInput:
        if (self.templateFileId is None) == (self.templateUrl is None):
            raise ValueError("give the template as one of templateFileId or templateUrl")
        _ = self.target  # all three ids or none, each of its shape
        return self

    @property
    def target(self) -> RecordTarget | None:
        return stored_files.target_of(self)


def _template_id(given: str | dict[str, Any] | list[dict[str, Any]]) -> str:
    """The file id in a stored file's id or a file field's value (its first file)."""
    entry: Any = given
    if isinstance(entry, list):
        if not entry:
            raise ComponentFailed(SOURCE, "templateFileId is an empty file field: no template")
        entry = entry[0]
    if isinstance(entry, Mapping):
        entry = entry.get("id", entry.get("fileId"))
    if not isinstance(entry, str) or not entry:
        raise ComponentFailed(SOURCE, "templateFileId names no stored file")
    return entry


def _template(params: DocumentGenerateInput, ctx: ComponentContext) -> tuple[str, bytes]:
    """The template's name and bytes."""
    files = stored_files.files_of(ctx, SOURCE)
    if params.templateFileId is not None:
        file_id = _template_id(params.templateFileId)
        found = files.read(file_id)
        if found is None:
            raise ComponentFailed(SOURCE, f"there is no stored file {file_id[:64]!r}")
        return found[0].name, found[1]
    url = params.templateUrl or ""
    try:
        fetched = download.fetch(url, stored_files.size_limit(files), params.timeoutSeconds)
    except download.DownloadError as failed:
        raise ComponentFailed(SOURCE, f"the template: {failed.message}") from None
    return fetched.name, fetched.data


def _data(given: Any) -> dict[str, Any]:
    value = given
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ComponentFailed(DATA, "data is a text that is not a JSON object") from None
    if not isinstance(value, dict):
        raise ComponentFailed(DATA, f"data must be an object, not {_json_kind(value)}")
    return value


def _json_kind(value: Any) -> str:
    kinds = {list: "a list", str: "a text", bool: "a boolean", type(None): "null"}
    return kinds.get(type(value), "a number")


def _named(name: str, kind: office_package.Kind) -> str:
    extension = f".{kind}"
    return name if name.lower().endswith(extension) else f"{name}{extension}"


def run(params: DocumentGenerateInput, ctx: ComponentContext) -> StoredFileResult:
    """Fill the template, keep the document, and save it into the record when one is given."""
    data = _data(params.data)
    target = params.target
    if target is not None:  # a wrong record fails before the template is fetched
        stored_files.check_target(ctx, target, RECORD)
    template_name, template = _template(params, ctx)
    try:
        kind = office_package.checked_kind(template, "the template")
    except office_package.PackageInvalid as invalid:
        raise ComponentFailed(SOURCE, invalid.message) from None
    try:
        document = _FILLERS[kind](template, data)
    except TemplateProblem as problem:
        raise ComponentFailed(TEMPLATE, problem.message) from None
    except (ValueError, KeyError, zipfile.BadZipFile, etree.LxmlError):
        # A package that passed the checks and still breaks the library: a damaged file.
        raise ComponentFailed(
            SOURCE, f"the template cannot be read as a {kind.upper()} file (is it damaged?)"
        ) from None
    name = _named(params.fileName or template_name or "document", kind)
    made = (name, office_package.MEDIA_TYPES[kind], document)
    return stored_files.keep(ctx, made, target, (SOURCE, DATA, RECORD))


SPEC = register(
    ComponentSpec(
        name="document.generate",
        input_model=DocumentGenerateInput,
        result_model=StoredFileResult,
        errors=ERRORS,
        run=run,
        summary="Fill a DOCX or XLSX template's {{tags}} with data; table rows repeat per item.",
        title="Generate document",
        error_descriptions={
            SOURCE: "no template: no such file, a refused or failed URL, not DOCX or XLSX",
            TEMPLATE: "a tag of the template has no data or cannot be filled (named, with where)",
            DATA: "the data is not an object, or the document is over the file limit",
            RECORD: "the record, catalog or file field to save into does not exist",
        },
    )
)
