"""`workbook_to_json`: workbooks built here with openpyxl (and, for what openpyxl cannot write,
such as a formula's saved value, the sheet's XML as Excel writes it)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook
from pydantic import ValidationError

from automations.components import excel_json
from automations.components.excel_json import ExcelError, ExcelOptions, workbook_to_json


def _saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewritten(data: bytes, part: str, change: Any) -> bytes:
    """The workbook with one part's text changed (`change(text) -> text`)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == part:
                content = change(content.decode("utf-8")).encode("utf-8")
            target.writestr(entry, content)
    return out.getvalue()


@pytest.fixture
def book() -> bytes:
    workbook = Workbook()
    orders = workbook.active
    assert orders is not None
    orders.title = "Заказы"
    orders.append(["Номер", "Дата", "Сумма", "Оплачен", None, "Комментарий"])
    orders.append([1, dt.date(2026, 3, 14), 1500.5, True, None, "срочно"])
    orders.append([2, dt.datetime(2026, 3, 15, 9, 30, 15), 200.0, False])
    orders.append([])
    orders.append([3, None, 0, None, None, None])
    extra = workbook.create_sheet("Extra")
    extra["B2"] = "far"
    extra["A4"] = dt.time(8, 15)
    extra["B4"] = dt.timedelta(hours=36, minutes=5)
    workbook.create_sheet("Пустой")
    return _saved(workbook)


def test_default_rows_are_keyed_by_column_letter_without_empty_cells(book: bytes) -> None:
    result = workbook_to_json(book, ExcelOptions())
    assert list(result) == ["Заказы", "Extra", "Пустой"]
    assert result["Заказы"] == [
        {"A": "Номер", "B": "Дата", "C": "Сумма", "D": "Оплачен", "F": "Комментарий"},
        {"A": 1, "B": "2026-03-14", "C": 1500.5, "D": True, "F": "срочно"},
        {"A": 2, "B": "2026-03-15T09:30:15", "C": 200, "D": False},
        {"A": 3, "C": 0},
    ]
    assert result["Extra"] == [{"B": "far"}, {"A": "08:15:00", "B": "36:05:00"}]
    assert result["Пустой"] == []


def test_whole_numbers_are_integers_and_other_numbers_stay_floats(book: bytes) -> None:
    rows = workbook_to_json(book, ExcelOptions(sheets=["Заказы"]))["Заказы"]
    assert type(rows[2]["C"]) is int
    assert type(rows[1]["C"]) is float


def test_header_row_gives_keys_and_every_key_in_every_row(book: bytes) -> None:
    rows = workbook_to_json(book, ExcelOptions(sheets=["Заказы"], keys="header"))["Заказы"]
    assert rows == [
        {
            "Номер": 1,
            "Дата": "2026-03-14",
            "Сумма": 1500.5,
            "Оплачен": True,
            "E": None,
            "Комментарий": "срочно",
        },
        {
            "Номер": 2,
            "Дата": "2026-03-15T09:30:15",
            "Сумма": 200,
            "Оплачен": False,
            "E": None,
            "Комментарий": None,
        },
        {"Номер": 3, "Дата": None, "Сумма": 0, "Оплачен": None, "E": None, "Комментарий": None},
    ]


def test_header_texts_that_repeat_get_a_number_and_cells_beyond_it_their_letter() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([None, None])  # leading empty rows are not the header
    sheet.append(["name", "name", 2026])
    sheet.append(["a", "b", "c", "beyond"])
    rows = workbook_to_json(_saved(workbook), ExcelOptions(keys="header"))["Sheet"]
    assert rows == [{"name": "a", "name_2": "b", "2026": "c", "D": "beyond"}]


def test_no_keys_gives_arrays_with_null_for_empty_cells(book: bytes) -> None:
    rows = workbook_to_json(book, ExcelOptions(sheets=["Заказы"], keys="none"))["Заказы"]
    assert rows[1] == [1, "2026-03-14", 1500.5, True, None, "срочно"]
    assert rows[3] == [3, None, 0]  # (no trailing empty cells)


def test_empty_rows_are_kept_when_asked(book: bytes) -> None:
    kept = workbook_to_json(book, ExcelOptions(sheets=["Extra"], skip_empty_rows=False))
    assert kept["Extra"] == [{}, {"B": "far"}, {}, {"A": "08:15:00", "B": "36:05:00"}]
    arrays = workbook_to_json(
        book, ExcelOptions(sheets=["Extra"], keys="none", skip_empty_rows=False)
    )
    assert arrays["Extra"] == [[], [None, "far"], [], ["08:15:00", "36:05:00"]]


