"""An Excel workbook (.xlsx, .xlsm) to JSON, for the converter's "Excel → JSON".

The result is an object with a key per worksheet (its name, in the workbook's order, hidden
ones too, or the order `sheets` asks for) holding the sheet's rows, top to bottom; chart sheets
have no rows and are left out. How a row looks is `keys`:

- `columns` (the default, the product's shape): an object keyed by column letter,
  `{"A": "Name", "C": 12}`; an empty cell has no key;
- `header`: the first row that has a value is the header, and each row after it is an object
  keyed by the header's texts, every key present (`null` for an empty cell). A column with an
  empty header cell is keyed by its letter, a repeated header text gets `_2`, `_3`...;
- `none`: an array of the row's values from column A, `null` for an empty cell, without the
  empty cells at the end.

Rows with no value are left out unless `skip_empty_rows` is false (then an empty object or
array stands for each). Values: text as it is; numbers as JSON numbers (whole numbers as
integers); booleans; a date cell as `YYYY-MM-DD` when its format shows no time, else
`YYYY-MM-DDTHH:MM:SS`; a time as `HH:MM:SS`; a duration (`[h]:mm`) as `H:MM:SS` with all its
hours; an error cell as its text (`#DIV/0!`); a formula as the value Excel last computed and
saved with it (none: empty, as for a file written by a program that does not compute).

Limits and safety: at most `max_cells` cells (an empty row counts as one) in the sheets read,
and at most `MAX_UNPACKED_BYTES` in the unpacked workbook (a small file can unpack to
gigabytes); a part with a DOCTYPE is refused before openpyxl reads anything.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from openpyxl import load_workbook
from openpyxl.styles.numbers import is_datetime
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from pydantic import BaseModel, ConfigDict, Field

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and encrypted .xlsx)
_XML_PARTS = (".xml", ".rels", ".vml")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_EXACT_INTEGERS = 2**53  # beyond this a double's digits are no longer exact
# What openpyxl raises on a package it cannot read.
_UNREADABLE = (
    InvalidFileException,
    zipfile.BadZipFile,
    OSError,  # no workbook part in the package (a .docx, say)
    KeyError,  # a part the package lists is missing
    SyntaxError,  # a part is not well-formed XML (lxml's and ElementTree's errors)
    ValueError,
    TypeError,
)


class ExcelError(ValueError):
    """The data is not a workbook this can read, a sheet asked for is missing, or a limit is
    passed; the message says which."""


class ExcelOptions(BaseModel):
    """Which sheets to read and how rows look; see the module docstring."""

    model_config = ConfigDict(extra="forbid")

    sheets: list[str] | None = None  # None: every worksheet
    keys: Literal["columns", "header", "none"] = "columns"
    skip_empty_rows: bool = True
    max_cells: int = Field(default=1_000_000, ge=1)


def workbook_to_json(data: bytes, options: ExcelOptions) -> dict[str, list[Any]]:
    """`{sheet name: rows}` for the workbook in `data`; raises `ExcelError`."""
    _check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _UNREADABLE as exc:
        raise ExcelError(f"the file is not an Excel workbook that can be read ({exc})") from None
    try:
        budget = _Budget(options.max_cells)
        result: dict[str, list[Any]] = {}
        for sheet in _sheets(workbook, options):
            try:
                result[sheet.title] = _rows(sheet, options, budget)
            except ExcelError:
                raise
            except _UNREADABLE as exc:  # (read-only sheets are parsed as they are read)
                raise ExcelError(f"sheet {sheet.title!r} cannot be read ({exc})") from None
        return result
    finally:
        workbook.close()


def _check_archive(data: bytes) -> None:
    """Refuse what is no workbook, unpacks too far, or carries a DOCTYPE in a part (OOXML has
    none; one could only be there to declare entities for the XML parsers openpyxl uses)."""
    if data.startswith(_OLE_MAGIC):
        raise ExcelError(
            "the file is an old-format .xls workbook or a password-protected one: save it as"
            " .xlsx without a password"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ExcelError(
            "the file is not an Excel workbook (.xlsx): it is not a ZIP archive"
        ) from None
    with archive:
        entries = archive.infolist()
        unpacked = sum(entry.file_size for entry in entries)
        if unpacked > MAX_UNPACKED_BYTES:
            raise ExcelError(
                f"the workbook unpacks to {unpacked} bytes, more than the"
                f" {MAX_UNPACKED_BYTES} allowed"
            )
        try:
            for entry in entries:
                _check_part(archive, entry)
        except (zipfile.BadZipFile, NotImplementedError, EOFError, RuntimeError) as exc:
            # (RuntimeError: an encrypted entry; NotImplementedError: an unknown compression)
            raise ExcelError(
                f"the file is not an Excel workbook (.xlsx) that can be read ({exc})"
            ) from None


def _check_part(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    with archive.open(entry) as part:
        head = part.read(4)
        if entry.filename.endswith(_XML_PARTS) and (
            head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head
        ):
            # Excel writes UTF-8; a UTF-16 part would hide its markup from the scan below.
            raise ExcelError(f"the workbook part {entry.filename!r} is not UTF-8 XML")
        window = head
        while True:
            if _DOCTYPE.search(window):
                raise ExcelError(f"the workbook part {entry.filename!r} has a DOCTYPE (refused)")
            chunk = part.read(1 << 16)
            if not chunk:
                return
            window = window[-len(b"<!DOCTYPE") :] + chunk


def _sheets(workbook: Workbook, options: ExcelOptions) -> list[ReadOnlyWorksheet]:
    worksheets = {
        sheet.title: sheet
        for sheet in workbook.worksheets
        if isinstance(sheet, ReadOnlyWorksheet)  # (always, read_only=True; typed so)
    }
    if options.sheets is None:
        return list(worksheets.values())
    chosen: list[ReadOnlyWorksheet] = []
    for name in options.sheets:
        if name not in worksheets:
            have = ", ".join(repr(title) for title in worksheets) or "none"
            kind = "is a chart sheet" if name in workbook.sheetnames else "is not in the workbook"
            raise ExcelError(f"sheet {name!r} {kind} (its worksheets: {have})")
        chosen.append(worksheets[name])
    return chosen


class _Budget:
    """The cells left to read in the whole workbook."""

    def __init__(self, cells: int) -> None:
        self.limit = self.left = cells

    def spend(self, sheet: str, cells: int) -> None:
        self.left -= max(cells, 1)
        if self.left < 0:
            raise ExcelError(
                f"the workbook has more than {self.limit} cells to read (the limit was passed"
                f" in sheet {sheet!r}): raise max_cells or choose fewer sheets"
            )


def _rows(sheet: ReadOnlyWorksheet, options: ExcelOptions, budget: _Budget) -> list[Any]:
    values = _values(sheet, budget)
    if not options.skip_empty_rows:
        rows: Iterable[list[Any]] = values
    else:
        rows = (row for row in values if any(value is not None for value in row))
    if options.keys == "none":
        return [_trimmed(row) for row in rows]
    if options.keys == "columns":
        return [_by_letter(row) for row in rows]
    return _by_header(rows)


def _values(sheet: ReadOnlyWorksheet, budget: _Budget) -> Iterator[list[Any]]:
    # The stored dimension is not trusted: writers get it wrong, and a bogus one would pad
    # every row up to it.
    sheet.reset_dimensions()
    # (types-openpyxl gives ReadOnlyWorksheet the plain Worksheet's iter_rows)
    for cells in sheet.iter_rows():  # type: ignore[misc]
        budget.spend(sheet.title, len(cells))
        yield [_value(cell.value, getattr(cell, "number_format", None)) for cell in cells]


def _value(value: Any, number_format: str | None) -> Any:
    if isinstance(value, dt.datetime):
        seconds = _to_second(value)
        if number_format and is_datetime(number_format) == "date":
            return seconds.date().isoformat()
        return seconds.isoformat()
    if isinstance(value, dt.time):
        return _to_second(dt.datetime.combine(dt.date(2000, 1, 1), value)).time().isoformat()
    if isinstance(value, dt.timedelta):
        total = round(value.total_seconds())
        sign, total = ("-", -total) if total < 0 else ("", total)
        return f"{sign}{total // 3600}:{total // 60 % 60:02d}:{total % 60:02d}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_INTEGERS:
        return int(value)
    return value


def _to_second(value: dt.datetime) -> dt.datetime:
    # Excel keeps times as fractions of a day: 12:30 may come back as 12:29:59.999999.
    return (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)


def _trimmed(row: list[Any]) -> list[Any]:
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    return row[:end]


def _by_letter(row: list[Any]) -> dict[str, Any]:
    return {get_column_letter(i): value for i, value in enumerate(row, 1) if value is not None}


def _by_header(rows: Iterable[list[Any]]) -> list[dict[str, Any]]:
    found = iter(rows)
    header: list[str] = []
    for row in found:
        if any(value is not None for value in row):
            header = _header_keys(row)
            break
    records = []
    for row in found:
        record: dict[str, Any] = dict.fromkeys(header)
        for i, value in enumerate(row):
            if i < len(header):
                record[header[i]] = value
            elif value is not None:  # a cell right of the header: keyed by its letter
                record[_unique(get_column_letter(i + 1), record)] = value
        records.append(record)
    return records


def _header_keys(row: list[Any]) -> list[str]:
    keys: dict[str, None] = {}
    for i, value in enumerate(_trimmed(row), 1):
        key = get_column_letter(i) if value is None or value == "" else _text(value)
        keys[_unique(key, keys)] = None
    return list(keys)


def _unique(key: str, taken: dict[str, Any]) -> str:
    candidate, n = key, 1
    while candidate in taken:
        n += 1
        candidate = f"{key}_{n}"
    return candidate


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
