"""The README's two pictures, taken from a real `automations dev` with its demo in headless
Chromium: the editor on the demo's order approval (its records task selected), and the process
that one web request to the demo's quote endpoint ran.

    .venv/bin/python tests/e2e/web/readme_screenshots.py     (or: make screenshots)

writes docs/screenshots/editor.png and docs/screenshots/process.png. Not a test: the pictures
change only when the pages do, and a reviewer looks at them before they are committed.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests"))

from support.devserver import ADMIN, Dev, starter, stop_all  # noqa: E402
from support.web_pages import sign_in  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
OUT = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 760}


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    started: list[Dev] = []
    with tempfile.TemporaryDirectory() as folder:
        dev = starter(Path(folder), started)(demo="true")
        try:
            dev.client.get("/api/webrequest/quote", params={"total": 1500}).raise_for_status()
            (process,) = dev.processes(scenarioId="demo-quote", status="completed", limit=1)
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True)
                page = browser.new_context(base_url=dev.url, viewport=VIEWPORT).new_page()
                sign_in(page, *ADMIN)
                page.goto("scenarios/demo-approve-order")
                page.locator("g.djs-element[data-element-id=SaveDecision]").click()
                page.locator(".bio-properties-panel").wait_for()
                page.screenshot(path=str(OUT / "editor.png"))
                page.goto(f"processes/{process['id']}")
                page.locator("g.djs-element.visited").first.wait_for()
                page.screenshot(path=str(OUT / "process.png"))
                browser.close()
        finally:
            stop_all(started)
    for name in ("editor.png", "process.png"):
        print(OUT / name, (OUT / name).stat().st_size, "bytes")


if __name__ == "__main__":
    main()
