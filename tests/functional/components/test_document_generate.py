"""`document.generate`: DOCX and XLSX templates, built here with python-docx and openpyxl, filled
through the component with a real file store, and read back; then a scenario on the embedded
server that fills a template and saves the document into a record's file field."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Pt

from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.files import SqliteFileStore
from automations.asl.clock import RealClock
from automations.components import invoke, registry
from automations.components.errors import ComponentFailed, ComponentInputInvalid
from automations.components.registry import ComponentContext
from support.file_server import FileServer
from support.runtime_api import runtime_api

SCENARIO = Path(__file__).parent / "scenarios" / "document-generate.bpmn"
XML = {"Content-Type": "application/xml"}
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CONTRACT = {
    "contract": {"number": "Д-17", "date": "2026-03-05"},
    "executor": {
        "name": "Роговский и партнеры",
        "inn": 34834529585,
        "address": {"city": "Северодвинск", "street": "ул. Непонятная, д. 12"},
    },
    "customer": {"name": "Продаван", "inn": 12334546564},
    "table": [
        {"number": "one", "price": 12, "qty": 2},
        {"number": "two", "price": 42.5, "qty": 1},
        {"number": "three", "price": 7, "qty": 10},
    ],
    "total": 136.5,
    "paid": False,
    "note": None,
}


@pytest.fixture
def files(tmp_path: Path) -> Iterator[SqliteFileStore]:
    db = Database(tmp_path / "files.db")
    try:
        yield SqliteFileStore(db, tmp_path / "files", RealClock())
    finally:
        db.close()


def generate(files: SqliteFileStore, inputs: dict[str, Any]) -> dict[str, Any]:
    spec = registry.get("document.generate")
    context = ComponentContext(process_id="p1", element_id="Make", services={"files": files})
    result: dict[str, Any] = invoke.run(spec, invoke.parse_input(spec, inputs), context)
    return result


def failure(files: SqliteFileStore, inputs: dict[str, Any]) -> ComponentFailed:
    with pytest.raises(ComponentFailed) as caught:
        generate(files, inputs)
    return caught.value


def docx_bytes(document: Any) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def contract_docx() -> bytes:
    """A contract: a tag split over three runs (the middle one bold), nested paths, a header and
    a footer, a table whose second row repeats per item, and a table nested in a cell."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Договор № {{contract.number}}"
    document.sections[0].footer.paragraphs[0].text = "{{executor.name}} — {{customer.name}}"
    title = document.add_paragraph()
    title.add_run("Договор № {{contr").font.size = Pt(16)
    title.add_run("act.num").bold = True
    title.add_run("ber}} от {{ contract.date }}")
    document.add_paragraph("Исполнитель: {{executor.name}}, ИНН {{executor.inn}}")
    document.add_paragraph("Адрес: г. {{executor.address.city}}, {{executor.address.street}}")
    items = document.add_table(rows=3, cols=4)
    for cell, text in zip(items.rows[0].cells, ["Позиция", "Цена", "Кол-во", "№"], strict=True):
        cell.text = text
    row = items.rows[1].cells
    row[0].text, row[1].text, row[2].text = "{{table.number}}", "{{table.price}} ₽", "{{table.qty}}"
    row[3].text = "{{contract.number}}"
    items.rows[2].cells[0].text = "Итого: {{total}}, оплачено: {{paid}}{{note}}"
    nested = items.rows[2].cells[1].add_table(rows=1, cols=1)
    nested.rows[0].cells[0].text = "Заказчик {{customer.name}}"
    document.add_paragraph("Подпись: ____ {{customer.name}}")
    return docx_bytes(document)


def read_docx(files: SqliteFileStore, result: dict[str, Any]) -> Any:
    found = files.read(result["fileId"])
    assert found is not None
    return docx.Document(io.BytesIO(found[1]))


def stored_template(files: SqliteFileStore, name: str, data: bytes) -> str:
    return files.put(name, "application/octet-stream", data).id


