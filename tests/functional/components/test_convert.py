"""`convert` with the real converters: Debian's Chromium (through Playwright) and LibreOffice.

Every PDF made is read back: its pages counted, their size measured (pypdf) and their text
extracted (`pdftotext`). Sources come from the file store, inline, and from HTTP servers on
127.0.0.1 (one that counts what reaches it shows that hostile HTML reaches no network).
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import docx
import pytest
from pypdf import PdfReader

from automations.components import convert_pdf, invoke, registry
from automations.components.address_guard import ALLOW_HOSTS_ENV, ALLOW_PRIVATE_ENV
from automations.components.convert import MAX_BYTES_ENV
from automations.components.errors import ComponentFailed, ComponentInputInvalid
from automations.components.http_request import MAX_RESPONSE_BYTES_ENV
from automations.components.registry import ComponentContext
from automations.errors import FileTooLarge
from automations.model.file import StoredFile
from support.mail_servers import MemoryFiles

MM = 72 / 25.4  # PDF points per millimetre
A4 = (210 * MM, 297 * MM)
LETTER = (8.5 * 72, 11 * 72)


# --- helpers ----------------------------------------------------------------------------------


def convert(inputs: dict[str, Any], files: MemoryFiles | None = None) -> dict[str, Any]:
    spec = registry.get("convert")
    context = ComponentContext(
        process_id="p1", element_id="Convert", services={"files": files or MemoryFiles()}
    )
    result: dict[str, Any] = invoke.run(spec, invoke.parse_input(spec, inputs), context)
    return result


def failure(inputs: dict[str, Any], files: MemoryFiles | None = None) -> ComponentFailed:
    with pytest.raises(ComponentFailed) as caught:
        convert(inputs, files)
    return caught.value


class Pdf:
    """A PDF read back: its pages' sizes in points and its text."""

    def __init__(self, data: bytes) -> None:
        assert data.startswith(b"%PDF-")
        reader = PdfReader(io.BytesIO(data))
        self.sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
        self.images = sum(len(page.images) for page in reader.pages)
        self.text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
        ).stdout.decode("utf-8")

    @property
    def pages(self) -> int:
        return len(self.sizes)


def made_pdf(
    inputs: dict[str, Any], files: MemoryFiles | None = None
) -> tuple[dict[str, Any], Pdf]:
    store = files or MemoryFiles()
    result = convert(inputs, store)
    stored = store.read(result["fileId"])
    assert stored is not None
    assert stored[0].type == "application/pdf" == result["type"]
    assert result["size"] == len(stored[1])
    return result, Pdf(stored[1])


def assert_size(size: tuple[float, float], expected: tuple[float, float]) -> None:
    assert size == pytest.approx(expected, abs=1.5), size


def pages_html(count: int) -> str:
    return "".join(
        f'<section style="page-break-after: always">Page number {n} of the report</section>'
        for n in range(1, count + 1)
    )


def docx_bytes(*pages: str) -> bytes:
    document = docx.Document()
    document.add_heading("Договор поставки № 7", level=1)
    for index, text in enumerate(pages):
        if index:
            document.add_page_break()
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


Handler = Callable[[BaseHTTPRequestHandler], None]


@pytest.fixture
def web() -> Iterator[Callable[[Handler], tuple[str, list[str]]]]:
    """Start HTTP servers on 127.0.0.1: each gives its base URL and the paths it was asked for."""
    servers: list[ThreadingHTTPServer] = []

    def start(handle: Handler) -> tuple[str, list[str]]:
        seen: list[str] = []

        class Serve(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(self.path)
                handle(self)

            do_POST = do_GET

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Serve)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}", seen

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def answer(body: bytes, content_type: str = "text/html; charset=utf-8") -> Handler:
    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handle


@pytest.fixture
def allow_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")


# --- HTML -> PDF: the product's parameters ----------------------------------------------------


