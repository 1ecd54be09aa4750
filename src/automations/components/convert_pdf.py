"""The converter's PDF makers: HTML -> PDF in headless Chromium, DOCX -> PDF with LibreOffice.

HTML is printed as Chromium prints it (`page.pdf`, puppeteer's options, which are the product's
parameters). The HTML is hostile: it may try to reach the network or the machine's files. So
every request the page makes is aborted except `data:` URLs (images and fonts inlined as data
URLs still work), WebSockets are closed, the context is offline, the browser resolves no host
name and sends what might slip past all that to a proxy that does not exist. JavaScript runs
(templates use it to fill tables), bounded by the time limit; the page is `about:blank`, which
Chromium lets read no `file:` URL.

One Chromium is kept per process and reused (a launch costs about a second, a page tens of
milliseconds); every conversion gets a fresh browser context, so nothing of one document (its
storage, cookies, cache) is seen by the next. A browser that died or hung is replaced at the
next call. Playwright's objects belong to the event loop that made them, and component calls
arrive on any thread: the browser lives on one thread of its own running an event loop, and
each call hands it a coroutine.

DOCX goes to `soffice --headless --convert-to pdf`, each call with a profile of its own in a
temporary folder (two LibreOffice processes sharing a profile wait for or break each other),
macros off and links to outside content blocked; the process group is killed at the time limit
and the folder removed.

Settings (read at each call): `AUTOMATIONS_CHROMIUM_PATH` (default `/usr/bin/chromium`),
`AUTOMATIONS_CHROMIUM_ARGS` (more command-line switches, space-separated: a Lambda image adds
`--single-process --no-zygote`), `AUTOMATIONS_SOFFICE_PATH` (default `soffice`).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
import shlex
import signal
import subprocess
import tempfile
import threading
import zipfile
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

if TYPE_CHECKING:  # playwright is imported at the first HTML conversion (it is heavy)
    from playwright.async_api import Browser, BrowserContext, Playwright, Route, WebSocketRoute

CHROMIUM_PATH_ENV = "AUTOMATIONS_CHROMIUM_PATH"
CHROMIUM_ARGS_ENV = "AUTOMATIONS_CHROMIUM_ARGS"
SOFFICE_PATH_ENV = "AUTOMATIONS_SOFFICE_PATH"
DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium"
DEFAULT_SOFFICE_PATH = "soffice"

# Nothing listens on the discard port: whatever the browser sends past the routes goes nowhere.
_NOWHERE_PROXY = "http://127.0.0.1:9"
_CHROMIUM_ARGS = (
    "--disable-dev-shm-usage",  # containers (Lambda) have a tiny /dev/shm
    "--disable-gpu",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # no host name resolves
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",  # no STUN/UDP around the proxy
    "--disable-background-networking",
    "--no-first-run",
)
_CLOSE_SECONDS = 5.0

Length = str | float
_LENGTH = re.compile(r"^\s*\d+(\.\d+)?\s*(px|in|cm|mm)?\s*$", re.IGNORECASE)
_PAGE_RANGES = re.compile(r"^\s*(\d+\s*(-\s*\d*)?|-\s*\d+)(\s*,\s*(\d+\s*(-\s*\d*)?|-\s*\d+))*\s*$")
PaperFormat = Literal[
    "Letter", "Legal", "Tabloid", "Ledger", "A0", "A1", "A2", "A3", "A4", "A5", "A6"
]
_FORMATS: dict[str, str] = {
    name.lower(): name
    for name in ("Letter", "Legal", "Tabloid", "Ledger", "A0", "A1", "A2", "A3", "A4", "A5", "A6")
}


class ConversionFailed(ValueError):
    """Raised when Chromium or LibreOffice cannot make the PDF (`str()` says why)."""


def _length(value: Length, where: str) -> Length:
    if isinstance(value, str) and not _LENGTH.match(value):
        raise ValueError(f"{where}: {value!r} is not a length such as 210mm, 8.5in, 2cm or 800px")
    if not isinstance(value, str) and value < 0:
        raise ValueError(f"{where}: a length cannot be negative")
    return value.strip().lower() if isinstance(value, str) else value


class PdfMargin(BaseModel):
    """Margins of each side; a number is in CSS pixels (96 to the inch), as in puppeteer."""

    model_config = ConfigDict(extra="forbid")

    top: Length = 0
    right: Length = 0
    bottom: Length = 0
    left: Length = 0

    @field_validator("top", "right", "bottom", "left")
    @classmethod
    def _lengths(cls, value: Length) -> Length:
        return _length(value, "margin")


class PdfOptions(BaseModel):
    """The HTML -> PDF parameters: puppeteer's `page.pdf` options under their own names.

    `format` wins over `width`/`height` when both are given (as the product says); with neither,
    the page is A4. A number for a length is CSS pixels; a text may say px, in, cm or mm."""

    model_config = ConfigDict(extra="forbid")

    format: PaperFormat | None = None
    width: Length | None = None
    height: Length | None = None
    margin: Length | PdfMargin = "1cm"
    landscape: bool = False
    printBackground: bool = True
    scale: float = Field(default=1.0, ge=0.1, le=2.0)
    pageRanges: str = ""
    displayHeaderFooter: bool = False
    headerTemplate: str = ""
    footerTemplate: str = ""

    @field_validator("format", mode="before")
    @classmethod
    def _format_any_case(cls, value: object) -> object:
        return _FORMATS.get(value.strip().lower(), value) if isinstance(value, str) else value

    @field_validator("width", "height")
    @classmethod
    def _size(cls, value: Length | None) -> Length | None:
        return None if value is None else _length(value, "page size")

    @field_validator("margin")
    @classmethod
    def _margin(cls, value: Length | PdfMargin) -> Length | PdfMargin:
        return value if isinstance(value, PdfMargin) else _length(value, "margin")

    @field_validator("pageRanges")
    @classmethod
    def _ranges(cls, value: str) -> str:
        if value.strip() and not _PAGE_RANGES.match(value):
            raise ValueError(f"{value!r} is not a list of pages such as '1-5, 8, 11-13'")
        return value.strip()

    def playwright_arguments(self) -> dict[str, Any]:
        """The keyword arguments of Playwright's `page.pdf` for these options."""
        margin = (
            self.margin.model_dump()
            if isinstance(self.margin, PdfMargin)
            else dict.fromkeys(("top", "right", "bottom", "left"), self.margin)
        )
        size: dict[str, Any] = {"format": self.format}
        if self.format is None:
            if self.width is None and self.height is None:
                size = {"format": "A4"}
            else:  # one side given: the other is A4's, as Chromium fills it in
                size = {"width": self.width or "210mm", "height": self.height or "297mm"}
        return {
            **size,
            "margin": margin,
            "landscape": self.landscape,
            "print_background": self.printBackground,
            "scale": self.scale,
            "page_ranges": self.pageRanges,
            "display_header_footer": self.displayHeaderFooter,
            "header_template": self.headerTemplate,
            "footer_template": self.footerTemplate,
        }


