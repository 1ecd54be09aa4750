"""Benchmark: the editor opening a generated 1,000-element scenario in headless Chromium.

    .venv/bin/python bench/editor_open.py [--elements 1000] [--repeat 5]

The scenario is `compile.py`'s generator (chains of tasks, exclusive and parallel blocks,
service tasks), saved on a fresh `automations dev` serving `web/dist` (build it first:
`cd web && node build.mjs`). Timed from navigating to `scenarios/bench` until the diagram is
drawn (every flow node has its shape) and until it is interactive (the first validation
answer has marked it, the palette and panel answer). Twice: as generated, without diagram
information (the editor lays it out with bpmn-auto-layout first), and saved back with the
layout it made (what an edited scenario looks like). Prints a Markdown table.
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


def open_once(page: Any, url: str, nodes: int) -> tuple[float, float]:
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=editor] g.djs-shape').length >= n",
        arg=nodes,
        timeout=120_000,
    )
    drawn = time.perf_counter()
    page.locator("[data-testid=editor-status][data-state]").wait_for(timeout=120_000)
    ready = time.perf_counter()
    return (drawn - start) * 1000, (ready - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--elements", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    text, nodes = scenario(args.elements)
    started = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as driver:
        dev = starter(Path(folder), started)()
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
                times = [
                    open_once(page, dev.url + "/scenarios/bench", nodes) for _ in range(args.repeat)
                ]
                rows.append((label, times))
                if label.startswith("without"):
                    page.locator("[data-testid=editor-save]").click()
                    page.locator('[data-testid=editor-status][data-state="saved"]').wait_for()
            browser.close()
        finally:
            stop_all(started)
    print(
        f"{nodes} flow nodes, {text.count('<bpmn:sequenceFlow')} flows, {args.repeat} runs each\n"
    )
    print(
        "| scenario | drawn, median ms | interactive (validated), median ms | best interactive ms |"
    )
    print("|---|---:|---:|---:|")
    for label, times in rows:
        drawn = statistics.median(t[0] for t in times)
        ready = statistics.median(t[1] for t in times)
        best = min(t[1] for t in times)
        print(f"| {label} | {drawn:.0f} | {ready:.0f} | {best:.0f} |")


if __name__ == "__main__":
    main()