def test_a_contract_docx_is_filled_everywhere_and_its_table_row_repeats(
    files: SqliteFileStore,
) -> None:
    template = stored_template(files, "contract.docx", contract_docx())

    result = generate(files, {"templateFileId": template, "data": CONTRACT})

    assert result["name"] == "contract.docx" and result["type"] == DOCX_TYPE
    assert result["url"] == f"/api/v1/files/{result['fileId']}"
    document = read_docx(files, result)
    assert result["size"] == files.read(result["fileId"])[1].__len__()  # type: ignore[index]
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs == [
        "Договор № Д-17 от 2026-03-05",
        "Исполнитель: Роговский и партнеры, ИНН 34834529585",
        "Адрес: г. Северодвинск, ул. Непонятная, д. 12",
        "Подпись: ____ Продаван",
    ]
    # The split tag's value takes its first run's formatting; the other runs keep theirs.
    first = document.paragraphs[0].runs
    assert first[0].text == "Договор № Д-17" and first[0].font.size == Pt(16)
    assert first[1].text == "" and first[1].bold
    assert first[2].text == " от 2026-03-05"
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert rows == [
        ["Позиция", "Цена", "Кол-во", "№"],
        ["one", "12 ₽", "2", "Д-17"],
        ["two", "42.5 ₽", "1", "Д-17"],
        ["three", "7 ₽", "10", "Д-17"],
        rows[4],  # its text is in a nested table, which cell.text leaves out
    ]
    assert rows[4][0] == "Итого: 136.5, оплачено: false"
    nested = document.tables[0].rows[4].cells[1].tables[0]
    assert nested.rows[0].cells[0].text == "Заказчик Продаван"
    assert document.sections[0].header.paragraphs[0].text == "Договор № Д-17"
    assert document.sections[0].footer.paragraphs[0].text == "Роговский и партнеры — Продаван"


def test_a_list_in_a_paragraph_repeats_it_and_a_deeper_list_repeats_nested_rows(
    files: SqliteFileStore,
) -> None:
    document = docx.Document()
    document.add_paragraph("• {{lines.name}}: {{lines.qty}}", style="List Bullet")
    orders = document.add_table(rows=1, cols=2)
    orders.rows[0].cells[0].text = "Заказ {{orders.number}}"
    inner = orders.rows[0].cells[1].add_table(rows=1, cols=1)
    inner.rows[0].cells[0].text = "{{orders.lines.sku}} × {{orders.lines.qty}}"
    data = {
        "lines": [{"name": "Болт", "qty": 3}, {"name": "Гайка", "qty": 5}],
        "orders": [
            {"number": 1, "lines": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}]},
            {"number": 2, "lines": []},
        ],
    }
    template = stored_template(files, "list.docx", docx_bytes(document))

    filled = read_docx(files, generate(files, {"templateFileId": template, "data": data}))

    assert [p.text for p in filled.paragraphs] == ["• Болт: 3", "• Гайка: 5"]
    assert all(p.style.name == "List Bullet" for p in filled.paragraphs)
    table = filled.tables[0]
    assert [row.cells[0].text for row in table.rows] == ["Заказ 1", "Заказ 2"]
    first_lines = table.rows[0].cells[1].tables[0]
    assert [r.cells[0].text for r in first_lines.rows] == ["A × 1", "B × 2"]
    assert len(table.rows[1].cells[1].tables[0].rows) == 0  # no lines: the row went