def test_html_is_printed_on_a4_by_default_with_its_text() -> None:
    result, pdf = made_pdf(
        {"type": "html-pdf", "content": "<h1>Счёт № 42</h1><p>Итого: 1 500 ₽</p>"}
    )
    assert result["name"] == "document.pdf"
    assert pdf.pages == 1
    assert_size(pdf.sizes[0], A4)
    assert "Счёт № 42" in pdf.text
    assert "Итого: 1 500 ₽" in pdf.text


def test_format_any_case_and_landscape() -> None:
    _, letter = made_pdf({"type": "html-pdf", "content": "x", "parameters": {"Format": "letter"}})
    assert_size(letter.sizes[0], LETTER)
    _, wide = made_pdf(
        {"type": "html-pdf", "content": "x", "parameters": {"format": "A4", "landscape": "true"}}
    )
    assert_size(wide.sizes[0], (A4[1], A4[0]))


def test_width_and_height_in_millimetres_and_format_winning_over_them() -> None:
    size = {"width": "100mm", "height": "150mm"}
    _, custom = made_pdf({"type": "html-pdf", "content": "x", "parameters": size})
    assert_size(custom.sizes[0], (100 * MM, 150 * MM))
    _, formatted = made_pdf(
        {"type": "html-pdf", "content": "x", "parameters": {**size, "format": "A5"}}
    )
    assert_size(formatted.sizes[0], (148 * MM, 210 * MM))
    _, pixels = made_pdf(
        {"type": "html-pdf", "content": "x", "parameters": {"width": 960, "height": 480}}
    )
    assert_size(pixels.sizes[0], (720, 360))  # 96 CSS pixels to the inch


def test_page_ranges_keep_only_the_pages_asked_for() -> None:
    _, whole = made_pdf({"type": "html-pdf", "content": pages_html(4)})
    assert whole.pages == 4
    _, some = made_pdf(
        {"type": "html-pdf", "content": pages_html(4), "parameters": {"pageRanges": "2-3"}}
    )
    assert some.pages == 2
    assert "Page number 2" in some.text and "Page number 3" in some.text
    assert "Page number 1 " not in some.text and "Page number 4" not in some.text
    past = failure(
        {"type": "html-pdf", "content": pages_html(2), "parameters": {"pageRanges": "5"}}
    )
    assert past.code == "convert.failed"
    assert "Page range exceeds page count" in past.message


def test_header_and_footer_templates_are_printed_on_every_page() -> None:
    parameters = {
        "displayHeaderFooter": True,
        "headerTemplate": '<div style="font-size:10px">ООО «Ромашка» — акт</div>',
        "footerTemplate": (
            '<div style="font-size:10px">Страница <span class="pageNumber"></span>'
            ' из <span class="totalPages"></span></div>'
        ),
        "margin": {"top": "2cm", "bottom": "2cm", "left": "1cm", "right": "1cm"},
    }
    _, pdf = made_pdf({"type": "html-pdf", "content": pages_html(2), "parameters": parameters})
    assert pdf.pages == 2
    assert pdf.text.count("ООО «Ромашка» — акт") == 2
    assert "Страница 1 из 2" in pdf.text and "Страница 2 из 2" in pdf.text


def test_without_display_header_footer_no_template_is_printed() -> None:
    parameters = {"headerTemplate": "<div>HEADER-MARK</div>"}
    _, pdf = made_pdf({"type": "html-pdf", "content": "body", "parameters": parameters})
    assert "HEADER-MARK" not in pdf.text


def test_scale_makes_more_pages_and_data_urls_are_loaded() -> None:
    tall = "".join(f"<p style='font-size:40px'>line {n}</p>" for n in range(30))
    _, normal = made_pdf({"type": "html-pdf", "content": tall})
    _, scaled = made_pdf({"type": "html-pdf", "content": tall, "parameters": {"scale": 0.5}})
    assert scaled.pages < normal.pages
    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8Dw"
        "HwAFAAH/iZk9HQAAAABJRU5ErkJggg=="
    )
    _, picture = made_pdf(
        {"type": "html-pdf", "content": f'<img src="{pixel}" width="200" height="200">'}
    )
    assert picture.images == 1


