"""The processes page: filters and server-side paging over many processes, the charts, and one
process's page: a failed one with its error code, a waiting one stopped from the browser."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx

from support.devserver import SCENARIOS, Dev
from support.web_pages import Shot

EXAMPLES = Path(__file__).parents[3] / "examples"
PAGE = 50  # the page's limit


def save(web_server: Dev, source: Path, scenario_id: str) -> None:
    web_server.ok(
        "PUT",
        f"/api/v1/scenarios/{scenario_id}",
        content=source.read_text(encoding="utf-8"),
        headers={"Content-Type": "application/xml"},
    )


def shown_ids(page: Any) -> list[str]:
    rows = page.get_by_test_id("processes").locator("tr[data-process]")
    return [rows.nth(i).get_attribute("data-process") for i in range(rows.count())]


def test_filters_and_paging_follow_the_server(admin_page: Any, web_server: Dev, shot: Shot) -> None:
    page = admin_page
    scenario = f"sum-{uuid.uuid4().hex[:6]}"
    save(web_server, SCENARIOS / "manual-sum.bpmn", scenario)
    run = f"/api/v1/scenarios/{scenario}/run"
    with httpx.Client(base_url=web_server.url, auth=web_server.client.auth, timeout=30) as client:
        for index in range(PAGE + 7):
            assert client.post(run, json={"input": {"a": index, "b": 1}}).status_code == 200
        for _ in range(3):  # "x" + 1 fails: three processes in error
            client.post(run, json={"input": {"a": "x", "b": 1}})
    expected = web_server.processes(scenarioId=scenario)
    assert len(expected) == PAGE + 10

    page.goto(f"/processes?scenarioId={scenario}")
    page.get_by_test_id("processes").wait_for()
    assert shown_ids(page) == [p["id"] for p in expected[:PAGE]]
    assert page.locator(".pager-range").inner_text() == f"rows 1–{PAGE}"
    hourly = page.get_by_test_id("chart-hourly")
    assert hourly.get_attribute("data-total") == str(PAGE + 10)
    assert hourly.locator("rect.fill-error").count() >= 1
    page.get_by_test_id("chart-durations").locator("text", has_text="p99").wait_for()
    shot(page, "first-page")

    page.get_by_role("button", name="Next").click()
    page.locator(".pager-range", has_text=f"rows {PAGE + 1}–{PAGE + 10}").wait_for()
    assert shown_ids(page) == [p["id"] for p in expected[PAGE:]]
    assert "offset=50" in page.url
    assert page.get_by_role("button", name="Next").is_disabled()
    shot(page, "second-page")

    page.locator('select[name="status"]').select_option("error")
    page.locator(".pager-range", has_text="rows 1–3").wait_for()
    errors = [p["id"] for p in expected if p["status"] == "error"]
    assert shown_ids(page) == errors
    assert "offset" not in page.url and "status=error" in page.url
    shot(page, "status-error")

    page.locator('select[name="status"]').select_option("")
    page.locator('select[name="eventType"]').select_option("$webRequest")
    page.get_by_text("No processes match.").wait_for()
    page.locator('select[name="eventType"]').select_option("$manual")
    page.locator(".pager-range", has_text=f"rows 1–{PAGE}").wait_for()

    # Queued after the newest one: nothing; a reload keeps every filter from the address.
    newest = expected[0]["queuedAt"]
    page.goto(f"/processes?scenarioId={scenario}&from={newest.replace('Z', '%2B00:00')}")
    page.locator(".pager-range", has_text="rows 1–1").wait_for()
    assert shown_ids(page) == [expected[0]["id"]]
    assert page.locator('select[name="scenarioId"]').input_value() == scenario


def test_a_failed_process_shows_its_error_and_retry_only_when_offered(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    page = admin_page
    scenario = f"fail-{uuid.uuid4().hex[:6]}"
    save(web_server, SCENARIOS / "manual-sum.bpmn", scenario)
    failed = web_server.ok(
        "POST", f"/api/v1/scenarios/{scenario}/run", json={"input": {"a": "x", "b": 1}}
    )
    assert failed["status"] == "error"

    page.goto(f"/processes/{failed['id']}")
    error = page.get_by_test_id("process-error")
    error.wait_for()
    assert failed["error"]["code"] in error.inner_text()
    assert "Add" in error.inner_text()  # the element it failed on
    page.locator('[data-testid=trace] tr.failed-row[data-element="Add"]').wait_for()
    document = httpx.get(f"{web_server.url}/api/v1/openapi.json").json()
    offered = "post" in document["paths"].get("/api/v1/processes/{processId}/retry", {})
    assert page.get_by_test_id("retry").count() == (1 if offered else 0)
    assert page.get_by_test_id("stop").count() == 0
    shot(page, "failed")


def test_a_waiting_process_refreshes_and_stops_from_its_page(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    page = admin_page
    scenario = f"wait-{uuid.uuid4().hex[:6]}"
    save(web_server, EXAMPLES / "reminder-timer.bpmn", scenario)
    started = web_server.ok(
        "POST", f"/api/v1/scenarios/{scenario}/run", json={"input": {}, "async": True}
    )
    web_server.wait_for(
        lambda: web_server.process(started["id"])["status"] == "running", what="a running process"
    )
    page.goto(f"/processes?scenarioId={scenario}")
    page.get_by_test_id("live").wait_for()  # the list polls while something runs
    page.get_by_test_id("processes").get_by_role("link").first.click()
    summary = page.get_by_test_id("process-summary")
    summary.locator(".badge", has_text="running").wait_for()
    shot(page, "running")

    page.get_by_test_id("stop").click()
    summary.locator(".badge", has_text="aborted").wait_for()
    assert web_server.process(started["id"])["status"] == "aborted"
    assert page.get_by_test_id("stop").count() == 0
    shot(page, "stopped")
