"""A burst of 1,000 record writes with a subscribed scenario and a limit of 10 processes at once:
1,000 completed processes, never more than 10 running, none lost or duplicated."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from support.devserver import ADMIN, StartDev

WRITES = 1000
LIMIT = 10


def test_a_burst_of_writes_runs_within_the_limit(dev_server: StartDev) -> None:
    dev = dev_server(max_running=LIMIT)
    dev.save_scenario("record-echo")
    catalog = dev.catalog()
    dev.subscribe(catalog, "record-echo", ["$record.after.create"])
    started = time.monotonic()

    def write(batch: range) -> list[str]:
        with httpx.Client(base_url=dev.url, auth=ADMIN, timeout=60) as client:
            return [
                client.post(
                    f"/api/v1/catalogs/{catalog}/records", json={"values": {"1": f"r{i}"}}
                ).json()["id"]
                for i in batch
            ]

    with ThreadPoolExecutor(8) as pool:
        ids = [
            i for chunk in pool.map(write, [range(k, WRITES, 8) for k in range(8)]) for i in chunk
        ]
    assert len(set(ids)) == WRITES

    def all_done() -> bool:
        counters = dev.ok("GET", "/api/v1/metrics")
        assert counters["running"] <= LIMIT
        return bool(
            counters["running"] == 0 and counters["queued"] == 0 and counters["finished"] >= WRITES
        )

    dev.wait_for(all_done, timeout=60, what="every process to finish")
    elapsed = time.monotonic() - started
    processes = dev.processes(scenarioId="record-echo", status="completed")
    assert len(processes) == WRITES
    assert sorted(p["input"]["recordId"] for p in processes) == sorted(ids)
    assert len({p["id"] for p in processes}) == WRITES
    counters = dev.ok("GET", "/api/v1/metrics")
    assert 1 <= counters["maxRunningSeen"] <= LIMIT
    assert counters["finished"] == WRITES
    assert elapsed < 60
