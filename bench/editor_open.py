"""Benchmark: the editor opening a generated 1,000-element scenario in headless Chromium.

    .venv/bin/python bench/editor_open.py [--elements 1000] [--repeat 5] [--web-root DIR]

The scenario is `compile.py`'s generator (chains of tasks, exclusive and parallel blocks,
service tasks), saved on a fresh `automations dev` serving `web/dist` (build it first:
`cd web && node build.mjs`). Each open is a full page load of `scenarios/bench` from a blank
page (the bundle in the browser's cache, as on any visit after the first), timed from the
navigation until:

- drawn: every flow node has its shape on the canvas (polled once per animation frame, so
  the page must also be free to run a frame);
- interactive: then a real mouse click (Chromium's input pipeline, not a DOM event) on the
  start event has selected it and the properties panel shows it: the canvas and the panel
  answer;
- validated: the first `scenarios/validate` answer has marked the diagram (the status bar
  says whether it compiles).

Twice: as generated, without diagram information (the editor lays it out with
bpmn-auto-layout first), and saved back with the layout it made (what an edited scenario looks
like). Prints a Markdown table (median and spread of the runs), then where the time of the
median run went, from the performance marks the editor leaves (`editor:*`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
from compile import scenario  # noqa: E402  (bench/compile.py: the same generated scenarios)
from support.devserver import ADMIN, starter, stop_all  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


# The start event's centre on screen, once every flow node has its shape (else null).
DRAWN = """n => {
  if (document.querySelectorAll('[data-testid=editor] g.djs-shape').length < n) return null;
  const box = document
    .querySelector('[data-testid=editor] g.djs-element[data-element-id=start]')
    .getBoundingClientRect();
  return [box.x + box.width / 2, box.y + box.height / 2];
}"""
SELECTED = """() => {
  const start = document.querySelector('g.djs-element[data-element-id=start]');
  const panel = document.querySelector('.bio-properties-panel-header-type');
  return start?.classList.contains('selected') && /start event/i.test(panel?.textContent || '');
}"""
MARKS = """() => Object.fromEntries(
  performance.getEntriesByType('mark')
    .filter(m => m.name.startsWith('editor:'))
    .map(m => [m.name.slice(7), m.startTime]))"""


def open_once(page: Any, url: str, nodes: int) -> dict[str, float]:
    """One full load of the editor: milliseconds to drawn, interactive and validated, and the
    editor's own marks (from the navigation's start)."""
    # From a blank page, as a link opened in a new tab: tearing down the editor of the run
    # before (its 2,000 shapes, a tenth of a second) is no part of opening this one.
    page.goto("about:blank")
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_function(DRAWN, arg=nodes, timeout=120_000)
    drawn = time.perf_counter()
    # Where the start event is now (at this size of diagram it is under a pixel wide: a page
    # that moved since the drawn check would make the click miss).
    page.mouse.click(*page.evaluate(DRAWN, nodes))
    page.wait_for_function(SELECTED, timeout=30_000)
    interactive = time.perf_counter()
    page.locator("[data-testid=editor-status][data-state]").wait_for(timeout=120_000)
    validated = time.perf_counter()
    times = {
        "drawn": (drawn - start) * 1000,
        "interactive": (interactive - start) * 1000,
        "validated": (validated - start) * 1000,
    }
    return times | {f"mark {name}": ms for name, ms in page.evaluate(MARKS).items()}


COLUMNS = ("drawn", "interactive", "validated")


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ({min(values):.0f}–{max(values):.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--elements", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--web-root", type=Path, help="another build to serve (to compare two); web/dist if unset"
    )
    args = parser.parse_args()
    text, nodes = scenario(args.elements)
    started = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as driver:
        dev = starter(Path(folder), started)(
            **({"web_root": args.web_root} if args.web_root else {})
        )
        try:
            dev.ok(
                "PUT",
                "/api/v1/scenarios/bench",
                content=text,
                headers={"Content-Type": "application/xml"},
            )
            browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True)
            page = browser.new_page(viewport={"width": 1360, "height": 900})
            page.goto(dev.url + "/")
            page.get_by_label("Email").fill(ADMIN[0])
            page.get_by_label("Password").fill(ADMIN[1])
            page.get_by_role("button", name="Sign in").click()
            page.locator(".sidebar").wait_for()
            rows = []
            for label in ("without diagram (auto-layout)", "with diagram"):
                runs = [
                    open_once(page, dev.url + "/scenarios/bench", nodes) for _ in range(args.repeat)
                ]
                rows.append((label, runs))
                if label.startswith("without"):
                    page.locator("[data-testid=editor-save]").click()
                    page.locator('[data-testid=editor-status][data-state="saved"]').wait_for()
            browser.close()
        finally:
            stop_all(started)
    print(
        f"{nodes} flow nodes, {text.count('<bpmn:sequenceFlow')} flows, {args.repeat} runs each;"
        " median (fastest–slowest) ms from the navigation\n"
    )
    print("| scenario | drawn | interactive (click answered) | validated |")
    print("|---|---:|---:|---:|")
    for label, runs in rows:
        cells = [spread([run[key] for run in runs]) for key in COLUMNS]
        print(f"| {label} | {' | '.join(cells)} |")
    for label, runs in rows:
        median_run = sorted(runs, key=lambda run: run["interactive"])[len(runs) // 2]
        marks = sorted((ms, key[5:]) for key, ms in median_run.items() if key.startswith("mark "))
        shown = ", ".join(f"{name} {ms:.0f}" for ms, name in marks)
        print(f"\n{label}, the median run's marks (ms): {shown}")


if __name__ == "__main__":
    main()
