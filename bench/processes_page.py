"""Benchmark: the web app's processes page over 100,000 stored processes (SQLite).

    .venv/bin/python bench/processes_page.py [--processes 100000] [--runs 7]

What is measured, in one Python process: a fresh SQLite file (the dev server's schema) is
filled with `--processes` processes queued over the last 7 days (ten scenarios, every status,
four event types, a duration on each ended one, a tenth started by a member), written in bulk
with the store's own insert. Then, through the API resolver `automations dev` serves (the
same `build_app`, proxy events in process, HTTP Basic with the credential cache warm), each
call below runs `--runs` times after one warm-up, and its median wall time is printed:

- the first page of `GET api/v1/processes` (100, newest first), unfiltered and with each filter
  the page offers (status, scenarioId, eventType, from/to), and a member's own first page;
- `GET api/v1/processes/stats` for 24 hours and for 168 hours (the SQL aggregate and the three
  percentile queries of `adapters/sqlite/processes.py`).

Prints the command, the machine and a Markdown table.
"""

from __future__ import annotations

import argparse
import base64
import json
import platform
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from automations.adapters.local.runtime import build_runtime
from automations.adapters.sqlite.processes import _INSERT, _insert_params
from automations.asl.clock import VirtualClock
from automations.model.base import from_epoch
from automations.model.process import EventRef, Initiator, ProcessRecord, ProcessStatus
from automations.model.user import Role
from automations.settings import Settings

NOW = 1_767_323_045.0  # 2026-01-02T03:04:05Z
WEEK_SECONDS = 7 * 24 * 3600
EVENTS = ("$record.after.create", "$manual", "$webRequest", "$schedule")
STATUSES = (
    [ProcessStatus.COMPLETED] * 80
    + [ProcessStatus.ERROR] * 12
    + [ProcessStatus.ABORTED] * 3
    + [ProcessStatus.RUNNING] * 3
    + [ProcessStatus.QUEUED] * 2
)
ADMIN = ("admin@example.com", "admin-passw0rd")
MEMBER = ("member@example.com", "member-passw0rd")


def basic(login: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


def event(path: str, query: dict[str, str], auth: str) -> dict[str, Any]:
    headers = {"Authorization": auth, "Host": "localhost"}
    return {
        "resource": path,
        "path": path,
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} or None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {"path": path, "stage": "local", "httpMethod": "GET"},
        "body": None,
        "isBase64Encoded": False,
    }


def fill(runtime: Any, count: int, member_id: str) -> None:
    """`count` processes queued evenly over the week before NOW, oldest first."""
    rows = []
    for number in range(count):
        status = STATUSES[number % len(STATUSES)]
        ended = status in (ProcessStatus.COMPLETED, ProcessStatus.ERROR, ProcessStatus.ABORTED)
        queued = from_epoch(NOW - WEEK_SECONDS + number * WEEK_SECONDS / count)
        rows.append(
            _insert_params(
                ProcessRecord(
                    id=f"p{number:07d}",
                    scenario_id=f"scenario-{number % 10}",
                    scenario_version=1,
                    event=EventRef(id=f"e{number}", type=EVENTS[number % len(EVENTS)]),
                    initiator=Initiator(user_id=member_id if number % 10 == 0 else None),
                    input={"order": number, "total": number % 997},
                    status=status,
                    queued_at=queued,
                    started_at=queued,
                    finished_at=queued + timedelta(milliseconds=number % 5000) if ended else None,
                    duration_ms=(number * 7919) % 5000 if ended else None,
                )
            )
        )
    with runtime.db.transaction() as conn:
        conn.executemany(_INSERT, rows)


def median_ms(app: Any, request: dict[str, Any], runs: int) -> tuple[float, int]:
    """The median wall time of `runs` calls (after one warm-up) and the answer's item count."""
    answer = app.resolve(request, None)
    assert answer["statusCode"] == 200, answer["body"]
    body = json.loads(answer["body"])
    size = len(body) if isinstance(body, list) else len(body["hours"])
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        assert app.resolve(request, None)["statusCode"] == 200
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        runtime = build_runtime(
            Path(folder) / "bench.db", Settings(demo=False), clock=VirtualClock(start=NOW)
        )
        try:
            users = runtime.services.users
            users.create(*ADMIN, role=Role.ADMIN)
            member_id = users.create(*MEMBER).id
            started = time.perf_counter()
            fill(runtime, args.processes, member_id)
            filled = time.perf_counter() - started
            app = runtime.app()
            admin, member = basic(*ADMIN), basic(*MEMBER)
            day_ago = from_epoch(NOW - 24 * 3600).isoformat()
            two_days_ago = from_epoch(NOW - 48 * 3600).isoformat()
            cases = [
                ("first page (100), no filter", "/api/v1/processes", {}, admin),
                ("first page, status=error", "/api/v1/processes", {"status": "error"}, admin),
                (
                    "first page, scenarioId",
                    "/api/v1/processes",
                    {"scenarioId": "scenario-3"},
                    admin,
                ),
                (
                    "first page, eventType=$webRequest",
                    "/api/v1/processes",
                    {"eventType": "$webRequest"},
                    admin,
                ),
                (
                    "first page, from/to (one day)",
                    "/api/v1/processes",
                    {"from": two_days_ago, "to": day_ago},
                    admin,
                ),
                ("a member's first page (their own)", "/api/v1/processes", {}, member),
                ("stats, 24 hours", "/api/v1/processes/stats", {"hours": "24"}, admin),
                ("stats, 168 hours", "/api/v1/processes/stats", {"hours": "168"}, admin),
            ]
            print(
                f"$ .venv/bin/python bench/processes_page.py --processes {args.processes}"
                f" --runs {args.runs}"
            )
            print(
                f"{platform.processor() or platform.machine()}, Python {sys.version.split()[0]},"
                f" SQLite {__import__('sqlite3').sqlite_version};"
                f" {args.processes:,} processes written in {filled:.1f} s"
            )
            print()
            print("| call | items | median ms |")
            print("|---|---:|---:|")
            for name, path, query, auth in cases:
                ms, size = median_ms(app, event(path, query, auth), args.runs)
                print(f"| {name} | {size} | {ms:.1f} |")
        finally:
            runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
