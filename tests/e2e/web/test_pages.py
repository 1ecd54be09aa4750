"""Every page of the app opens without a console error and shows the server's data; records
created in the browser fire their processes; the card hook changes values as one types."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from support.devserver import SCENARIOS, Dev
from support.web_pages import Shot

EXAMPLES = Path(__file__).parents[3] / "examples"


def open_page(page: Any, path: str, heading: str) -> None:
    page.goto(f"/{path}")
    page.get_by_role("heading", name=heading, exact=True).wait_for()


def test_every_admin_page_opens_and_shows_its_data(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    page = admin_page
    schedule = web_server.ok(
        "POST",
        "/api/v1/schedules",
        json={"expression": "cron(15 6 * * ? *)", "scenarioId": "demo-quote"},
    )

    open_page(page, "scenarios", "Scenarios")
    page.get_by_test_id("scenarios").get_by_role("link", name="demo-quote").wait_for()
    shot(page, "scenarios")

    open_page(page, "processes", "Processes")
    page.get_by_test_id("chart-hourly").wait_for()
    shot(page, "processes")

    open_page(page, "subscriptions", "Subscriptions")
    row = page.get_by_test_id("subscriptions").locator("tr", has_text="demo-approve-order")
    row.get_by_text("Orders (demo)").wait_for()
    assert "after create" in row.inner_text()
    shot(page, "subscriptions")

    open_page(page, "webrequests", "Web requests")
    curl = page.get_by_test_id("curl").first
    assert curl.inner_text() == f"curl -s '{web_server.url}/api/webrequest/quote'"
    shot(page, "webrequests")

    open_page(page, "schedules", "Schedules")
    runs = page.locator(f'tr[data-schedule="{schedule["id"]}"] .next-runs li')
    runs.first.wait_for()
    assert runs.count() == 5
    shot(page, "schedules")

    open_page(page, "catalogs", "Catalogs")
    page.get_by_test_id("catalogs").get_by_role("link", name="Orders (demo)").click()
    page.get_by_role("heading", name="Orders (demo)").wait_for()
    page.get_by_test_id("records").or_(page.get_by_text("No records.")).first.wait_for()
    shot(page, "records")

    open_page(page, "users", "Users")
    page.get_by_test_id("users").get_by_text("e2e@example.com").wait_for()
    shot(page, "users")

    open_page(page, "scenarios/demo-quote", "Scenario demo-quote")
    page.locator(".editor-host .djs-container, [data-testid=editor-missing]").first.wait_for()
    shot(page, "scenario")


def test_a_record_created_in_the_browser_fires_its_process(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    page = admin_page
    title = f"Browser order {uuid.uuid4().hex[:6]}"
    open_page(page, "catalogs/1", "Orders (demo)")
    page.get_by_test_id("new-record").click()
    card = page.get_by_test_id("record-card")
    card.locator('input[name="field-1"]').fill(title)
    card.locator('input[name="field-2"]').fill("1500")
    shot(page, "record-card")
    card.get_by_role("button", name="Create record").click()
    page.get_by_test_id("records").get_by_text(title).wait_for()
    record_id = (
        page.get_by_test_id("records").locator("tr", has_text=title).get_attribute("data-record")
    )

    # demo-approve-order runs on the catalog's after-create event.
    open_page(page, "processes?scenarioId=demo-approve-order", "Processes")
    rows = page.get_by_test_id("processes").locator("tr[data-process]")
    rows.first.wait_for()
    first = rows.first
    assert "demo-approve-order" in first.inner_text()
    process_id = first.get_attribute("data-process")
    process = web_server.process(process_id)
    assert process["input"]["recordId"] == record_id
    shot(page, "processes-after-create")

    first.get_by_role("link").click()
    page.get_by_test_id("process-summary").get_by_text(process_id).wait_for()
    page.locator("[data-testid=process-summary] .badge", has_text="completed").wait_for()
    trace = page.get_by_test_id("trace")
    for step in web_server.process(process_id)["trace"]:
        assert trace.locator(f'tr[data-element="{step["element"]}"]').count() >= 1
    shot(page, "process")


def test_editing_a_card_shows_what_its_updating_hook_answers(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    page = admin_page
    catalog_id = web_server.catalog()
    web_server.save_scenario("card-updating")
    web_server.subscribe(catalog_id, "card-updating", ["$record.updating"])
    open_page(page, f"catalogs/{catalog_id}", "E2E")
    page.get_by_test_id("new-record").click()
    card = page.get_by_test_id("record-card")
    card.locator('input[name="field-2"]').fill("42")
    note = card.locator('input[name="field-4"]')
    page.wait_for_function(
        "el => el.value === 'Total is 42'", arg=note.element_handle(), timeout=10_000
    )
    assert "hook-changed" in (note.get_attribute("class") or "")
    card.get_by_test_id("hook-message").get_by_text("Note filled from 2").wait_for()
    shot(page, "card-hook")
    card.locator('input[name="field-1"]').fill("With a hook")
    card.get_by_role("button", name="Create record").click()
    page.get_by_test_id("records").get_by_text("Total is 42").wait_for()


def test_a_record_form_shows_the_servers_field_errors(admin_page: Any, shot: Shot) -> None:
    page = admin_page
    open_page(page, "catalogs/1", "Orders (demo)")
    page.get_by_test_id("new-record").click()
    card = page.get_by_test_id("record-card")
    card.locator('input[name="field-2"]').fill("12")
    card.get_by_role("button", name="Create record").click()
    # Title (field 1) is required in the demo catalog: its own error, under its own input.
    error = card.locator('[data-field="1"] .field-error')
    error.wait_for()
    assert error.inner_text()
    shot(page, "record-errors")


def test_a_bpmn_file_is_uploaded_and_downloaded_back(admin_page: Any, shot: Shot) -> None:
    page = admin_page
    source = EXAMPLES / "discount-calculator.bpmn"
    scenario_id = f"uploaded-{uuid.uuid4().hex[:6]}"
    open_page(page, "scenarios", "Scenarios")
    page.locator('input[type="file"]').set_input_files(str(source))
    page.locator('input[name="scenarioId"]').fill(scenario_id)
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_text(f"Saved {scenario_id} as version 1.").wait_for()
    row = page.locator(f'tr[data-scenario="{scenario_id}"]')
    row.wait_for()
    shot(page, "uploaded")

    with page.expect_download() as download:
        row.get_by_role("link", name=".bpmn").click()
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert saved == source.read_text(encoding="utf-8")
    assert download.value.suggested_filename == f"{scenario_id}.bpmn"

    page.get_by_placeholder("Search scenarios").fill(scenario_id)
    assert page.locator("tr[data-scenario]").count() == 1


def test_a_scenario_that_does_not_compile_is_refused_with_its_problems(
    admin_page: Any, tmp_path: Path, shot: Shot
) -> None:
    page = admin_page
    broken = tmp_path / "broken.bpmn"
    text = (SCENARIOS / "manual-sum.bpmn").read_text(encoding="utf-8")
    broken.write_text(text.replace("{% $a + $b %}", "{% $a + %}"), encoding="utf-8")
    open_page(page, "scenarios", "Scenarios")
    page.locator('input[type="file"]').set_input_files(str(broken))
    page.get_by_role("button", name="Upload", exact=True).click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Add" in alert.inner_text() and "JSONata" in alert.inner_text()
    shot(page, "upload-refused")
    assert page.locator('tr[data-scenario="broken"]').count() == 0


def test_the_users_form_shows_field_errors_then_creates_the_user(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    page = admin_page
    email = f"new-{uuid.uuid4().hex[:6]}@example.com"
    open_page(page, "users", "Users")
    form = page.get_by_test_id("new-user")
    form.locator('input[name="email"]').fill(email)
    form.locator('input[name="password"]').fill("short")
    form.get_by_role("button", name="Create user").click()
    error = form.locator('[data-field="password"] .field-error')
    error.wait_for()
    assert "8" in error.inner_text()  # the server's rule, in its words
    shot(page, "users-error")
    assert all(u["email"] != email for u in web_server.ok("GET", "/api/v1/users"))

    form.locator('input[name="password"]').fill("long-enough-password")
    form.get_by_role("button", name="Create user").click()
    page.locator(f'tr[data-user="{email}"]').wait_for()
    assert any(
        u["email"] == email and u["role"] == "member" for u in web_server.ok("GET", "/api/v1/users")
    )
