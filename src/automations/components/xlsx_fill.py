"""An XLSX template filled with data (`document.generate`), through openpyxl.

Every sheet's text cells are filled. A cell that is exactly one tag takes the value itself, so a
number stays a number (sums and formats work on it), a boolean a boolean and null an empty cell;
a cell with text around its tags becomes text. A row whose tags run into a list
(`{{items.name}}`) is repeated once per item, in place of the row, with the row's styles, height
and merged cells, and its formulas moved along (`=B5*C5` becomes `=B6*C6` in the next copy); the
rows below move down, their merged cells with them. An empty list removes the row.

Not rewritten: formulas elsewhere that point into the moved rows (a total's `=SUM(D5:D5)` keeps
its range; write the total as a tag, or a formula over whole columns), charts, and the sheets'
print headers and footers. Locations in messages are the template's: `Invoice!B7`.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from automations.components.template_tags import (
    Scope,
    TemplateProblem,
    filled_text,
    find_tags,
    repeated_list,
    value_of,
)


def fill_xlsx(template: bytes, data: dict[str, Any]) -> bytes:
    """The workbook with its tags filled from `data`; TemplateProblem names a tag and a cell."""
    workbook = openpyxl.load_workbook(io.BytesIO(template), rich_text=False)
    scope = Scope(data)
    for sheet in workbook.worksheets:
        _fill_sheet(sheet, scope)
    workbook.template = False  # a filled .xltx is a workbook
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text_cells(sheet: Worksheet) -> dict[int, list[Cell]]:
    rows: dict[int, list[Cell]] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell, Cell) and isinstance(cell.value, str) and "{" in cell.value:
                rows.setdefault(cell.row, []).append(cell)
    return rows


def _fill_sheet(sheet: Worksheet, scope: Scope) -> None:
    # From the bottom up: a repeated row moves only the rows below it, which are done.
    for row, cells in sorted(_text_cells(sheet).items(), reverse=True):
        tags = [tag for cell in cells for tag in find_tags(str(cell.value), _where(sheet, cell))]
        repeated = repeated_list(scope, tags, f"{sheet.title}!{row}:{row}")
        if repeated is None:
            for cell in cells:
                _fill_cell(cell, scope, _where(sheet, cell))
            continue
        count = len(repeated.items)
        template = _row_copy(sheet, row)
        _make_room(sheet, row, count)
        for index, item in enumerate(repeated.items):
            item_scope = scope.with_item(repeated.path, item, index + 1)
            for target in _written_row(sheet, template, row, row + index):
                if isinstance(target.value, str):
                    where = f"{sheet.title}!{target.column_letter}{row}"
                    _fill_cell(target, item_scope, where)


def _where(sheet: Worksheet, cell: Cell) -> str:
    return f"{sheet.title}!{cell.coordinate}"


def _fill_cell(cell: Cell, scope: Scope, where: str) -> None:
    text = str(cell.value)
    tags = find_tags(text, where)
    if not tags:
        return
    if len(tags) == 1 and text.strip() == text[tags[0].start : tags[0].end]:
        value = value_of(scope, tags[0], where)
        if isinstance(value, list):  # a list of lists cannot be a cell
            raise TemplateProblem(f"tag {tags[0].shown} in {where}{scope.note} is a list")
        cell.value = value
        return
    cell.value = filled_text(scope, text, where)


# ---------------------------------------------------------------------------------------------
# Repeating a row


_STYLE_PARTS = ("font", "border", "fill", "number_format", "protection", "alignment")


@dataclass(frozen=True, slots=True)
class _TemplateCell:
    column: int
    value: Any
    style: tuple[Any, ...]


def _row_copy(sheet: Worksheet, row: int) -> list[_TemplateCell]:
    """The template row as it was: each cell's column, value and style."""
    return [
        _TemplateCell(
            cell.column, cell.value, tuple(copy.copy(getattr(cell, p)) for p in _STYLE_PARTS)
        )
        for cell in next(sheet.iter_rows(min_row=row, max_row=row))
        if isinstance(cell, Cell)
    ]


def _make_room(sheet: Worksheet, row: int, count: int) -> None:
    """Rows for `count` copies of `row` (the row itself is the first): move the rest."""
    height = sheet.row_dimensions[row].height
    own_merges = [m for m in sheet.merged_cells.ranges if m.min_row == m.max_row == row]
    if count == 0:
        for merged in own_merges:
            sheet.merged_cells.remove(merged)
        sheet.delete_rows(row)
        _move_below(sheet, row, -1)
        return
    if count > 1:
        sheet.insert_rows(row + 1, count - 1)
        _move_below(sheet, row, count - 1)
    for offset in range(1, count):
        sheet.row_dimensions[row + offset].height = height
        for merged in own_merges:
            sheet.merge_cells(
                start_row=row + offset,
                end_row=row + offset,
                start_column=merged.min_col,
                end_column=merged.max_col,
            )


def _move_below(sheet: Worksheet, row: int, by: int) -> None:
    """What `insert_rows`/`delete_rows` leave in place: merged cells and row heights below."""
    for merged in sheet.merged_cells.ranges:
        if merged.min_row > row:
            merged.shift(0, by)
    below = sorted((r for r in sheet.row_dimensions if r > row), reverse=by > 0)
    heights = {r: sheet.row_dimensions[r].height for r in below}
    for r in below:
        sheet.row_dimensions[r].height = None
    for r, height in heights.items():
        if r + by > row:
            sheet.row_dimensions[r + by].height = height


def _written_row(
    sheet: Worksheet, template: list[_TemplateCell], origin: int, row: int
) -> Iterator[Cell]:
    """Row `row` written as a copy of the template row (formulas moved along)."""
    for model in template:
        cell = sheet.cell(row=row, column=model.column)
        if not isinstance(cell, Cell):  # covered by a merge: it holds nothing
            continue
        value = model.value
        if isinstance(value, str) and value.startswith("=") and row != origin:
            source = f"{get_column_letter(model.column)}{origin}"
            value = Translator(value, origin=source).translate_formula(cell.coordinate)
        cell.value = value
        for part, style in zip(_STYLE_PARTS, model.style, strict=True):
            setattr(cell, part, copy.copy(style))
        yield cell
