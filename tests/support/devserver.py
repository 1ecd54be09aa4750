"""A real `automations dev` in a subprocess: real socket, real SQLite file, a free port.

`dev_server(**settings)` starts one (settings become `AUTOMATIONS_*` variables), waits until it
answers, and kills it (and anything it started) at the end of the test. `Dev` wraps the calls
the tests make, with the admin's credentials.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

SCENARIOS = Path(__file__).resolve().parents[1] / "e2e" / "scenarios"
ADMIN = ("e2e@example.com", "e2e-secret")
READY_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Dev:
    """One running server and a client logged in as its admin."""

    db: Path
    port: int
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.url, auth=ADMIN, timeout=90)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- life ---------------------------------------------------------------------------------

    def start(self) -> Dev:
        command = [
            sys.executable,
            "-m",
            "automations.cli",
            "dev",
            "--port",
            str(self.port),
            "--db",
            str(self.db),
        ]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                command, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"automations dev exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/api/v1/openapi.json", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"automations dev did not answer:\n{self.log.read_text()[-3000:]}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, sig)  # its own session: nothing it started survives it
        self.proc.wait(15)

    # --- calls --------------------------------------------------------------------------------

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = self.client.request(method, path, **kwargs)
        assert answer.status_code < 300, (method, path, answer.status_code, answer.text)
        return answer.json() if answer.content else None

    def save_scenario(self, name: str, scenario_id: str | None = None) -> dict[str, Any]:
        text = (SCENARIOS / f"{name}.bpmn").read_text(encoding="utf-8")
        return self.ok(  # type: ignore[no-any-return]
            "PUT",
            f"/api/v1/scenarios/{scenario_id or name}",
            content=text,
            headers={"Content-Type": "application/xml"},
        )

    def catalog(self) -> str:
        fields = [
            {"name": "Title", "type": "text", "required": True},
            {"name": "Total", "type": "number"},
            {"name": "Status", "type": "dropdown", "config": {"items": [{"name": "new"}]}},
            {"name": "Note", "type": "text"},
        ]
        return str(
            self.ok("POST", "/api/v1/catalogs", json={"name": "E2E", "fields": fields})["id"]
        )

    def subscribe(
        self,
        catalog_id: str,
        scenario_id: str,
        events: list[str],
        fields: list[str] | None = None,
        active: bool = True,
    ) -> str:
        body = {
            "catalogId": catalog_id,
            "events": events,
            "fields": fields or [],
            "scenarioId": scenario_id,
            "active": active,
        }
        return str(self.ok("POST", "/api/v1/subscriptions", json=body)["id"])

    def create(self, catalog_id: str, values: dict[str, Any]) -> httpx.Response:
        return self.client.post(f"/api/v1/catalogs/{catalog_id}/records", json={"values": values})

    def processes(self, **query: Any) -> list[dict[str, Any]]:
        return self.ok("GET", "/api/v1/processes", params={"limit": 1000, **query})  # type: ignore[no-any-return]

    def process(self, process_id: str) -> dict[str, Any]:
        return self.ok("GET", f"/api/v1/processes/{process_id}")  # type: ignore[no-any-return]

    def wait_for(
        self, condition: Callable[[], Any], timeout: float = 20.0, what: str = "condition"
    ) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.1)

    def finished(self, scenario_id: str, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
        """Wait until `count` processes of the scenario are final; return them (full records)."""

        def done() -> list[dict[str, Any]] | None:
            listed = self.processes(scenarioId=scenario_id)
            final = [p for p in listed if p["status"] in ("completed", "error", "aborted")]
            return final if len(final) >= count else None

        final = self.wait_for(done, timeout, f"{count} finished processes of {scenario_id}")
        return [self.process(p["id"]) for p in final]


StartDev = Callable[..., Dev]


def starter(folder: Path, started: list[Dev]) -> StartDev:
    def start(db: Path | None = None, **settings: Any) -> Dev:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOMATIONS_")}
        env |= {
            "AUTOMATIONS_ADMIN_EMAIL": ADMIN[0],
            "AUTOMATIONS_ADMIN_PASSWORD": ADMIN[1],
            "AUTOMATIONS_DEMO": "false",
            "AUTOMATIONS_API_WORKERS": "8",
        }
        env |= {f"AUTOMATIONS_{k.upper()}": str(v) for k, v in settings.items()}
        dev = Dev(
            db=db or folder / "e2e.db",
            port=free_port(),
            env=env,
            log=folder / f"server{len(started)}.log",
        )
        started.append(dev)
        return dev.start()

    return start


def stop_all(started: list[Dev]) -> None:
    for dev in started:
        dev.kill()
        dev.client.close()