# ---------------------------------------------------------------------------------------------
# HTML -> PDF


def html_to_pdf(html: str, options: PdfOptions, timeout_seconds: float) -> bytes:
    """The PDF Chromium prints of `html`; ConversionFailed when it cannot within the time."""
    return _BROWSER.call(_print(html, options, timeout_seconds))


async def _print(html: str, options: PdfOptions, timeout_seconds: float) -> bytes:
    context = await _BROWSER.new_context()
    try:
        return await asyncio.wait_for(
            _print_in(context, html, options, timeout_seconds), timeout_seconds
        )
    except TimeoutError:
        raise ConversionFailed(
            f"the page was not printed within {timeout_seconds:g} seconds"
        ) from None
    except _playwright_error() as exc:
        raise ConversionFailed(f"Chromium could not print the page: {_first_line(exc)}") from None
    finally:
        await _BROWSER.close_context(context)


async def _print_in(
    context: BrowserContext, html: str, options: PdfOptions, timeout_seconds: float
) -> bytes:
    page = await context.new_page()
    page.set_default_timeout(timeout_seconds * 1000)
    await page.set_content(html, wait_until="load")
    pdf: bytes = await page.pdf(**options.playwright_arguments())
    return pdf


async def _only_data_urls(route: Route) -> None:
    if route.request.url.startswith("data:"):
        await route.continue_()
    else:
        await route.abort("blockedbyclient")


async def _no_websockets(socket: WebSocketRoute) -> None:
    await socket.close()


class _NoPlaywright(Exception):
    """Never raised: what `_playwright_error` names when Playwright is not installed."""


def _playwright_error() -> type[Exception]:
    try:
        from playwright.async_api import Error
    except ImportError:
        return _NoPlaywright
    return Error


def _first_line(error: BaseException) -> str:
    # Playwright's messages carry a call log after the first line; the first says what failed.
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