@pytest.mark.parametrize(
    ("parameters", "said"),
    [
        ({"scale": 5}, "parameters: scale: Input should be less than or equal to 2"),
        ({"format": "B5"}, "parameters: format: Input should be 'Letter'"),
        ({"width": "ten inches"}, "parameters: width: page size: 'ten inches' is not a length"),
        ({"pageRanges": "1-x"}, "parameters: pageRanges: '1-x' is not a list of pages"),
        ({"colour": "red"}, "parameters: colour: Extra inputs are not permitted"),
        ({"margin": {"top": "1cm", "middle": "2cm"}}, "margin.PdfMargin.middle: Extra inputs"),
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(
    parameters: dict[str, Any], said: str
) -> None:
    with pytest.raises(ComponentInputInvalid) as caught:
        convert({"type": "html-pdf", "content": "x", "parameters": parameters})
    assert said in caught.value.message


# --- HTML -> PDF: hostile pages ---------------------------------------------------------------


def test_hostile_html_reaches_no_network_and_no_file(
    web: Callable[[Handler], tuple[str, list[str]]], tmp_path: Path, allow_loopback: None
) -> None:
    base, seen = web(answer(b"stolen"))
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARK", "utf-8")
    host = base.removeprefix("http://")
    hostile = f"""<html><head>
      <link rel="stylesheet" href="{base}/style.css">
      <link rel="prefetch" href="{base}/prefetch">
      <link rel="dns-prefetch" href="//probe.example">
      <style>@import url("{base}/import.css"); body {{ background: url("{base}/bg.png") }}</style>
      <script src="{base}/script.js"></script>
    </head><body>
      <img src="{base}/pixel.png"><img src="http://localhost:{host.split(":")[1]}/localhost.png">
      <iframe src="{base}/frame"></iframe>
      <iframe src="file://{secret}"></iframe>
      <object data="file://{secret}"></object>
      <video src="{base}/video.mp4" autoplay></video>
      <form id="f" action="{base}/form" method="post"><input name="a" value="b"></form>
      <p id="out">printed</p>
      <script>
        fetch("{base}/fetch").catch(() => {{}});
        fetch("file://{secret}").then(r => r.text()).then(t => document.body.append(t)).catch(() => {{}});
        navigator.sendBeacon("{base}/beacon", "x");
        const x = new XMLHttpRequest(); x.open("GET", "{base}/xhr"); x.send();
        try {{ new WebSocket("ws://{host}/socket"); }} catch (e) {{}}
        new EventSource("{base}/events");
        document.getElementById("f").submit();
      </script>
    </body></html>"""
    parameters = {
        "displayHeaderFooter": True,
        "headerTemplate": f'<img src="{base}/header.png"><span>head</span>',
    }
    result, pdf = made_pdf({"type": "html-pdf", "content": hostile, "parameters": parameters})
    assert result["size"] > 0
    assert "TOP-SECRET-MARK" not in pdf.text
    assert "stolen" not in pdf.text
    assert seen == []  # not one request reached the server


def test_pages_printed_at_once_from_several_threads_keep_their_own_content() -> None:
    # The engine calls components on worker threads; one browser serves them all.
    def printed(n: int) -> Pdf:
        return made_pdf({"type": "html-pdf", "content": f"<p>document number {n}</p>"})[1]

    with ThreadPoolExecutor(max_workers=4) as pool:
        made = list(pool.map(printed, range(4)))
    for n, pdf in enumerate(made):
        assert f"document number {n}" in pdf.text
        assert all(f"document number {m}" not in pdf.text for m in range(4) if m != n)


def test_a_page_that_never_finishes_fails_in_time_and_the_next_one_prints() -> None:
    failed = failure(
        {"type": "html-pdf", "content": "<script>while (true) {}</script>", "timeoutSeconds": 2}
    )
    assert failed.code == "convert.failed"
    assert "not printed within 2 seconds" in failed.message
    _, pdf = made_pdf({"type": "html-pdf", "content": "<p>after the hang</p>"})
    assert "after the hang" in pdf.text


def _chromium_pids() -> list[int]:
    """The main browser processes this test process started: its descendants (through
    Playwright's driver) running Chromium with the converter's own switches."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            commands[int(entry.name)] = command

    def ours(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == os.getpid():
                return True
        return False

    return [
        pid
        for pid, command in commands.items()
        if "--host-resolver-rules" in command and "--type=" not in command and ours(pid)
    ]


def test_a_browser_that_died_is_replaced_at_the_next_call() -> None:
    made_pdf({"type": "html-pdf", "content": "<p>first</p>"})
    pids = _chromium_pids()
    assert pids
    for pid in pids:
        os.kill(pid, 9)
    _, pdf = made_pdf({"type": "html-pdf", "content": "<p>second browser</p>"})
    assert "second browser" in pdf.text
    assert set(_chromium_pids()).isdisjoint(pids)


def test_the_chromium_path_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    browser = convert_pdf._Browser()  # the setting is read when a browser is launched
    monkeypatch.setattr(convert_pdf, "_BROWSER", browser)
    monkeypatch.setenv(convert_pdf.CHROMIUM_PATH_ENV, "/nonexistent/chromium")
    try:
        failed = failure({"type": "html-pdf", "content": "x"})
    finally:
        browser.close()
    assert failed.code == "convert.failed"
    assert "cannot start Chromium at /nonexistent/chromium" in failed.message


# --- sources ----------------------------------------------------------------------------------


def test_html_from_a_url_is_named_after_it(
    web: Callable[[Handler], tuple[str, list[str]]], allow_loopback: None
) -> None:
    base, seen = web(answer("<h1>Накладная</h1>".encode()))
    result, pdf = made_pdf({"type": "html-pdf", "url": f"{base}/docs/invoice.html?token=1"})
    assert seen == ["/docs/invoice.html?token=1"]
    assert result["name"] == "invoice.pdf"
    assert "Накладная" in pdf.text


def test_a_redirect_to_a_private_address_is_refused(
    web: Callable[[Handler], tuple[str, list[str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def to_metadata(request: BaseHTTPRequestHandler) -> None:
        request.send_response(302)
        request.send_header("Location", "http://169.254.169.254/latest/meta-data/")
        request.send_header("Content-Length", "0")
        request.end_headers()

    base, seen = web(to_metadata)
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "127.0.0.1")  # the first hop only
    failed = failure({"type": "html-pdf", "url": f"{base}/page.html"})
    assert seen == ["/page.html"]
    assert failed.code == "convert.source"
    assert "169.254.169.254" in failed.message


def test_a_private_url_is_refused_without_allowance(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)
    monkeypatch.delenv(ALLOW_HOSTS_ENV, raising=False)
    failed = failure({"type": "html-pdf", "url": "http://127.0.0.1:9/page.html"})
    assert failed.code == "convert.source"


def test_a_missing_url_and_a_missing_file_are_source_errors(
    web: Callable[[Handler], tuple[str, list[str]]], allow_loopback: None
) -> None:
    def missing(request: BaseHTTPRequestHandler) -> None:
        request.send_error(404)

    base, _ = web(missing)
    failed = failure({"type": "html-pdf", "url": f"{base}/gone.html"})
    assert failed.code == "convert.source"
    assert "404" in failed.message
    failed = failure({"type": "docx-pdf", "fileId": "f_0000"})
    assert (failed.code, failed.message) == ("convert.source", "there is no stored file 'f_0000'")


def test_oversized_sources_are_too_large(
    web: Callable[[Handler], tuple[str, list[str]]],
    allow_loopback: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MAX_BYTES_ENV, "1000")
    failed = failure({"type": "html-pdf", "content": "x" * 1001})
    assert failed.code == "convert.too_large"
    assert "1001 bytes, over the limit of 1000" in failed.message
    files = MemoryFiles()
    stored = files.put("big.docx", "application/octet-stream", b"PK" * 600)
    assert failure({"type": "docx-pdf", "fileId": stored.id}, files).code == "convert.too_large"
    base, _ = web(answer(b"<p>" + b"y" * 2000 + b"</p>"))
    failed = failure({"type": "html-pdf", "url": f"{base}/big.html"})
    assert failed.code == "convert.too_large"
    assert MAX_BYTES_ENV in failed.message
    # The converter's limit, not http.request's: a source over the latter is still read.
    monkeypatch.setenv(MAX_BYTES_ENV, "100000")
    monkeypatch.setenv(MAX_RESPONSE_BYTES_ENV, "500")
    _, pdf = made_pdf({"type": "html-pdf", "url": f"{base}/big.html"})
    assert "yyyy" in pdf.text


class SmallFiles(MemoryFiles):
    """A file store whose limit is as the real stores report it (FileTooLarge)."""

    def put(self, name: str, content_type: str, data: bytes) -> StoredFile:
        if len(data) > self.max_bytes:
            raise FileTooLarge(len(data), self.max_bytes)
        return super().put(name, content_type, data)


def test_a_pdf_over_the_file_stores_limit_is_too_large() -> None:
    failed = failure({"type": "html-pdf", "content": pages_html(3)}, SmallFiles(max_bytes=100))
    assert failed.code == "convert.too_large"
    assert "over the limit of 100 bytes" in failed.message


@pytest.mark.parametrize(
    "inputs",
    [
        {"type": "html-pdf"},
        {"type": "html-pdf", "content": "x", "url": "https://example.com/a.html"},
        {"type": "docx-pdf", "content": "not a binary source"},
        {"type": "pdf-html", "content": "x"},
        {"type": "docx-pdf", "contentBase64": "UEs=", "parameters": {"landscape": True}},
    ],
)
def test_inputs_that_do_not_fit_are_refused(inputs: dict[str, Any]) -> None:
    with pytest.raises(ComponentInputInvalid):
        convert(inputs)


def test_content_base64_that_is_not_base64_is_a_source_error() -> None:
    failed = failure({"type": "docx-pdf", "contentBase64": "not base64!"})
    assert (failed.code, failed.message) == ("convert.source", "contentBase64 is not base64")


# --- DOCX -> PDF ------------------------------------------------------------------------------


def test_a_stored_docx_becomes_a_pdf_named_after_it() -> None:
    files = MemoryFiles()
    stored = files.put(
        "Договор 7.docx",
        "application/octet-stream",
        docx_bytes("Первая страница", "Вторая страница"),
    )
    result, pdf = made_pdf({"type": "docx-pdf", "fileId": stored.id}, files)
    assert result["name"] == "Договор 7.pdf"
    assert pdf.pages == 2
    assert "Договор поставки № 7" in pdf.text
    assert "Вторая страница" in pdf.text


def test_docx_given_inline_with_a_file_name() -> None:
    data = base64.b64encode(docx_bytes("inline")).decode()
    result, pdf = made_pdf({"type": "docx-pdf", "contentBase64": data, "fileName": "act"})
    assert result["name"] == "act.pdf"
    assert "inline" in pdf.text


def test_two_docx_conversions_at_once_do_not_clash() -> None:
    data = [base64.b64encode(docx_bytes(f"document {n}")).decode() for n in range(2)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        made = list(pool.map(lambda d: made_pdf({"type": "docx-pdf", "contentBase64": d})[1], data))
    assert "document 0" in made[0].text and "document 1" in made[1].text


def test_a_file_that_is_not_docx_fails() -> None:
    data = base64.b64encode(b"plain text, no zip").decode()
    failed = failure({"type": "docx-pdf", "contentBase64": data})
    assert failed.code == "convert.failed"
    assert "not a DOCX document" in failed.message


def test_libreoffice_past_its_time_limit_is_killed_and_its_folder_removed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    data = base64.b64encode(docx_bytes("slow")).decode()
    failed = failure({"type": "docx-pdf", "contentBase64": data, "timeoutSeconds": 0.05})
    assert failed.code == "convert.failed"
    assert "within 0.05 seconds" in failed.message
    assert list(tmp_path.iterdir()) == []


def test_a_successful_conversion_leaves_no_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    made_pdf({"type": "docx-pdf", "contentBase64": base64.b64encode(docx_bytes("x")).decode()})
    assert list(tmp_path.iterdir()) == []


# --- XML -> JSON and Excel -> JSON (the converters are xml2js.py and excel_json.py) -------------


def test_xml_becomes_json_as_xml2js_builds_it() -> None:
    xml = '<CAT breed="Siamese"><NAME>Izzy</NAME><AGE>6</AGE></CAT>'
    assert convert({"type": "xml-json", "content": xml}) == {
        "data": {"CAT": {"$": {"breed": "Siamese"}, "NAME": ["Izzy"], "AGE": ["6"]}}
    }
    flat = convert({"type": "xml-json", "content": xml, "parameters": {"ExplicitArray": "false"}})
    assert flat == {"data": {"CAT": {"$": {"breed": "Siamese"}, "NAME": "Izzy", "AGE": "6"}}}


def test_xml_bytes_are_read_in_the_encoding_they_declare() -> None:
    xml = '<?xml version="1.0" encoding="windows-1251"?><a>Привет</a>'.encode("cp1251")
    files = MemoryFiles()
    stored = files.put("a.xml", "application/xml", xml)
    assert convert({"type": "xml-json", "fileId": stored.id}, files) == {"data": {"a": "Привет"}}


def test_xml_text_is_read_as_the_text_it_is_whatever_its_declaration_says() -> None:
    xml = '<?xml version="1.0" encoding="windows-1251"?><a>Привет</a>'
    assert convert({"type": "xml-json", "content": xml}) == {"data": {"a": "Привет"}}


def test_xml_that_is_not_well_formed_fails_saying_where() -> None:
    failed = failure({"type": "xml-json", "content": "<a>\n<b></a>"})
    assert failed.code == "convert.failed"
    assert failed.message.startswith("xml-json: ")
    assert "line 2" in failed.message


def test_xml_entities_and_dtds_reach_no_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARK", "utf-8")
    xxe = f'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY s SYSTEM "file://{secret}">]><a>&s;</a>'
    try:
        made: Any = convert({"type": "xml-json", "content": xxe})
    except ComponentFailed as failed:
        assert failed.code == "convert.failed"
        made = failed.message
    assert "TOP-SECRET-MARK" not in json.dumps(made, ensure_ascii=False)


def test_json_deeper_than_process_data_may_be_is_too_large() -> None:
    xml = "<a>" * 100 + "x" + "</a>" * 100
    failed = failure({"type": "xml-json", "content": xml})
    assert failed.code == "convert.too_large"
    assert "64 levels" in failed.message


def test_an_excel_workbook_becomes_json() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Заказы"
    sheet.append(["Номер", "Сумма"])
    sheet.append(["A-1", 1500])
    out = io.BytesIO()
    book.save(out)
    result = convert(
        {"type": "excel-json", "contentBase64": base64.b64encode(out.getvalue()).decode()}
    )
    assert result == {"data": {"Заказы": [{"A": "Номер", "B": "Сумма"}, {"A": "A-1", "B": 1500}]}}
    by_header = convert(
        {
            "type": "excel-json",
            "contentBase64": base64.b64encode(out.getvalue()).decode(),
            "parameters": {"keys": "header", "skipEmptyRows": False},
        }
    )
    assert by_header == {"data": {"Заказы": [{"Номер": "A-1", "Сумма": 1500}]}}
    failed = failure({"type": "excel-json", "contentBase64": base64.b64encode(b"no").decode()})
    assert failed.code == "convert.failed"
    assert failed.message.startswith("excel-json: ")
