"""Benchmark of `sql.query` against raw psycopg: what the component adds to one statement on a
warm pooled PostgreSQL connection.

    .venv/bin/python bench/sql_query.py [--calls 1000] [--rounds 7] [--url postgresql://...]

Both sides run the same `SELECT` of 10 rows (an integer, a text and a numeric column, one bound
parameter) `--calls` times in a row on the local PostgreSQL (127.0.0.1:5432, database `test`):

- raw: one psycopg connection in autocommit, `execute(query, params).fetchall()`;
- component: `sql.query` as the engine calls it (inputs validated by its pydantic model, the
  named connection looked up, `:param` rewritten (cached), the pooled engine's connection
  checked out and back, the statement timeout set once, rows converted to JSON values, the
  result dumped), with `pool_pre_ping` as configured for production.

Rounds alternate raw and component after a warm-up; the medians of the rounds are reported,
with the overhead per call (component minus raw). Prints a Markdown table for
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from typing import Any

import psycopg

from automations.components import invoke, registry
from automations.components.connections import SERVICE_KEY
from automations.components.registry import ComponentContext

QUERY_RAW = (
    "SELECT g AS id, 'name ' || g AS name, (g * 1.5)::numeric(10,2) AS price "
    "FROM generate_series(1, 10) AS g WHERE g > %s"
)
QUERY_COMPONENT = QUERY_RAW.replace("%s", ":minimum")


class Connections:
    def __init__(self, url: str) -> None:
        self._url = url

    def get(self, name: str) -> str | None:
        return self._url if name == "bench" else None


def time_raw(conn: psycopg.Connection[Any], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        rows = conn.execute(QUERY_RAW, (0,)).fetchall()
    elapsed = time.perf_counter() - start
    assert len(rows) == 10
    return elapsed


def time_component(ctx: ComponentContext, calls: int) -> float:
    spec = registry.get("sql.query")
    inputs = {"connection": "bench", "query": QUERY_COMPONENT, "parameters": {"minimum": 0}}
    start = time.perf_counter()
    for _ in range(calls):
        result = invoke.run(spec, invoke.parse_input(spec, inputs), ctx)
    elapsed = time.perf_counter() - start
    assert result["rowCount"] == 10 and result["rows"][0] == {
        "id": 1,
        "name": "name 1",
        "price": "1.50",
    }
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()

    raw = psycopg.connect(args.url, autocommit=True)
    ctx = ComponentContext(
        process_id="bench", element_id="Query", services={SERVICE_KEY: Connections(args.url)}
    )
    time_raw(raw, 100)  # warm-up: the connection, the engine and its pool, the caches
    time_component(ctx, 100)

    raw_rounds: list[float] = []
    component_rounds: list[float] = []
    for _ in range(args.rounds):
        raw_rounds.append(time_raw(raw, args.calls))
        component_rounds.append(time_component(ctx, args.calls))
    raw.close()

    raw_ms = statistics.median(raw_rounds) / args.calls * 1000
    component_ms = statistics.median(component_rounds) / args.calls * 1000
    best_overhead = min(c - r for c, r in zip(component_rounds, raw_rounds, strict=True))
    print(f"$ .venv/bin/python bench/sql_query.py --calls {args.calls} --rounds {args.rounds}")
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"PostgreSQL at {args.url.rsplit('@', 1)[-1]}"
    )
    print()
    print("| path | per call (median of rounds) |")
    print("|---|---:|")
    print(f"| raw psycopg | {raw_ms:.3f} ms |")
    print(f"| `sql.query` | {component_ms:.3f} ms |")
    best_ms = best_overhead / args.calls * 1000
    print(f"| overhead | {component_ms - raw_ms:.3f} ms (best round {best_ms:.3f} ms) |")


if __name__ == "__main__":
    main()
