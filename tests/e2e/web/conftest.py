"""The browser app in real headless Chromium against a real `automations dev`.

`web_server`: one server for the whole session (the demo seeded: a catalog, three scenarios,
their subscriptions, the `quote` endpoint), serving the bundle built from `web/src` now.
`page`: a fresh browser context per test that FAILS the test on any uncaught page error or
console error. Chromium also logs every fetch answered 4xx as a console error; those are the
API's documented refusals (401 before signing in, 404 of a name that is free...), which the app
shows in its own words, so they are let through for `api/` URLs only, and each test asserts the
message the user sees. Any 5xx answer fails the test. `shot(page, name)` writes
`test-artifacts/<test>-<name>.png`.

No Chromium (`/usr/bin/chromium`, the Debian package): the tests skip with the reason, and fail
when AUTOMATIONS_REQUIRE_CONFORMANCE=1 (as CI sets).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.devserver import ADMIN, Dev, starter, stop_all
from support.web_pages import Shot, sign_in

ROOT = Path(__file__).parents[3]
WEB = ROOT / "web"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
REQUIRE_ENV = "AUTOMATIONS_REQUIRE_CONFORMANCE"
# Chromium's words for a fetch the server answered with a 4xx status.
_REFUSED_FETCH = re.compile(
    r"^Failed to load resource: the server responded with a status of 4\d\d"
)


def _missing(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} and {REQUIRE_ENV}=1", pytrace=False)
    pytest.skip(f"{reason}; set {REQUIRE_ENV}=1 to make this a failure")


def _newest(folder: Path) -> float:
    return max((p.stat().st_mtime for p in folder.rglob("*") if p.is_file()), default=0.0)


def _build_bundle() -> None:
    """Rebuild web/dist when a source is newer than it (seconds), so the tests see `web/src`."""
    index = WEB / "dist" / "index.html"
    sources = max(_newest(WEB / "src"), (WEB / "build.mjs").stat().st_mtime)
    if index.exists() and index.stat().st_mtime >= sources:
        return
    node = shutil.which("node")
    if node is None or not (WEB / "node_modules").is_dir():
        _missing("the web bundle is stale or missing and node / web/node_modules are not there")
    subprocess.run([node, "build.mjs"], cwd=WEB, check=True, timeout=120)


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    """One `automations dev` with the demo, for every browser test of the session."""
    if not Path(CHROMIUM).exists():
        _missing(f"no Chromium at {CHROMIUM} (Debian package `chromium`)")
    _build_bundle()
    started: list[Dev] = []
    folder = tmp_path_factory.mktemp("web")
    yield starter(folder, started)(demo="true", sync_timeout_seconds=10)
    stop_all(started)


# One browser per module, never per session: while Playwright's sync API runs, it holds an event
# loop on this thread, and every later test calling asyncio.run() would fail.
@pytest.fixture(scope="module")
def browser(web_server: Dev) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a dev dependency
        _missing("the Python package playwright is not installed")
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, web_server: Dev) -> Iterator[Any]:
    """A page of a fresh context (no cookie) at the app's base; fails the test on page errors,
    console errors and 5xx answers."""
    context = browser.new_context(base_url=web_server.url, viewport={"width": 1360, "height": 900})
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def on_console(message: Any) -> None:
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        if _REFUSED_FETCH.match(message.text) and "/api/" in where:
            return
        problems.append(f"console error: {message.text} ({where})")

    opened.on("console", on_console)
    opened.on(
        "response",
        lambda answer: (
            problems.append(f"{answer.status} from {answer.url}") if answer.status >= 500 else None
        ),
    )
    yield opened
    context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def admin_page(page: Any) -> Any:
    """The page, signed in as the server's admin."""
    sign_in(page, *ADMIN)
    return page


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Shot:
    """`shot(page, "processes")` -> test-artifacts/<test>-processes.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    test = re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name).strip("-")

    def take(page: Any, name: str) -> Path:
        path = ARTIFACTS / f"{test}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