class _Browser:
    """The process's Chromium, on an event loop of its own thread (see the module docstring)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._launching: asyncio.Lock | None = None

    def call(self, work: Coroutine[Any, Any, bytes]) -> bytes:
        return asyncio.run_coroutine_threadsafe(work, self._running_loop()).result()

    def close(self) -> None:
        """Close the browser and Playwright's driver, and end the thread (a benchmark's cold
        start; a process that ends needs none of it: the driver ends with it)."""
        with self._guard:
            loop, self._loop = self._loop, None
        if loop is None:
            return
        asyncio.run_coroutine_threadsafe(self._stop(), loop).result()
        loop.call_soon_threadsafe(loop.stop)

    async def _stop(self) -> None:
        await self._discard()
        playwright, self._playwright = self._playwright, None
        if playwright is not None:
            await playwright.stop()

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._guard:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="convert-chromium", daemon=True
                ).start()
                self._loop = loop
            return self._loop

    async def new_context(self) -> BrowserContext:
        """A fresh, locked-down context; the browser (re)launched when it is not alive."""
        try:
            browser = await self._alive()
            context = await browser.new_context(
                offline=True, service_workers="block", accept_downloads=False
            )
        except _playwright_error():  # it died between the check and the call: once more
            await self._discard()
            browser = await self._alive()
            context = await browser.new_context(
                offline=True, service_workers="block", accept_downloads=False
            )
        await context.route("**/*", _only_data_urls)
        await context.route_web_socket(re.compile(".*"), _no_websockets)
        return context

    async def close_context(self, context: BrowserContext) -> None:
        try:
            await asyncio.wait_for(context.close(), _CLOSE_SECONDS)
        except (TimeoutError, _playwright_error()):
            await self._discard()  # a context that cannot close: the browser is not healthy

    async def _alive(self) -> Browser:
        if self._launching is None:
            self._launching = asyncio.Lock()
        async with self._launching:
            if self._browser is None or not self._browser.is_connected():
                await self._discard()
                self._browser = await self._launch()
            return self._browser

    async def _launch(self) -> Browser:
        try:
            from playwright.async_api import async_playwright
        except ImportError:
            raise ConversionFailed(
                "HTML -> PDF needs Playwright: install the convert extra (automations[convert])"
            ) from None
        path = os.environ.get(CHROMIUM_PATH_ENV, "").strip() or DEFAULT_CHROMIUM_PATH
        extra = shlex.split(os.environ.get(CHROMIUM_ARGS_ENV, ""))
        if self._playwright is None:
            self._playwright = await async_playwright().start()
        try:
            return await self._playwright.chromium.launch(
                executable_path=path,
                args=[*_CHROMIUM_ARGS, *extra],
                proxy={"server": _NOWHERE_PROXY, "bypass": "<-loopback>"},
            )
        except _playwright_error() as exc:
            raise ConversionFailed(
                f"cannot start Chromium at {path} ({CHROMIUM_PATH_ENV}): {_first_line(exc)}"
            ) from None

    async def _discard(self) -> None:
        browser, self._browser = self._browser, None
        if browser is not None:
            try:
                await asyncio.wait_for(browser.close(), _CLOSE_SECONDS)
            except (TimeoutError, _playwright_error()):
                pass  # the process is gone or will be when Playwright's driver ends


_BROWSER = _Browser()


# ---------------------------------------------------------------------------------------------
# DOCX -> PDF

# The profile's settings: no macro runs, no image or link from outside the document is loaded.
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""  # noqa: E501


def docx_to_pdf(data: bytes, timeout_seconds: float) -> bytes:
    """The PDF LibreOffice makes of a DOCX document; ConversionFailed when it cannot."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ConversionFailed("the file is not a DOCX document (it is not a ZIP package)")
    with tempfile.TemporaryDirectory(prefix="automations-convert-") as folder:
        work = Path(folder)
        source = work / "document.docx"
        source.write_bytes(data)
        profile = work / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, "utf-8")
        out = work / "out"
        _run_soffice(
            [
                os.environ.get(SOFFICE_PATH_ENV, "").strip() or DEFAULT_SOFFICE_PATH,
                "--headless",
                "--norestore",
                "--nologo",
                "--nolockcheck",
                "--nodefault",
                f"-env:UserInstallation={profile.as_uri()}",
                "--convert-to",
                "pdf:writer_pdf_Export",
                "--outdir",
                str(out),
                str(source),
            ],
            work,
            timeout_seconds,
        )
        made = out / "document.pdf"
        if not made.is_file():
            raise ConversionFailed("LibreOffice could not read the document as DOCX")
        return made.read_bytes()


def _run_soffice(command: list[str], work: Path, timeout_seconds: float) -> None:
    # HOME in the temporary folder: LibreOffice writes there, and Lambda's HOME is read-only.
    env = {**os.environ, "HOME": str(work)}
    try:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # its own process group: killed whole at the time limit
        )
    except OSError as exc:
        raise ConversionFailed(
            f"cannot start LibreOffice ({command[0]}, {SOFFICE_PATH_ENV}): {exc.strerror}"
        ) from None
    try:
        _, errors = process.communicate(timeout=timeout_seconds)
    except subprocess.TimeoutExpired:
        raise ConversionFailed(
            f"LibreOffice did not convert the document within {timeout_seconds:g} seconds"
        ) from None
    finally:
        _kill_group(process)
    if process.returncode != 0:
        reason = errors.decode("utf-8", "replace").strip().splitlines()
        raise ConversionFailed(
            f"LibreOffice failed (exit status {process.returncode})"
            + (f": {reason[-1]}" if reason else "")
        )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # nothing of it is left
        os.killpg(process.pid, signal.SIGKILL)  # what it left running (soffice.bin) goes too
    process.communicate()