def contract_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Счёт"
    sheet["A1"] = "Счёт по договору {{contract.number}} от {{contract.date}}"
    sheet["A2"] = "{{executor.name}}"
    sheet["B2"] = "{{executor.inn}}"
    sheet.append(["Позиция", "Цена", "Кол-во", "Сумма"])
    sheet.append(["{{table.number}}", "{{table.price}}", "{{table.qty}}", "=B4*C4"])
    sheet["B4"].number_format = "#,##0.00"
    sheet.merge_cells("A6:B6")
    sheet["A6"] = "Итого: {{total}}"
    sheet["C6"] = "{{total}}"
    sheet["D6"] = "{{paid}}"
    sheet["E6"] = "{{note}}"
    sheet.row_dimensions[6].height = 30
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_contract_xlsx_keeps_numbers_repeats_the_item_row_and_moves_what_is_below(
    files: SqliteFileStore,
) -> None:
    template = stored_template(files, "invoice.xlsx", contract_xlsx())

    result = generate(
        files, {"templateFileId": template, "data": CONTRACT, "fileName": "Счёт Д-17"}
    )

    assert result["name"] == "Счёт Д-17.xlsx" and result["type"] == XLSX_TYPE
    found = files.read(result["fileId"])
    assert found is not None
    sheet = openpyxl.load_workbook(io.BytesIO(found[1]))["Счёт"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Счёт по договору Д-17 от 2026-03-05"
    assert rows[1][:2] == ("Роговский и партнеры", 34834529585)  # one tag alone: a number
    assert rows[3] == ("one", 12, 2, "=B4*C4")
    assert rows[4] == ("two", 42.5, 1, "=B5*C5")
    assert rows[5] == ("three", 7, 10, "=B6*C6")
    assert sheet["B6"].number_format == "#,##0.00"  # the row's styles went with it
    assert rows[7] == ("Итого: 136.5", None, 136.5, False)  # null: an empty cell (E8)
    assert sheet["E8"].value is None
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A8:B8"]
    assert sheet.row_dimensions[8].height == 30


def test_an_empty_list_removes_the_item_row(files: SqliteFileStore) -> None:
    template = stored_template(files, "invoice.xlsx", contract_xlsx())

    result = generate(files, {"templateFileId": template, "data": CONTRACT | {"table": []}})

    found = files.read(result["fileId"])
    assert found is not None
    sheet = openpyxl.load_workbook(io.BytesIO(found[1])).active
    assert sheet is not None
    assert [r[0] for r in sheet.iter_rows(values_only=True)][2:] == [
        "Позиция",
        None,
        "Итого: 136.5",
    ]
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A5:B5"]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (
            {k: v for k, v in CONTRACT.items() if k != "customer"},
            # The first place it is used, in document order: a table nested in a cell.
            "tag {{customer.name}} in table 1, row 3, cell 2, table 1, row 1, cell 1, "
            "paragraph 1 has no data",
        ),
        (
            CONTRACT | {"table": [{"number": "one", "price": 1, "qty": 1}, {"number": "two"}]},
            "tag {{table.price}} in table 1, row 2, cell 2, paragraph 1 (item 2 of table) "
            "has no data",
        ),
        (
            CONTRACT | {"executor": {"name": "X", "inn": 1, "address": "Москва"}},
            "tag {{executor.address.city}} in paragraph 3 has no data",
        ),
        (CONTRACT | {"total": {"sum": 1}}, "tag {{total}} in table 1, row 3, cell 1"),
    ],
)
def test_a_tag_without_data_is_a_document_template_error_saying_where(
    files: SqliteFileStore, data: dict[str, Any], says: str
) -> None:
    template = stored_template(files, "contract.docx", contract_docx())

    failed = failure(files, {"templateFileId": template, "data": data})

    assert failed.code == "document.template"
    assert says in failed.message


def test_an_xlsx_tag_without_data_names_its_sheet_and_cell(files: SqliteFileStore) -> None:
    template = stored_template(files, "invoice.xlsx", contract_xlsx())
    data = CONTRACT | {"table": [{"number": "one", "price": 1}]}

    failed = failure(files, {"templateFileId": template, "data": data})

    assert failed.code == "document.template"
    assert failed.message == "tag {{table.qty}} in Счёт!C4 (item 1 of table) has no data"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Итого {{total", "a tag in paragraph 1 is not closed: '{{total'"),
        ("{{a..b}}", "is not a path"),
        ("{{rows.a}} {{cols.b}}", "two lists, rows and cols"),
        ("{{names}}", None),  # a list of texts repeats the paragraph: no error
    ],
)
def test_broken_tags_are_located_template_errors(
    files: SqliteFileStore, text: str, says: str | None
) -> None:
    document = docx.Document()
    document.add_paragraph(text)
    template = stored_template(files, "t.docx", docx_bytes(document))
    data = {"total": 1, "a": {"b": 1}, "rows": [{"a": 1}], "cols": [{"b": 2}], "names": ["x", "y"]}
    if says is None:
        filled = read_docx(files, generate(files, {"templateFileId": template, "data": data}))
        assert [p.text for p in filled.paragraphs] == ["x", "y"]
        return
    failed = failure(files, {"templateFileId": template, "data": data})
    assert failed.code == "document.template"
    assert says in failed.message


