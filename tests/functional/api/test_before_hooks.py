"""Before-hooks on the local runtime, through the API: every `$record.before.*` process sees
`$values` and `$prevValues` (the record as stored; `{}` before a create), a veto written against
`$prevValues` refuses a delete, and a hook whose process fails refuses the write with nothing
written."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.model.process import ProcessRecord, ProcessStatus
from automations.model.user import Role
from automations.ports import ProcessQuery
from automations.settings import Settings
from support.api import proxy_event

LOGIN, PASSWORD = "admin@example.com", "pw"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()}
SCENARIO = Path(__file__).parent / "scenarios" / "veto-prev.bpmn"
BEFORE = ["$record.before.create", "$record.before.update", "$record.before.delete"]


class Client:
    """The local runtime's API, called in-process as the admin."""

    def __init__(self, runtime: LocalRuntime) -> None:
        self.runtime = runtime
        self.app: Any = runtime.app()

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        raw_body: str | None = None,
    ) -> tuple[int, Any]:
        event = proxy_event(method, path, body, headers=AUTH | (headers or {}), raw_body=raw_body)
        response = self.app.resolve(event, None)
        text = response.get("body") or ""
        return response["statusCode"], json.loads(text) if text else None

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = self.call(method, path, body)
        assert status == 200, answer
        return answer

    def records(self, catalog_id: str) -> list[dict[str, Any]]:
        return self.ok("GET", f"/api/v1/catalogs/{catalog_id}/records")  # type: ignore[no-any-return]

    def hook_runs(self, event_type: str) -> list[ProcessRecord]:
        found = self.runtime.automation.processes.find(ProcessQuery(scenario_id="veto-prev"))
        return [p for p in found if str(p.event.type) == event_type]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Client]:
    runtime = build_runtime(tmp_path / "hooks.db", Settings(demo=False))
    runtime.services.users.create(LOGIN, PASSWORD, role=Role.ADMIN)
    yield Client(runtime)
    runtime.close()


@pytest.fixture
def catalog(client: Client) -> str:
    fields = [
        {"name": "Title", "type": "text", "required": True},
        {"name": "Total", "type": "number"},
    ]
    catalog_id = str(
        client.ok("POST", "/api/v1/catalogs", {"name": "Orders", "fields": fields})["id"]
    )
    status, saved = client.call(
        "PUT",
        "/api/v1/scenarios/veto-prev",
        headers={"Content-Type": "application/xml"},
        raw_body=SCENARIO.read_text(encoding="utf-8"),
    )
    assert status == 200, saved
    client.ok(
        "POST",
        "/api/v1/subscriptions",
        {"catalogId": catalog_id, "events": BEFORE, "scenarioId": "veto-prev"},
    )
    return catalog_id


def test_each_before_event_sees_values_and_the_record_as_stored(
    client: Client, catalog: str
) -> None:
    record_id = client.ok(
        "POST", f"/api/v1/catalogs/{catalog}/records", {"values": {"1": "A", "2": 1}}
    )["id"]
    client.ok("PATCH", f"/api/v1/catalogs/{catalog}/records/{record_id}", {"values": {"2": 2}})
    client.ok("DELETE", f"/api/v1/catalogs/{catalog}/records/{record_id}")

    (create,) = client.hook_runs("$record.before.create")
    (update,) = client.hook_runs("$record.before.update")
    (delete,) = client.hook_runs("$record.before.delete")
    assert {p.status for p in (create, update, delete)} == {ProcessStatus.COMPLETED}
    seen = {
        kind: {k: p.input.get(k, "unset") for k in ("recordId", "values", "prevValues")}
        for kind, p in (("create", create), ("update", update), ("delete", delete))
    }
    assert seen == {
        "create": {"recordId": "unset", "values": {"1": "A", "2": 1}, "prevValues": {}},
        "update": {"recordId": record_id, "values": {"2": 2}, "prevValues": {"1": "A", "2": 1}},
        "delete": {
            "recordId": record_id,
            "values": {"1": "A", "2": 2},
            "prevValues": {"1": "A", "2": 2},
        },
    }


def test_a_delete_vetoed_on_prev_values_is_refused_and_the_record_stays(
    client: Client, catalog: str
) -> None:
    record_id = client.ok("POST", f"/api/v1/catalogs/{catalog}/records", {"values": {"1": "keep"}})[
        "id"
    ]

    status, refused = client.call("DELETE", f"/api/v1/catalogs/{catalog}/records/{record_id}")

    assert (status, refused["message"]) == (403, "Records titled keep stay as they are")
    assert [r["values"] for r in client.records(catalog)] == [{"1": "keep"}]
    (veto,) = client.hook_runs("$record.before.delete")
    assert veto.output is not None and veto.output["response"]["status"] == 403


@pytest.mark.parametrize("write", ["create", "update"])
def test_a_hook_whose_process_fails_refuses_the_write_and_nothing_is_written(
    client: Client, catalog: str, write: str
) -> None:
    if write == "create":
        status, refused = client.call(
            "POST", f"/api/v1/catalogs/{catalog}/records", {"values": {"1": "explode", "2": 1}}
        )
        expected: list[dict[str, Any]] = []
    else:
        record_id = client.ok(
            "POST", f"/api/v1/catalogs/{catalog}/records", {"values": {"1": "A"}}
        )["id"]
        status, refused = client.call(
            "PATCH",
            f"/api/v1/catalogs/{catalog}/records/{record_id}",
            {"values": {"1": "explode", "2": 9}},
        )
        expected = [{"1": "A"}]

    assert status == 403
    (failed,) = client.hook_runs(f"$record.before.{write}")
    assert failed.status is ProcessStatus.ERROR
    assert failed.error is not None and failed.error.element == "Break"
    assert failed.id in refused["message"] and "failed" in refused["message"]
    assert [r["values"] for r in client.records(catalog)] == expected
