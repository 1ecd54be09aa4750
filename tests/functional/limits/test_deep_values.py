"""Values nesting deeper than the JSON depth limit never reach a stored process: an expression
building one ends the process `Process.DataTooDeep`, a component reading one fails with a code
the scenario can catch. Whatever ended so is stored and reads back."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.model.process import FINAL_STATUSES, ProcessRecord, ProcessStatus
from automations.ports import ProcessQuery
from automations.service.manual import run_manual
from automations.service.scenarios import save_scenario
from automations.settings import Settings

HERE = Path(__file__).parent


class DeepReplies(BaseHTTPRequestHandler):
    """Answers JSON nesting `?levels=N` deep."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        levels = int(parse_qs(urlsplit(self.path).query)["levels"][0])
        body = b'{"v": ' + b"[" * (levels - 1) + b"]" * (levels - 1) + b"}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), DeepReplies)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("AUTOMATIONS_HTTP_ALLOW_HOSTS", "127.0.0.1")
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalRuntime]:
    built = build_runtime(tmp_path / "deep.db", Settings(demo=False))
    for name in ("deep-output", "deep-reply"):
        save_scenario(built.automation.scenarios, name, (HERE / f"{name}.bpmn").read_text())
    yield built
    built.close()


def stored(runtime: LocalRuntime, process: ProcessRecord) -> dict[str, Any]:
    """The process as the store reads it back (and the list, which must not break on it), as
    the API shows it (times to the millisecond, as stored)."""
    found = runtime.automation.processes.get(process.id)
    assert process.id in [p.id for p in runtime.automation.processes.find(ProcessQuery())]
    return found.model_dump(mode="json")


def shown(process: ProcessRecord) -> dict[str, Any]:
    return process.model_dump(mode="json")


@pytest.mark.parametrize("levels", [65, 300, 5000])
def test_an_expression_building_too_deep_a_value_ends_data_too_deep(
    runtime: LocalRuntime, levels: int
) -> None:
    process = run_manual(
        runtime.automation.processes, "deep-output", {"levels": levels}, user_id=None
    )

    assert process.status is ProcessStatus.ERROR
    assert process.error is not None and process.error.code == "Process.DataTooDeep"
    assert process.error.message.startswith(
        "variable $deep nests deeper than the 64 levels allowed (at $deep.a.a.a.a.a.a…;"
    )
    assert process.output is None
    assert stored(runtime, process) == shown(process)


def test_a_value_at_the_limit_is_kept(runtime: LocalRuntime) -> None:
    process = run_manual(runtime.automation.processes, "deep-output", {"levels": 64}, user_id=None)
    assert process.status is ProcessStatus.COMPLETED
    assert stored(runtime, process)["output"] == process.output


def test_a_background_run_ends_data_too_deep_too(runtime: LocalRuntime) -> None:
    queued = run_manual(
        runtime.automation.processes, "deep-output", {"levels": 100}, user_id=None, wait=False
    )
    process = runtime.automation.processes.get(queued.id)
    deadline = time.monotonic() + 60
    while process.status not in FINAL_STATUSES and time.monotonic() < deadline:
        time.sleep(0.02)
        process = runtime.automation.processes.get(queued.id)

    assert (process.status, process.error and process.error.code) == (
        ProcessStatus.ERROR,
        "Process.DataTooDeep",
    )


def test_a_reply_nesting_too_deep_is_an_error_the_scenario_catches(
    runtime: LocalRuntime, server: str
) -> None:
    process = run_manual(
        runtime.automation.processes,
        "deep-reply",
        {"url": f"{server}/?levels=100000"},
        user_id=None,
    )

    assert process.status is ProcessStatus.COMPLETED
    assert process.output is not None and process.output["caught"] == "http.too_deep"
    assert [step.element for step in process.trace] == ["Start", "Fetch", "Refused", "Caught"]
    assert stored(runtime, process) == shown(process)


def test_a_reply_at_the_limit_is_the_result(runtime: LocalRuntime, server: str) -> None:
    process = run_manual(
        runtime.automation.processes, "deep-reply", {"url": f"{server}/?levels=64"}, user_id=None
    )

    assert process.status is ProcessStatus.COMPLETED
    assert process.output is not None and process.output["caught"] is None
    assert process.output["reply"] == {"v": json.loads("[" * 63 + "]" * 63)}
    assert stored(runtime, process)["output"] == process.output
