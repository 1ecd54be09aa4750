"""`code.js`: a warm call of a 10-line snippet, and what making an engine costs.

    .venv/bin/python bench/code_js.py [--runs 5] [--calls 2000]

A warm call is the whole component call as the engine makes it (`invoke`: the input model, the
limits read from the environment, the pool, V8 - a fresh SES compartment, the code compiled and
run, its result checked and turned into JSON - and back), on an engine made beforehand. Each run
times `--calls` calls one by one with `time.perf_counter()`; the table gives, over the runs, the
median of the runs' medians and the spread (lowest and highest run median, and the highest
99th percentile). Making an engine (a V8 isolate with SES, lodash and moment loaded and locked
down) is timed `--runs` times. Prints the command and a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time

from automations.components import code_sandbox, registry
from automations.components.invoke import invoke
from automations.components.registry import ComponentContext

SNIPPET = """const lines = order.lines;
const byCategory = _.groupBy(lines, 'category');
const totals = {};
for (const [category, items] of Object.entries(byCategory)) {
  totals[category] = _.sumBy(items, (l) => l.qty * l.price);
}
const top = _.maxBy(_.toPairs(totals), 1)[0];
const due = moment.utc(order.date).add(14, 'days').format('YYYY-MM-DD');
const total = _.round(_.sum(_.values(totals)), 2);
return {totals, top, due, total};"""
VARIABLES = {
    "order": {
        "date": "2026-12-01",
        "lines": [
            {"category": "tea", "qty": 2, "price": 4.5},
            {"category": "cups", "qty": 6, "price": 3},
            {"category": "tea", "qty": 1, "price": 12.25},
        ],
    }
}


def warm_run(calls: int) -> list[float]:
    spec = registry.get("code.js")
    payload = {"code": SNIPPET, "variables": VARIABLES}
    context = ComponentContext()
    invoke(spec, payload, context)  # the engine is made here, outside the timing
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        invoke(spec, payload, context)
        times.append((time.perf_counter() - start) * 1000)
    return times


def engine_ms() -> float:
    start = time.perf_counter()
    engine = code_sandbox.Engine()
    elapsed = (time.perf_counter() - start) * 1000
    engine.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    medians, p99s = [], []
    for _ in range(args.runs):
        times = sorted(warm_run(args.calls))
        medians.append(statistics.median(times))
        p99s.append(times[int(len(times) * 0.99) - 1])
    engines = [engine_ms() for _ in range(args.runs)]
    print(f"    .venv/bin/python bench/code_js.py --runs {args.runs} --calls {args.calls}")
    print(f"    ({platform.machine()}, Python {sys.version.split()[0]}, {platform.system()})\n")
    print("| measure | median | spread |")
    print("|---|---|---|")
    print(
        f"| warm call, 10-line snippet (ms) | {statistics.median(medians):.3f} "
        f"| run medians {min(medians):.3f}-{max(medians):.3f}, p99 at most {max(p99s):.3f} |"
    )
    print(
        f"| making an engine (ms) | {statistics.median(engines):.0f} "
        f"| {min(engines):.0f}-{max(engines):.0f} |"
    )
    code_sandbox.POOL.close_idle()
    return 0


if __name__ == "__main__":
    sys.exit(main())
