"""Deleting a scenario from its page: one click asks, the second deletes and goes back to the
list; a scenario a trigger still starts stays, and the page says which trigger."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from tests.e2e.web.conftest import Shot
from tests.e2e.web.test_editor import open_saved

from support.devserver import Dev

BPMN = """<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
 id="D" targetNamespace="urn:delete"><bpmn:process id="{id}" isExecutable="true">
 <bpmn:startEvent id="Start"/><bpmn:endEvent id="End"/>
 <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="End"/></bpmn:process></bpmn:definitions>"""


def save(web_server: Dev, scenario_id: str) -> None:
    web_server.ok(
        "PUT",
        f"/api/v1/scenarios/{scenario_id}",
        content=BPMN.format(id=scenario_id),
        headers={"Content-Type": "application/xml"},
    )


def delete_from_page(page: Any) -> None:
    area = page.locator("[data-testid=scenario-delete]")
    area.get_by_role("button", name="Delete scenario").click()
    area.get_by_role("button", name="Yes, delete").click()


def test_a_scenario_nothing_uses_is_deleted_after_a_confirmation(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    save(web_server, "to-delete")
    open_saved(admin_page, "to-delete")
    area = admin_page.locator("[data-testid=scenario-delete]")
    area.get_by_role("button", name="Delete scenario").click()
    area.get_by_role("button", name="Cancel").click()  # changed their mind: nothing happens
    assert web_server.client.get("/api/v1/scenarios/to-delete").status_code == 200

    delete_from_page(admin_page)

    admin_page.wait_for_url("**/scenarios")
    assert web_server.client.get("/api/v1/scenarios/to-delete").status_code == 404
    expect(admin_page.get_by_text("to-delete", exact=True)).to_have_count(0)
    shot(admin_page, "list")


def test_a_scenario_a_web_request_starts_stays_and_the_page_names_it(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    save(web_server, "still-used")
    web_server.ok(
        "POST", "/api/v1/webrequests", json={"urlId": "still", "scenarioId": "still-used"}
    )
    open_saved(admin_page, "still-used")

    delete_from_page(admin_page)

    alert = admin_page.get_by_role("alert")
    expect(alert).to_contain_text("still used")
    expect(alert).to_contain_text("/api/webrequest/still")
    shot(admin_page, "refused")
    assert admin_page.url.endswith("/scenarios/still-used")
    assert web_server.client.get("/api/v1/scenarios/still-used").status_code == 200
