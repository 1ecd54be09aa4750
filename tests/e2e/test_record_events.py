"""The seven record events over real HTTP, their variables and what their results do; watched
fields, disabled subscriptions, the chain limit and the records components."""

from __future__ import annotations

from typing import Any

import pytest

from support.devserver import Dev

FINAL = ("completed", "error", "aborted")


@pytest.fixture(scope="module")
def dev(shared_dev: Dev) -> Dev:
    for name in ("record-echo", "guard", "card-updating", "chain", "records-roundtrip"):
        shared_dev.save_scenario(name)
    return shared_dev


def of_type(processes: list[dict[str, Any]], event_type: str) -> list[dict[str, Any]]:
    return [p for p in processes if p["event"]["type"] == event_type]


def test_after_events_start_a_process_each_with_the_documented_variables(dev: Dev) -> None:
    catalog = dev.catalog()
    sub = dev.subscribe(
        catalog,
        "record-echo",
        ["$record.after.create", "$record.after.update", "$record.after.delete"],
    )
    record_id = dev.create(catalog, {"1": "Order", "2": 5}).json()["id"]
    dev.ok("PATCH", f"/api/v1/catalogs/{catalog}/records/{record_id}", json={"values": {"2": 6}})
    dev.ok("DELETE", f"/api/v1/catalogs/{catalog}/records/{record_id}")
    mine = [p for p in dev.finished("record-echo", 3) if p["input"].get("catalogId") == catalog]
    created, updated, deleted = (
        of_type(mine, f"$record.after.{kind}")[0] for kind in ("create", "update", "delete")
    )
    for process, kind in ((created, "create"), (updated, "update"), (deleted, "delete")):
        assert process["status"] == "completed"
        assert process["scenarioId"] == "record-echo" and process["scenarioVersion"] == 1
        assert process["subscriptionId"] == sub
        assert process["event"] == {"id": sub, "type": f"$record.after.{kind}", "async": True}
        assert process["initiator"]["userId"] is not None
        assert process["depth"] == 0
        variables = process["input"]
        assert variables["event"] == process["event"]
        assert variables["script"] == {"id": "record-echo"}
        assert variables["user"] == {"id": process["initiator"]["userId"]}
        assert (variables["catalogId"], variables["recordId"]) == (catalog, record_id)
        assert process["output"]["seenType"] == f"$record.after.{kind}"
        assert process["output"]["seenScript"] == "record-echo"
        assert process["error"] is None
        assert [step["element"] for step in process["trace"]] == ["Start", "Note", "End"]
        assert all(step["exitedAt"] is not None for step in process["trace"])
        assert process["queuedAt"] <= process["startedAt"] <= process["finishedAt"]
        assert isinstance(process["durationMs"], int)
    assert created["input"]["values"] == {"1": "Order", "2": 5}
    assert "prevValues" not in created["input"]
    assert updated["input"]["values"] == {"2": 6}
    assert updated["input"]["prevValues"] == {"1": "Order", "2": 5}
    assert deleted["input"]["values"] == {"1": "Order", "2": 6}
    assert "prevValues" not in deleted["input"]


def test_before_events_veto_and_rewrite_writes(dev: Dev) -> None:
    catalog = dev.catalog()
    dev.subscribe(
        catalog,
        "guard",
        ["$record.before.create", "$record.before.update", "$record.before.delete"],
    )
    refused = dev.create(catalog, {"1": "bad", "2": -1})
    assert refused.status_code == 403
    assert refused.json()["message"] == "The total cannot be negative"
    assert dev.ok("GET", f"/api/v1/catalogs/{catalog}/records") == []

    record_id = dev.create(catalog, {"1": "keep", "2": 1}).json()["id"]
    stored = dev.ok("GET", f"/api/v1/catalogs/{catalog}/records/{record_id}")
    assert stored["values"]["1"] == "KEEP"  # rewritten by $response.body.values

    no_update = dev.client.patch(
        f"/api/v1/catalogs/{catalog}/records/{record_id}", json={"values": {"2": -5}}
    )
    assert no_update.status_code == 403
    no_delete = dev.client.delete(f"/api/v1/catalogs/{catalog}/records/{record_id}")
    assert (no_delete.status_code, no_delete.json()["message"]) == (403, "This record is kept")
    still = dev.ok("GET", f"/api/v1/catalogs/{catalog}/records/{record_id}")
    assert still["values"] == {"1": "KEEP", "2": 1}

    mine = [p for p in dev.processes(scenarioId="guard") if p["input"]["catalogId"] == catalog]
    create_runs = of_type(mine, "$record.before.create")
    assert {p["status"] for p in mine} == {"completed"}
    assert all(p["event"]["async"] is False for p in mine)
    veto = next(p for p in create_runs if p["input"]["values"]["2"] == -1)
    assert "recordId" not in veto["input"]  # no id before a create
    assert veto["output"]["response"]["status"] == 400
    updates = of_type(mine, "$record.before.update")
    assert all(p["input"]["recordId"] == record_id and "prevValues" in p["input"] for p in updates)
    deletes = of_type(mine, "$record.before.delete")
    assert deletes[0]["input"]["values"] == {"1": "KEEP", "2": 1}
    assert deletes[0]["output"]["response"]["status"] == 403