@pytest.mark.parametrize("data", [[1, 2], "not json", 12, "[1]"])
def test_data_that_is_not_an_object_is_document_data(files: SqliteFileStore, data: Any) -> None:
    template = stored_template(files, "contract.docx", contract_docx())
    failed = failure(files, {"templateFileId": template, "data": data})
    assert failed.code == "document.data"


def test_data_may_be_the_json_text_of_an_object(files: SqliteFileStore) -> None:
    document = docx.Document()
    document.add_paragraph("{{a.b}}")
    template = stored_template(files, "t.docx", docx_bytes(document))
    filled = read_docx(
        files, generate(files, {"templateFileId": template, "data": '{"a":{"b":5}}'})
    )
    assert filled.paragraphs[0].text == "5"


def with_doctype() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(contract_docx())) as source, zipfile.ZipFile(out, "w") as dest:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(
                    b"?>", b'?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1
                )
            dest.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("template", "says"),
    [
        (b"plain text, not a zip", "not a DOCX or XLSX file"),
        (with_doctype(), "DOCTYPE"),
    ],
)
def test_a_template_that_is_no_office_file_or_is_unsafe_is_document_source(
    files: SqliteFileStore, template: bytes, says: str
) -> None:
    file_id = stored_template(files, "t.docx", template)
    failed = failure(files, {"templateFileId": file_id, "data": {}})
    assert failed.code == "document.source"
    assert says in failed.message


def test_a_missing_stored_template_is_document_source(files: SqliteFileStore) -> None:
    failed = failure(files, {"templateFileId": [{"id": "0" * 32, "title": "x.docx"}], "data": {}})
    assert failed.code == "document.source"
    assert "no stored file" in failed.message


@pytest.fixture
def web() -> Iterator[FileServer]:
    server = FileServer()
    try:
        yield server
    finally:
        server.close()


