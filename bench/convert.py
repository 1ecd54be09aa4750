"""Benchmark of `convert`'s PDF makers: what reusing one Chromium saves, and what a DOCX costs.

    .venv/bin/python bench/convert.py [--calls 10] [--rounds 3]

Each round makes `--calls` PDFs of a one-page invoice (an HTML table of 20 lines) three ways,
as the engine calls the component (inputs validated, the PDF stored in an in-memory store):

- html-pdf, warm: the process's one browser, reused (a fresh context per document);
- html-pdf, cold: a new Playwright driver and Chromium launched for each document and closed
  after it (what every call would cost without the reuse, and what a cold start pays once);
- docx-pdf: a two-page DOCX (python-docx) through `soffice --headless`, each call with a fresh
  LibreOffice profile, as always.

The medians of the rounds are reported per document. Prints a Markdown table for
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import io
import os
import platform
import statistics
import time
from typing import Any

import docx

from automations.components import convert_pdf, invoke, registry
from automations.components.registry import ComponentContext
from automations.model.file import StoredFile


class Files:
    """The FileStore port in memory (what the component stores is dropped at once)."""

    def put(self, name: str, content_type: str, data: bytes) -> StoredFile:
        now = datetime.datetime.now(datetime.UTC)
        return StoredFile(id="f_bench", name=name, type=content_type, size=len(data), created=now)

    def info(self, file_id: str) -> StoredFile | None:
        return None

    def read(self, file_id: str) -> tuple[StoredFile, bytes] | None:
        return None


INVOICE = (
    "<h1>Счёт № 42</h1><table>"
    + "".join(f"<tr><td>Позиция {n}</td><td>{n * 150} ₽</td></tr>" for n in range(20))
    + "</table>"
)


def docx_source() -> str:
    document = docx.Document()
    document.add_heading("Договор поставки", level=1)
    document.add_paragraph("Первая страница. " * 50)
    document.add_page_break()
    document.add_paragraph("Вторая страница. " * 50)
    out = io.BytesIO()
    document.save(out)
    return base64.b64encode(out.getvalue()).decode()


def per_call(inputs: dict[str, Any], calls: int, cold: bool = False) -> float:
    spec = registry.get("convert")
    ctx = ComponentContext(services={"files": Files()})
    start = time.perf_counter()
    for _ in range(calls):
        if cold:
            convert_pdf._BROWSER.close()
        invoke.run(spec, invoke.parse_input(spec, inputs), ctx)
    return (time.perf_counter() - start) / calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    html = {"type": "html-pdf", "content": INVOICE}
    docx_inputs = {"type": "docx-pdf", "contentBase64": docx_source()}
    per_call(html, 2)  # warm-up: the browser launched, the modules imported
    per_call(docx_inputs, 1)
    warm, cold, office = [], [], []
    for _ in range(args.rounds):
        warm.append(per_call(html, args.calls))
        cold.append(per_call(html, args.calls, cold=True))
        office.append(per_call(docx_inputs, args.calls))
    convert_pdf._BROWSER.close()
    print(f"`.venv/bin/python bench/convert.py --calls {args.calls} --rounds {args.rounds}`")
    print(f"({platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})")
    print()
    print("| conversion | per document (median of rounds) |")
    print("|---|---:|")
    print(f"| html-pdf, reused browser | {statistics.median(warm) * 1000:.0f} ms |")
    print(f"| html-pdf, browser launched per document | {statistics.median(cold) * 1000:.0f} ms |")
    print(f"| docx-pdf (LibreOffice, fresh profile) | {statistics.median(office) * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
