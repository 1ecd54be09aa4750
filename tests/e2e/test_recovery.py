"""SIGKILL the server while processes wait on timers, others are queued and events are pending;
start it again on the same file: nothing is lost, nothing runs twice, and the waiting processes
go on from their checkpoints."""

from __future__ import annotations

import signal
import time
from collections import Counter

from automations.adapters.sqlite.catalogs import SqliteCatalogStore
from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.outbox import SqliteChangeFeed
from automations.adapters.sqlite.processes import SqliteProcessStore
from automations.adapters.sqlite.records import SqliteRecordStore
from automations.asl.clock import RealClock
from automations.model.process import ProcessStatus
from automations.service.records import RecordDeps, create_record
from support.devserver import StartDev


def test_sigkill_loses_nothing_and_resumes_from_checkpoints(dev_server: StartDev) -> None:
    dev = dev_server(max_running=3)
    dev.save_scenario("wait-two-seconds")
    catalog = dev.catalog()
    dev.subscribe(catalog, "wait-two-seconds", ["$record.after.create"])
    online = [dev.create(catalog, {"1": f"online {i}"}).json()["id"] for i in range(6)]
    dev.wait_for(
        lambda: (m := dev.ok("GET", "/api/v1/metrics"))["running"] == 3 and m["queued"] == 3,
        what="three running and three queued",
    )
    waiting = {p["id"] for p in dev.processes(status="running")}
    time.sleep(0.5)  # they are inside their two-second timer now
    dev.kill(signal.SIGKILL)
    killed_at = time.time() * 1000

    # While the server is down, other writers leave events in the outbox.
    db = Database(dev.db)
    clock = RealClock()
    deps = RecordDeps(catalogs=SqliteCatalogStore(db), records=SqliteRecordStore(db), clock=clock)
    offline = [create_record(deps, catalog, {"1": f"offline {i}"}).id for i in range(4)]
    processes = SqliteProcessStore(db)
    left = (
        processes.count(ProcessStatus.RUNNING),
        processes.count(ProcessStatus.QUEUED),
        len(SqliteChangeFeed(db, clock).pending()),
    )
    db.close()
    assert left == (3, 3, 4)

    dev.start()
    runs = dev.finished("wait-two-seconds", 10, timeout=40)
    assert {p["status"] for p in runs} == {"completed"}
    per_record = Counter(p["input"]["recordId"] for p in runs)
    assert per_record == Counter(online + offline)  # each event started exactly one process
    assert len(dev.processes(scenarioId="wait-two-seconds")) == 10
    for process in runs:
        if process["id"] in waiting:
            output = process["output"]
            # Started before the kill and not started again: it went on from its checkpoint.
            assert output["startedAt"] < killed_at < output["endedAt"]
            assert [s["element"] for s in process["trace"]] == [
                "Start",
                "Before",
                "Wait",
                "After",
                "End",
            ]
    db = Database(dev.db)
    assert db.connection().execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0] == 0
    db.close()


def test_a_graceful_stop_leaves_running_processes_to_the_next_start(dev_server: StartDev) -> None:
    dev = dev_server()
    dev.save_scenario("wait-two-seconds")
    started = dev.ok("POST", "/api/v1/scenarios/wait-two-seconds/run", json={"async": True})
    dev.wait_for(lambda: dev.process(started["id"])["status"] == "running", what="running")
    dev.kill(signal.SIGTERM)  # Ctrl-C / a service manager: not a stop of the process
    dev.start()
    done = dev.wait_for(
        lambda: (p := dev.process(started["id"]))["status"] in ("completed", "aborted") and p,
        what="the resumed process",
    )
    assert done["status"] == "completed" and done["error"] is None