def test_sheets_are_chosen_by_name_in_the_asked_order(book: bytes) -> None:
    result = workbook_to_json(book, ExcelOptions(sheets=["Extra", "Заказы"]))
    assert list(result) == ["Extra", "Заказы"]


def test_a_missing_sheet_is_named_with_the_sheets_there_are(book: bytes) -> None:
    with pytest.raises(ExcelError) as caught:
        workbook_to_json(book, ExcelOptions(sheets=["Лист1"]))
    assert str(caught.value) == (
        "sheet 'Лист1' is not in the workbook (its worksheets: 'Заказы', 'Extra', 'Пустой')"
    )


def test_formulas_give_the_value_excel_saved_with_them() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"], sheet["B1"], sheet["C1"], sheet["D1"] = 2, 3, "=A1*B1", "=A1/0"
    sheet["E1"] = "=A1+1"  # never computed: no saved value

    def with_saved_values(xml: str) -> str:
        xml = xml.replace("<f>A1*B1</f><v></v>", "<f>A1*B1</f><v>6</v>")
        xml = re.sub(
            r'<c r="D1"([^>]*)><f>A1/0</f><v></v>',
            r'<c r="D1" t="e"><f>A1/0</f><v>#DIV/0!</v>',
            xml,
        )
        return xml

    data = _rewritten(_saved(workbook), "xl/worksheets/sheet1.xml", with_saved_values)
    assert workbook_to_json(data, ExcelOptions(keys="none"))["Sheet"] == [[2, 3, 6, "#DIV/0!"]]


def test_a_date_with_a_time_in_a_date_only_format_is_the_date() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = dt.datetime(2026, 3, 14, 18, 0)
    sheet["A1"].number_format = "dd.mm.yyyy"
    sheet["B1"] = dt.datetime(2026, 3, 14, 12, 29, 59, 999_999)  # Excel's rounding noise
    assert workbook_to_json(_saved(workbook), ExcelOptions())["Sheet"] == [
        {"A": "2026-03-14", "B": "2026-03-14T12:30:00"}
    ]


def test_too_many_cells_is_an_error_naming_the_sheet(book: bytes) -> None:
    with pytest.raises(ExcelError, match=r"more than 10 cells .* sheet 'Заказы'"):
        workbook_to_json(book, ExcelOptions(max_cells=10))


def test_a_far_away_cell_counts_the_empty_rows_before_it() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A100000"] = "far"
    with pytest.raises(ExcelError, match="more than 5000 cells"):
        workbook_to_json(_saved(workbook), ExcelOptions(max_cells=5000))


def test_a_workbook_that_unpacks_too_far_is_refused(
    book: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(excel_json, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(ExcelError, match=r"unpacks to \d+ bytes, more than the 1000 allowed"):
        workbook_to_json(book, ExcelOptions())


def test_a_part_with_a_doctype_is_refused(book: bytes) -> None:
    bomb = _rewritten(
        book,
        "xl/workbook.xml",
        lambda xml: '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>' + xml,
    )
    with pytest.raises(ExcelError, match=r"'xl/workbook.xml' has a DOCTYPE"):
        workbook_to_json(bomb, ExcelOptions())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Name;Total\nx;1\n", "not a ZIP archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old-format .xls"),
        (b"", "not a ZIP archive"),
    ],
)
def test_what_is_not_a_workbook_says_so(data: bytes, message: str) -> None:
    with pytest.raises(ExcelError, match=message):
        workbook_to_json(data, ExcelOptions())


def test_a_zip_that_is_no_workbook_says_so() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ExcelError, match="not an Excel workbook"):
        workbook_to_json(out.getvalue(), ExcelOptions())


@pytest.mark.parametrize("options", [{"keys": "letters"}, {"max_cells": 0}, {"sheet": ["a"]}])
def test_bad_options_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ExcelOptions(**options)


def test_a_package_without_a_workbook_part_says_so() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:  # (the skeleton of a .docx)
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
    with pytest.raises(ExcelError, match="not an Excel workbook that can be read"):
        workbook_to_json(out.getvalue(), ExcelOptions())


def test_a_broken_sheet_is_named() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = 1
    data = _rewritten(_saved(workbook), "xl/worksheets/sheet1.xml", lambda xml: xml[:-20])
    with pytest.raises(ExcelError, match="sheet 'Sheet' cannot be read"):
        workbook_to_json(data, ExcelOptions())
