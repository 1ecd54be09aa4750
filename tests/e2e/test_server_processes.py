"""`automations dev` with two server processes on one port: both serve (requests, record writes,
web requests that wait and that do not), background work is done once, by the primary, and the
worker dies with the primary when it is killed (and is started again when it dies alone)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from support.devserver import StartDev


def children(pid: int) -> list[int]:
    """The worker processes the primary spawned."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in status and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


def sockets(pid: int) -> int:
    folder = Path(f"/proc/{pid}/fd")
    count = 0
    for fd in folder.iterdir():
        try:
            count += os.readlink(fd).startswith("socket:")
        except OSError:
            continue
    return count


def lands_on(url: str, pid: int) -> bool:
    """Whether a new keep-alive connection to `url` is held by the process `pid`."""
    base = sockets(pid)
    with httpx.Client(base_url=url, timeout=10) as client:
        client.get("/api/v1/openapi.json")
        return sockets(pid) > base


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_two_server_processes_share_the_port_and_the_work(dev_server: StartDev) -> None:
    dev = dev_server(server_processes=2)
    assert dev.proc is not None
    primary = dev.proc.pid
    workers = dev.wait_for(lambda: children(primary), what="the worker process")
    assert len(workers) == 1
    worker = workers[0]
    dev.save_scenario("web-echo")
    dev.save_scenario("record-echo")
    dev.ok("POST", "/api/v1/webrequests", json={"urlId": "echo", "scenarioId": "web-echo"})
    catalog = dev.catalog()
    dev.subscribe(catalog, "record-echo", ["$record.after.create"])
    # The worker is alive before it accepts: wait until a new connection can land on it (on a
    # loaded machine the primary otherwise takes every connection of the test below).
    dev.wait_for(lambda: lands_on(dev.url, worker), what="the worker accepting connections")
    before = {pid: sockets(pid) for pid in (primary, worker)}

    # Twenty connections kept open: the kernel spreads them over both processes.
    clients = [httpx.Client(base_url=dev.url, auth=dev.client.auth, timeout=30) for _ in range(20)]
    try:
        answers = [
            c.post(f"/api/webrequest/echo?i={i}", json={"i": i}) for i, c in enumerate(clients)
        ]
        served = {pid: sockets(pid) - before[pid] for pid in (primary, worker)}
        created = [
            c.post(f"/api/v1/catalogs/{catalog}/records", json={"values": {"1": f"r{i}"}})
            for i, c in enumerate(clients)
        ]
        queued = [c.get(f"/api/webrequest/echo?async=true&i={i}") for i, c in enumerate(clients)]
    finally:
        for client in clients:
            client.close()

    assert served[primary] >= 1 and served[worker] >= 1, served
    assert [a.status_code for a in answers] == [201] * 20
    assert [a.json()["body"] for a in answers] == [{"i": i} for i in range(20)]
    assert [c.status_code for c in created] == [200] * 20
    assert [q.status_code for q in queued] == [202] * 20

    echoes = dev.finished("record-echo", 20)
    assert sorted(p["input"]["values"]["1"] for p in echoes) == sorted(f"r{i}" for i in range(20))
    assert {p["status"] for p in echoes} == {"completed"}
    async_ids = {q.json()["processId"] for q in queued}
    dev.wait_for(
        lambda: all(dev.process(i)["status"] == "completed" for i in async_ids),
        what="the queued web requests",
    )
    web = dev.processes(scenarioId="web-echo")
    assert len(web) == 40 and len({p["id"] for p in web}) == 40  # each ran once

    os.kill(worker, signal.SIGKILL)  # a worker that dies is started again
    replaced = dev.wait_for(
        lambda: [pid for pid in children(primary) if pid != worker], what="a new worker"
    )
    assert len(replaced) == 1
    worker = replaced[0]
    dev.wait_for(lambda: sockets(worker) >= 1, what="the new worker to listen")
    again = [httpx.get(f"{dev.url}/api/webrequest/echo?i={i}", timeout=10) for i in range(10)]
    assert [a.status_code for a in again] == [201] * 10

    os.kill(primary, signal.SIGKILL)
    try:
        dev.wait_for(lambda: not alive(worker), timeout=10, what="the worker to die with it")
    finally:
        if alive(worker):
            os.kill(worker, signal.SIGKILL)
    time.sleep(0.2)
    try:
        httpx.get(f"{dev.url}/api/v1/openapi.json", timeout=2)
        answered = True
    except httpx.HTTPError:
        answered = False
    assert not answered  # nothing is left serving the port
