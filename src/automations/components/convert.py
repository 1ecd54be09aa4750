"""`convert`: turn a document into another format (the product's "Конвертер").

Inputs:
- `type` (required), the conversion: `html-pdf` (HTML -> PDF in headless Chromium), `docx-pdf`
  (DOCX -> PDF with LibreOffice), `excel-json` (an XLSX workbook -> JSON), `xml-json` (XML ->
  JSON as npm's xml2js builds it).
- The source, exactly one of: `fileId` (a stored file), `url` (fetched as `http.request`
  fetches: the address guard on every redirect, its size limit), `content` (the text itself:
  HTML or XML) or `contentBase64` (the bytes, for a DOCX or a workbook given inline).
- `parameters`: the conversion's options as an object. `html-pdf`: puppeteer's `page.pdf`
  options (`format`, `width`, `height`, `margin`, `landscape`, `printBackground`, `scale`,
  `pageRanges`, `displayHeaderFooter`, `headerTemplate`, `footerTemplate`); `xml-json`:
  xml2js's (`attrkey`, `charkey`, `explicitArray`, ...); `excel-json`: `excel_json`'s. Names
  are matched without regard to case (`Format` is `format`), as the product's forms write
  them (and `skipEmptyRows` is `skip_empty_rows`); `docx-pdf` takes none.
- `fileName`: the PDF's name (default: the source's name with `.pdf`, else `document.pdf`).
- `catalogId`, `recordId`, `fieldId`: also save the PDF into that record's file field,
  replacing what the field held (the product's "file into a record"; see `stored_files`).
- `timeoutSeconds` (default 60, at most 300): the conversion itself.

Result: a PDF is kept in the file store, and the result is `{fileId, name, type, size, url}`
(`url`: where the API serves it); a JSON conversion's result is `{data}`, the JSON made
(`$result.data.CAT.NAME`), as `parse` gives `{value}`.

Error codes:
- `convert.source`: no such stored file, the URL refused (not public, see `http.request`) or
  failed, `contentBase64` that is not base64, no file store where the process runs.
- `convert.failed`: the converter could not convert (the message says what it found: XML not
  well-formed at a line and column, a file that is not a workbook, a page not printed in time).
- `convert.too_large`: the source is over `AUTOMATIONS_CONVERT_MAX_BYTES` (20 MB by default;
  a URL's body is also held to `http.request`'s limit), the PDF over the file store's limit,
  or the JSON made nests deeper than process data may.
- `convert.record`: the catalog, the file field or the record to save the PDF into does not
  exist, or the record refused the value (checked before converting).
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from automations.components import download, stored_files
from automations.components.errors import ComponentFailed, ComponentInputInvalid
from automations.components.registry import ComponentContext, ComponentSpec, register
from automations.components.stored_files import RecordTarget, StoredFileResult
from automations.json_depth import json_path, too_deep_message, value_depth_over

SOURCE = "convert.source"
FAILED = "convert.failed"
TOO_LARGE = "convert.too_large"
RECORD = "convert.record"
ERRORS = (SOURCE, FAILED, TOO_LARGE, RECORD)

MAX_BYTES_ENV = "AUTOMATIONS_CONVERT_MAX_BYTES"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_TIMEOUT_SECONDS = 300.0
PDF_TYPE = "application/pdf"

ConversionType = Literal["html-pdf", "docx-pdf", "excel-json", "xml-json"]


class ConvertInput(BaseModel):
    """What `convert` takes; see the module docstring for each field."""

    model_config = ConfigDict(extra="forbid")

    type: ConversionType
    fileId: str | None = None
    url: str | None = None
    content: str | None = None
    contentBase64: str | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    fileName: str | None = Field(default=None, min_length=1, max_length=255)
    catalogId: str | int | None = None
    recordId: str | int | None = None
    fieldId: str | int | None = None
    timeoutSeconds: float = Field(default=60.0, gt=0, le=MAX_TIMEOUT_SECONDS)

    @model_validator(mode="after")
    def _one_source_and_known_parameters(self) -> ConvertInput:
        given = [
            name
            for name in ("fileId", "url", "content", "contentBase64")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give the source as exactly one of fileId, url, content and contentBase64"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.content is not None and not CONVERSIONS[self.type].text_source:
            raise ValueError(
                f"{self.type} converts a binary file: give it as fileId, url or contentBase64"
            )
        if self.target is not None and not CONVERSIONS[self.type].makes_file:
            raise ValueError(f"{self.type} makes JSON, not a file to save into a record")
        CONVERSIONS[self.type].options(self.parameters)  # a ValueError names the bad parameter
        return self

    @property
    def target(self) -> RecordTarget | None:
        return stored_files.target_of(self)


class ConvertedData(BaseModel):
    """What `excel-json` and `xml-json` give: the JSON made."""

    data: Any = None


class ConvertResult(BaseModel):
    """What a conversion gives, as the editor describes it: a PDF's `{fileId, name, type, size,
    url}` (a `StoredFileResult`), or the JSON made in `data` (a `ConvertedData`)."""

    fileId: str | None = None
    name: str | None = None
    type: str | None = None
    size: int | None = None
    url: str | None = None
    data: Any = None


# ---------------------------------------------------------------------------------------------
# The conversions (each module imported at its first use: a PDF call loads no XML code)


@dataclass(frozen=True, slots=True)
class Source:
    """The document to convert: its bytes and a name to derive the result's name from, and
    the text itself when the scenario gave text (`content`): an XML declaration in it then
    says nothing about how to decode it."""

    name: str
    data: bytes
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Conversion:
    """One `type`: how its parameters are read, and the converter (a PDF's bytes, or JSON)."""

    text_source: bool  # whether `content` (text) may hold the source
    makes_file: bool
    options: Callable[[Mapping[str, Any]], BaseModel]
    convert: Callable[[Source, Any, float], Any]


def _by_field_names(model: type[BaseModel], given: Mapping[str, Any]) -> dict[str, Any]:
    """`given` with each key spelled as the model's field: the product's forms write `Format`
    for `format`, and `skipEmptyRows` and `skip_empty_rows` are one parameter."""
    fields = {_loose(name): name for name in model.model_fields}
    return {fields.get(_loose(key), key): value for key, value in given.items()}


def _loose(name: str) -> str:
    return name.replace("_", "").lower()


def _options_of(load: Callable[[], type[BaseModel]]) -> Callable[[Mapping[str, Any]], BaseModel]:
    def options(given: Mapping[str, Any]) -> BaseModel:
        model = load()
        try:
            return model.model_validate(_by_field_names(model, given))
        except ValidationError as err:
            raise ValueError(f"parameters: {_messages(err)}") from None

    return options


def _messages(err: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'value'}: "
        f"{error['msg'].removeprefix('Value error, ')}"
        for error in err.errors()
    )


def _pdf_options() -> type[BaseModel]:
    from automations.components.convert_pdf import PdfOptions

    return PdfOptions


class _NoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _no_options() -> type[BaseModel]:
    return _NoOptions


def _xml_options() -> type[BaseModel]:
    from automations.components.xml2js import Xml2JsOptions

    return Xml2JsOptions


def _excel_options() -> type[BaseModel]:
    from automations.components.excel_json import ExcelOptions

    return ExcelOptions


def _html_pdf(source: Source, options: Any, timeout: float) -> bytes:
    from automations.components.convert_pdf import html_to_pdf

    html = source.text
    if html is None:  # a file's bytes: UTF-8, as the product reads them
        html = source.data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return html_to_pdf(html, options, timeout)


def _docx_pdf(source: Source, options: Any, timeout: float) -> bytes:
    from automations.components.convert_pdf import docx_to_pdf

    return docx_to_pdf(source.data, timeout)


def _xml_json(source: Source, options: Any, timeout: float) -> Any:
    from automations.components.xml2js import xml_to_json

    # Bytes are decoded as their XML declaration says; a text is already decoded.
    return xml_to_json(source.data if source.text is None else source.text, options)


def _excel_json(source: Source, options: Any, timeout: float) -> Any:
    from automations.components.excel_json import workbook_to_json

    return workbook_to_json(source.data, options)


CONVERSIONS: dict[str, Conversion] = {
    "html-pdf": Conversion(True, True, _options_of(_pdf_options), _html_pdf),
    "docx-pdf": Conversion(False, True, _options_of(_no_options), _docx_pdf),
    "excel-json": Conversion(False, False, _options_of(_excel_options), _excel_json),
    "xml-json": Conversion(True, False, _options_of(_xml_options), _xml_json),
}


# ---------------------------------------------------------------------------------------------
# The source


def max_source_bytes(environ: Mapping[str, str] | None = None) -> int:
    value = (os.environ if environ is None else environ).get(MAX_BYTES_ENV, "").strip()
    return int(value) if value.isdigit() else DEFAULT_MAX_BYTES


def load_source(params: ConvertInput, ctx: ComponentContext) -> Source:
    """The document the inputs name, held to the size limit."""
    if params.fileId is not None:
        source = _stored(params.fileId, ctx)
    elif params.url is not None:
        source = _fetched(params.url, params.timeoutSeconds)
    elif params.content is not None:
        source = Source("document", params.content.encode("utf-8"), params.content)
    else:
        source = Source("document", _base64(params.contentBase64 or ""))
    limit = max_source_bytes()
    if len(source.data) > limit:
        raise ComponentFailed(
            TOO_LARGE,
            f"the source is {len(source.data)} bytes, over the limit of {limit} ({MAX_BYTES_ENV})",
        )
    return source


def _stored(file_id: str, ctx: ComponentContext) -> Source:
    found = stored_files.files_of(ctx, SOURCE).read(file_id)
    if found is None:
        raise ComponentFailed(SOURCE, f"there is no stored file {file_id!r}")
    stored, data = found
    return Source(stored.name, data)


def _fetched(url: str, timeout: float) -> Source:
    limit = max_source_bytes()
    try:
        fetched = download.fetch(url, limit, timeout)
    except download.DownloadTooLarge as too_big:
        raise ComponentFailed(
            TOO_LARGE, f"the source: {too_big.message} ({MAX_BYTES_ENV})"
        ) from None
    except download.DownloadError as failed:  # refused by the guard, unreachable, >= 400
        raise ComponentFailed(SOURCE, f"the source: {failed.message}") from None
    return Source(fetched.name or "document", fetched.data)


def _base64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ComponentFailed(SOURCE, "contentBase64 is not base64") from None


# ---------------------------------------------------------------------------------------------
# The result


def pdf_name(params: ConvertInput, source: Source) -> str:
    """`fileName`, or the source's name with `.pdf` in place of its extension."""
    if params.fileName:
        name = params.fileName.strip()
        return name if name.lower().endswith(".pdf") else f"{name}.pdf"
    stem = source.name.rsplit(".", 1)[0] if "." in source.name else source.name
    return f"{stem or 'document'}.pdf"


def _stored_pdf(
    params: ConvertInput, source: Source, pdf: bytes, ctx: ComponentContext
) -> StoredFileResult:
    made = (pdf_name(params, source), PDF_TYPE, pdf)
    return stored_files.keep(ctx, made, params.target, (SOURCE, TOO_LARGE, RECORD))


def _checked_depth(value: Any, ctx: ComponentContext) -> Any:
    path = value_depth_over(value, ctx.max_json_depth)
    if path is not None:
        raise ComponentFailed(
            TOO_LARGE,
            too_deep_message("the JSON made", ctx.max_json_depth, f"at {json_path(path)}"),
        )
    return value


def run(params: ConvertInput, ctx: ComponentContext) -> StoredFileResult | ConvertedData:
    """Load the source, convert it and keep (or return) what was made."""
    conversion = CONVERSIONS[params.type]
    try:
        options = conversion.options(params.parameters)
    except ValueError as exc:  # checked by the model already; kept for direct callers
        raise ComponentInputInvalid(str(exc)) from None
    if params.target is not None:  # a wrong record fails before the work is done
        stored_files.check_target(ctx, params.target, RECORD)
    source = load_source(params, ctx)
    try:
        made = conversion.convert(source, options, params.timeoutSeconds)
    except ValueError as exc:  # each converter's own error (a ValueError) says what is wrong
        raise ComponentFailed(FAILED, f"{params.type}: {exc}") from None
    if conversion.makes_file:
        return _stored_pdf(params, source, made, ctx)
    return ConvertedData(data=_checked_depth(made, ctx))


SPEC = register(
    ComponentSpec(
        name="convert",
        input_model=ConvertInput,
        result_model=ConvertResult,
        errors=ERRORS,
        run=run,
        summary="Convert HTML or DOCX to PDF, an Excel workbook or XML to JSON.",
        title="Converter",
        error_descriptions={
            SOURCE: "the source file or URL cannot be read",
            FAILED: "the document cannot be converted",
            TOO_LARGE: "the source or the result is over its limit",
            RECORD: "the record, catalog or file field to save the PDF into does not exist",
        },
    )
)