def test_updating_answers_new_card_values_and_a_message(dev: Dev) -> None:
    catalog = dev.catalog()
    dev.subscribe(catalog, "card-updating", ["$record.updating"], fields=["2"])
    record_id = dev.create(catalog, {"1": "Card", "2": 3}).json()["id"]
    answer = dev.ok(
        "POST",
        f"/api/v1/catalogs/{catalog}/records/{record_id}/updating",
        json={"values": {"2": 40}},
    )
    assert answer == {"values": {"4": "Total is 40"}, "message": "Note filled from 2"}
    new_card = dev.ok(
        "POST", f"/api/v1/catalogs/{catalog}/records/updating", json={"values": {"2": 7}}
    )
    assert new_card["values"] == {"4": "Total is 7"}
    untouched = dev.ok(  # the subscription watches field 2 only
        "POST",
        f"/api/v1/catalogs/{catalog}/records/{record_id}/updating",
        json={"values": {"1": "x"}},
    )
    assert untouched == {"values": {}, "message": None}
    stored = dev.ok("GET", f"/api/v1/catalogs/{catalog}/records/{record_id}")
    assert stored["values"] == {"1": "Card", "2": 3}  # nothing is stored
    runs = [
        p for p in dev.processes(scenarioId="card-updating") if p["input"]["catalogId"] == catalog
    ]
    with_id = next(p for p in runs if "recordId" in p["input"])
    assert with_id["input"]["allValues"] == {"1": "Card", "2": 40}
    assert with_id["input"]["values"] == {"2": 40}
    assert len(runs) == 2


def test_watched_fields_and_disabled_subscriptions(dev: Dev) -> None:
    catalog = dev.catalog()
    watching = dev.subscribe(catalog, "record-echo", ["$record.after.update"], fields=["4"])
    disabled = dev.subscribe(catalog, "record-echo", ["$record.after.update"], active=False)
    record_id = dev.create(catalog, {"1": "Watch", "2": 1}).json()["id"]
    path = f"/api/v1/catalogs/{catalog}/records/{record_id}"
    dev.ok("PATCH", path, json={"values": {"2": 2}})  # not a watched field
    dev.ok("PATCH", path, json={"values": {"4": "now"}})  # the watched field
    dev.wait_for(
        lambda: [
            p
            for p in dev.processes(scenarioId="record-echo")
            if p["input"]["catalogId"] == catalog and p["status"] == "completed"
        ],
        what="the watched-field process",
    )
    dev.ok("PATCH", f"/api/v1/subscriptions/{disabled}", json={"active": False})
    runs = [
        p for p in dev.processes(scenarioId="record-echo") if p["input"]["catalogId"] == catalog
    ]
    assert [p["subscriptionId"] for p in runs] == [watching]
    assert runs[0]["input"]["values"] == {"4": "now"}
    assert dev.ok("GET", f"/api/v1/subscriptions/{disabled}")["active"] is False


def test_a_chain_of_scenarios_stops_at_the_depth_limit(dev: Dev) -> None:
    catalog = dev.catalog()
    dev.subscribe(catalog, "chain", ["$record.after.update"], fields=["2"])
    record_id = dev.create(catalog, {"1": "Chain", "2": 0}).json()["id"]
    dev.ok("PATCH", f"/api/v1/catalogs/{catalog}/records/{record_id}", json={"values": {"2": 1}})
    runs = dev.wait_for(
        lambda: (
            found
            if len(
                found := [
                    p
                    for p in dev.processes(scenarioId="chain")
                    if p["input"]["catalogId"] == catalog
                ]
            )
            == 6
            and all(p["status"] in FINAL for p in found)
            else None
        ),
        what="six chain processes",
    )
    by_depth = sorted(runs, key=lambda p: p["depth"])
    assert [p["depth"] for p in by_depth] == [0, 1, 2, 3, 4, 5]
    assert [p["status"] for p in by_depth] == ["completed"] * 5 + ["error"]
    assert by_depth[-1]["error"]["code"] == "Process.ChainTooDeep"
    assert all(p["initiator"]["userId"] is None for p in by_depth[1:])  # written by processes
    record = dev.ok("GET", f"/api/v1/catalogs/{catalog}/records/{record_id}")
    assert record["values"]["2"] == 6


def test_records_components_work_on_the_real_stores(dev: Dev) -> None:
    catalog = dev.catalog()
    dev.create(catalog, {"1": "Seven", "2": 7})
    process = dev.ok(
        "POST", "/api/v1/scenarios/records-roundtrip/run", json={"input": {"catalog": catalog}}
    )
    assert process["status"] == "completed", process["error"]
    output = process["output"]
    assert output["titleName"] == "Title"
    assert output["madeTitle"] == "made by a process"
    assert output["foundTotal"] == 2 and len(output["foundIds"]) == 1
    assert output["goneCode"] == "records.not_found"
    assert (
        dev.ok("GET", f"/api/v1/catalogs/{catalog}/records", params={"limit": 10})[0]["title"]
        == "Seven"
    )
    assert process["initiator"]["userId"] is not None  # the admin ran it
    assert process["event"] == {"id": "manual", "type": "$manual", "async": False}
