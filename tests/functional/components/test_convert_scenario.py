"""`convert` in a scenario run by the dev server's runtime (the embedded engine, the SQLite
stores): an invoice's HTML written by JSONata from the process variables is printed by
Chromium and saved into a record's file field; a record that does not exist is caught by the
scenario's error boundary by its code, before anything is converted."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from pypdf import PdfReader

from support.runtime_api import runtime_api

SCENARIO = Path(__file__).parent / "scenarios" / "convert-invoice.bpmn"
XML = {"Content-Type": "application/xml"}
MM = 72 / 25.4
INVOICE = {
    "number": "С-42",
    "lines": [{"name": "Чай", "price": 150, "qty": 2}, {"name": "Мёд", "price": 400, "qty": 1}],
}


def test_a_scenario_prints_the_invoice_into_the_records_file_field(tmp_path: Path) -> None:
    with runtime_api(tmp_path / "app.db") as (api, runtime):
        saved = api.call(
            "PUT", "/api/v1/scenarios/invoice-pdf", raw_body=SCENARIO.read_text(), headers=XML
        )
        assert saved.status == 200, saved.body
        catalog = api.catalog([{"name": "Title", "type": "text"}, {"name": "PDF", "type": "file"}])
        record = api.call("POST", f"/api/v1/catalogs/{catalog}/records", {"values": {"1": "A"}})
        start = {
            "invoice": INVOICE,
            "catalogId": catalog,
            "recordId": record.body["id"],
            "fieldId": "2",
        }

        ran = api.call("POST", "/api/v1/scenarios/invoice-pdf/run", {"input": start})
        assert ran.status == 200, ran.body
        output = ran.body["output"]
        assert output.get("failure") is None, output
        pdf = output["pdf"]
        assert (pdf["name"], pdf["type"]) == ("Счёт С-42.pdf", "application/pdf")
        got = api.call("GET", f"/api/v1/catalogs/{catalog}/records/{record.body['id']}")
        assert got.body["values"]["2"] == [
            {
                "id": pdf["fileId"],
                "title": pdf["name"],
                "mimeType": pdf["type"],
                "size": pdf["size"],
            }
        ]
        files = runtime.services.files
        assert files is not None
        found = files.read(pdf["fileId"])
        assert found is not None
        page = PdfReader(io.BytesIO(found[1])).pages[0]
        assert abs(float(page.mediabox.width) - 148 * MM) < 1.5
        assert abs(float(page.mediabox.height) - 210 * MM) < 1.5
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=found[1], capture_output=True, check=True
        ).stdout.decode()
        assert "Счёт № С-42" in text
        assert "Чай: 300 ₽" in text and "Мёд: 400 ₽" in text
        assert "Итого: 700 ₽" in text
        assert "Лист 1" in text

        missing = start | {"recordId": "999999"}
        failed = api.call("POST", "/api/v1/scenarios/invoice-pdf/run", {"input": missing})
        assert failed.status == 200, failed.body
        assert failed.body["output"]["failure"] == "convert.record"
        assert failed.body["output"].get("pdf") is None
