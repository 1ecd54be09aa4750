"""Benchmark of `automations dev` over real HTTP: after-events dispatched per second, and the
round trip of a web request running a three-step synchronous scenario with many in flight.

    .venv/bin/python bench/dispatch.py [--events 5000] [--requests 3000] [--concurrency 50]

What is measured (`automations dev` in a subprocess, with `--processes` server processes, one
per core unless said, on a fresh SQLite file in a temporary folder):

- Dispatch: `--events` `$record.after.create` events are put into the outbox in one transaction
  (as a burst of writes leaves them), for a catalog with one subscription to
  `bench/scenarios/after-event.bpmn`. Timed from that commit until the outbox is empty (every
  event has its process stored), and until every process has completed. The dispatcher's poll
  interval is set to 10 ms for the run (a write through the server wakes it at once instead).
- Web requests: `--requests` GETs of `/api/webrequest/bench?n=..` whose scenario is
  `bench/scenarios/three-steps-sync.bpmn` (three assignments, EXPRESS machine), sent by
  `--concurrency` client threads with keep-alive connections, after a warm-up. Latency of each
  request as the client sees it: p50, p99, max, and requests per second.

Prints the command and a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.outbox import insert_event
from automations.model.base import from_epoch
from automations.model.event import ChangeEvent, EventType

HERE = Path(__file__).parent
ADMIN = ("bench@example.com", "bench")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(folder: Path, port: int, workers: int, processes: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOMATIONS_")}
    env |= {
        "AUTOMATIONS_ADMIN_EMAIL": ADMIN[0],
        "AUTOMATIONS_ADMIN_PASSWORD": ADMIN[1],
        "AUTOMATIONS_DEMO": "false",
        "AUTOMATIONS_DISPATCH_POLL_SECONDS": "0.01",
        "AUTOMATIONS_API_WORKERS": str(workers),
        "AUTOMATIONS_SERVER_PROCESSES": str(processes),
    }
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "automations.cli",
            "dev",
            "--port",
            str(port),
            "--db",
            str(folder / "bench.db"),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if (
                httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=1).status_code
                == 200
            ):
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the server did not start; see " + str(folder / "server.log"))


def setup(client: httpx.Client) -> str:
    for name in ("three-steps-sync", "after-event"):
        text = (HERE / "scenarios" / f"{name}.bpmn").read_text(encoding="utf-8")
        client.put(
            f"/api/v1/scenarios/{name}", content=text, headers={"Content-Type": "application/xml"}
        ).raise_for_status()
    catalog = client.post(
        "/api/v1/catalogs", json={"name": "Bench", "fields": [{"name": "T", "type": "text"}]}
    ).json()["id"]
    client.post(
        "/api/v1/subscriptions",
        json={
            "catalogId": catalog,
            "events": ["$record.after.create"],
            "scenarioId": "after-event",
        },
    ).raise_for_status()
    client.post(
        "/api/v1/webrequests", json={"urlId": "bench", "scenarioId": "three-steps-sync"}
    ).raise_for_status()
    return str(catalog)


def bench_dispatch(
    db_path: Path, client: httpx.Client, catalog: str, events: int
) -> dict[str, float]:
    db = Database(db_path)
    now = from_epoch(time.time())
    with db.transaction() as conn:
        for i in range(events):
            insert_event(
                conn,
                ChangeEvent(
                    id=uuid.uuid4().hex,
                    type=EventType.AFTER_CREATE,
                    catalog_id=catalog,
                    record_id=str(1_000_000 + i),
                    values={"1": f"r{i}"},
                    created_at=now,
                ),
            )
    committed = time.perf_counter()
    delivered_at = completed_at = 0.0
    while not completed_at:
        pending = (
            db.connection()
            .execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL")
            .fetchone()[0]
        )
        if not pending and not delivered_at:
            delivered_at = time.perf_counter()
        done = (
            db.connection()
            .execute(
                "SELECT COUNT(*) FROM processes"
                " WHERE status = 'completed' AND scenario_id = 'after-event'"
            )
            .fetchone()[0]
        )
        if done >= events:
            completed_at = time.perf_counter()
        time.sleep(0.005)
    db.close()
    return {
        "dispatched": events / (delivered_at - committed),
        "completed": events / (completed_at - committed),
        "seconds": completed_at - committed,
    }


def bench_web(port: int, requests: int, concurrency: int) -> dict[str, Any]:
    """With `wrk` on PATH (Debian package `wrk`), a C load generator measures; else a Python
    asyncio client, whose own CPU use shares the machine and adds to what it measures."""
    if shutil.which("wrk"):
        return bench_web_wrk(port, requests, concurrency)
    return asyncio.run(_bench_web(port, requests, concurrency))


def bench_web_wrk(port: int, requests: int, concurrency: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/api/webrequest/bench?n=21"
    reply = httpx.get(url, timeout=70)
    if reply.status_code != 200 or reply.json()["doubled"] != 42:
        raise SystemExit(f"unexpected answer {reply.status_code}: {reply.text[:200]}")
    # wrk runs for a time, not a count: aim at about `requests` from a warm-up's rate.
    warm = _wrk(url, concurrency, 2)
    seconds = max(3, round(requests / max(warm["rps"], 1)))
    return _wrk(url, concurrency, seconds)


def _wrk(url: str, concurrency: int, seconds: int) -> dict[str, Any]:
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--latency", "--timeout", "70s"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit("wrk saw failed requests:\n" + out)
    percentile = dict(re.findall(r"^\s+(\d+)%\s+(\S+)$", out, re.MULTILINE))
    latency = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", out)
    count = re.search(r"(\d+) requests in", out)
    rps = re.search(r"Requests/sec:\s+(\S+)", out)
    assert latency and count and rps, out
    return {
        "p50": _ms(percentile["50"]),
        "p99": _ms(percentile["99"]),
        "max": _ms(latency.group(1)),
        "rps": float(rps.group(1)),
        "count": float(count.group(1)),
        "client": "wrk",
    }


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


async def _bench_web(port: int, requests: int, concurrency: int) -> dict[str, Any]:
    """`concurrency` tasks of one asyncio client, one keep-alive connection each: a client on
    one thread, so its own scheduling does not add to the latencies it measures."""
    url = f"http://127.0.0.1:{port}/api/webrequest/bench"
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=70, limits=limits) as client:

        async def worker(first: int, count: int) -> list[float]:
            seen: list[float] = []
            for i in range(first, first + count):
                began = time.perf_counter()
                reply = await client.get(url, params={"n": i})
                seen.append(time.perf_counter() - began)
                if reply.status_code != 200 or reply.json()["doubled"] != 2 * i:
                    raise SystemExit(
                        f"unexpected answer to n={i} {reply.status_code}: {reply.text[:200]}"
                    )
            return seen

        # Warm-up: definitions parsed, connections and server worker threads made.
        await asyncio.gather(*(worker(k * 5, 5) for k in range(concurrency)))
        per_worker = requests // concurrency
        began = time.perf_counter()
        runs = await asyncio.gather(
            *(worker(k * per_worker, per_worker) for k in range(concurrency))
        )
        elapsed = time.perf_counter() - began
    ordered = sorted(latency for run in runs for latency in run)
    return {
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "max": ordered[-1] * 1000,
        "rps": len(ordered) / elapsed,
        "count": len(ordered),
        "client": "asyncio httpx",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--api-workers", type=int, default=16, help="AUTOMATIONS_API_WORKERS")
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="server processes (AUTOMATIONS_SERVER_PROCESSES; default: one per core)",
    )
    args = parser.parse_args()
    n = args.concurrency
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        server = start_server(Path(folder), port, args.api_workers, args.processes)
        try:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}", auth=ADMIN, timeout=60
            ) as client:
                catalog = setup(client)
                dispatch = bench_dispatch(Path(folder) / "bench.db", client, catalog, args.events)
            web = bench_web(port, args.requests, args.concurrency)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(15)
    command = " ".join(
        f"--{k} {v}"
        for k, v in (
            ("events", args.events),
            ("requests", args.requests),
            ("concurrency", n),
            ("api-workers", args.api_workers),
            ("processes", args.processes),
        )
    )
    print(f"`python bench/dispatch.py {command}`")
    print(
        f"({platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs)"
    )
    rows = [
        ("after-events dispatched (outbox → processes stored)", f"{dispatch['dispatched']:,.0f}/s"),
        (
            "after-event processes completed",
            f"{dispatch['completed']:,.0f}/s ({args.events} in {dispatch['seconds']:.1f} s)",
        ),
        (f"web request, 3-step sync scenario, {n} in flight: p50", f"{web['p50']:.1f} ms"),
        ("same: p99", f"{web['p99']:.1f} ms"),
        ("same: max", f"{web['max']:.1f} ms"),
        ("same: throughput", f"{web['rps']:,.0f} requests/s ({web['count']:.0f} requests)"),
        ("same: load generator", str(web["client"])),
    ]
    print("\n| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