def test_a_template_from_a_url_is_fetched_through_the_guard(
    files: SqliteFileStore, web: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = "/templates/%D0%B4%D0%BE%D0%B3%D0%BE%D0%B2%D0%BE%D1%80.docx"  # договор.docx
    web.files[path] = (DOCX_TYPE, contract_docx())
    web.redirects["/moved"] = "http://10.255.255.1/t.docx"

    refused = failure(files, {"templateUrl": web.base + path, "data": CONTRACT})
    assert refused.code == "document.source" and "loopback" in refused.message
    assert web.requests == []  # refused before connecting

    monkeypatch.setenv("AUTOMATIONS_HTTP_ALLOW_HOSTS", "127.0.0.1")
    result = generate(files, {"templateUrl": web.base + path, "data": CONTRACT})
    assert result["name"] == "договор.docx"
    assert read_docx(files, result).paragraphs[0].text == "Договор № Д-17 от 2026-03-05"

    redirected = failure(files, {"templateUrl": f"{web.base}/moved", "data": CONTRACT})
    assert redirected.code == "document.source" and "10.255.255.1" in redirected.message

    missing = failure(files, {"templateUrl": f"{web.base}/none.docx", "data": CONTRACT})
    assert missing.code == "document.source" and "404" in missing.message


@pytest.mark.parametrize(
    "inputs",
    [
        {"data": {}},  # no template
        {"templateFileId": "a", "templateUrl": "https://example.com/t.docx", "data": {}},
        {"templateFileId": "a", "data": {}, "catalogId": "1"},  # a record needs all three ids
        {"templateFileId": "a"},  # no data
    ],
)
def test_inputs_that_name_no_single_template_are_refused(
    files: SqliteFileStore, inputs: dict[str, Any]
) -> None:
    with pytest.raises(ComponentInputInvalid):
        generate(files, inputs)


# ---------------------------------------------------------------------------------------------
# Through the engine: a scenario fills a stored template and saves it into a record


def test_a_scenario_saves_the_document_into_the_records_file_field(tmp_path: Path) -> None:
    with runtime_api(tmp_path / "app.db") as (api, runtime):
        saved = api.call(
            "PUT", "/api/v1/scenarios/make-contract", raw_body=SCENARIO.read_text(), headers=XML
        )
        assert saved.status == 200, saved.body
        catalog = api.catalog(
            [{"name": "Title", "type": "text"}, {"name": "Contract", "type": "file"}]
        )
        record = api.call("POST", f"/api/v1/catalogs/{catalog}/records", {"values": {"1": "A"}})
        files = runtime.services.files
        assert files is not None
        template = files.put("contract.docx", DOCX_TYPE, contract_docx())
        start = {
            "template": template.id,
            "data": CONTRACT,
            "catalogId": catalog,
            "recordId": record.body["id"],
            "fieldId": "2",
        }

        ran = api.call("POST", "/api/v1/scenarios/make-contract/run", {"input": start})
        assert ran.status == 200, ran.body
        output = ran.body["output"]
        assert output.get("failure") is None, output
        got = api.call("GET", f"/api/v1/catalogs/{catalog}/records/{record.body['id']}")
        assert got.body["values"]["2"] == [
            {
                "id": output["document"]["fileId"],
                "title": "Договор Д-17.docx",
                "mimeType": DOCX_TYPE,
                "size": output["document"]["size"],
            }
        ]
        found = files.read(output["document"]["fileId"])
        assert found is not None
        assert "Исполнитель: Роговский" in docx.Document(io.BytesIO(found[1])).paragraphs[1].text

        # A second run replaces the field's file, as the product's file saving does.
        again = api.call("POST", "/api/v1/scenarios/make-contract/run", {"input": start})
        got = api.call("GET", f"/api/v1/catalogs/{catalog}/records/{record.body['id']}")
        assert [f["id"] for f in got.body["values"]["2"]] == [
            again.body["output"]["document"]["fileId"]
        ]

        # A tag without data is caught by the boundary by its code, with the tag in the message.
        broken = start | {"data": {"contract": {"number": "1"}}}
        failed = api.call("POST", "/api/v1/scenarios/make-contract/run", {"input": broken})
        assert failed.body["output"]["failure"] == "document.template"
        assert "{{contract.date}} in paragraph 1 has no data" in failed.body["output"]["why"]

        # A field that is not a file field is document.record, and no file is kept for it.
        wrong = start | {"fieldId": "1"}
        failed = api.call("POST", "/api/v1/scenarios/make-contract/run", {"input": wrong})
        assert failed.body["output"]["failure"] == "document.record"
        assert "not a file field" in failed.body["output"]["why"]


def test_rows_and_paragraphs_inside_content_controls_are_filled(files: SqliteFileStore) -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=1)
    table.rows[0].cells[0].text = "{{items.name}}"
    row = table.rows[0]._tr
    # Word wraps a repeating section in a content control: <w:sdt><w:sdtContent><w:tr>...
    control = parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtPr/><w:sdtContent/></w:sdt>")
    row.addprevious(control)
    control[1].append(row)
    box = parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>{{{{who}}}}</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>"
    )
    document.element.body.insert(0, box)
    template = stored_template(files, "sdt.docx", docx_bytes(document))

    result = generate(
        files,
        {"templateFileId": template, "data": {"who": "Я", "items": [{"name": "a"}, {"name": "b"}]}},
    )

    found = files.read(result["fileId"])
    assert found is not None
    with zipfile.ZipFile(io.BytesIO(found[1])) as package:
        xml = package.read("word/document.xml").decode()
    assert "{{" not in xml
    assert xml.count(">a<") == 1 and xml.count(">b<") == 1 and ">Я<" in xml
