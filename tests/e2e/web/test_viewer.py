"""The process diagram in real Chromium: the path a process took, drawn as canvas markers
(`visited`, `failed`, `running` on `g.djs-element[data-element-id=...]`)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from tests.e2e.web.conftest import Shot

from support.devserver import Dev

HEAD = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:auto="urn:automations:bpmn:1" id="D" targetNamespace="urn:viewer">'
)
# The address guard refuses loopback addresses: the task fails with a component error.
REFUSED_CALL = f"""{HEAD}
  <bpmn:process id="refused-call" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:serviceTask id="CallLoopback">
      <bpmn:extensionElements>
        <auto:component type="http.request"/>
        <auto:input name="url" value="http://127.0.0.1:9/orders"/>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="End"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="CallLoopback"/>
    <bpmn:sequenceFlow id="f2" sourceRef="CallLoopback" targetRef="End"/>
  </bpmn:process>
</bpmn:definitions>"""
WAITS_AN_HOUR = f"""{HEAD}
  <bpmn:process id="waits-an-hour" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:intermediateCatchEvent id="AnHour">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="End"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="AnHour"/>
    <bpmn:sequenceFlow id="f2" sourceRef="AnHour" targetRef="End"/>
  </bpmn:process>
</bpmn:definitions>"""


def marked(page: Any, element_id: str, marker: str) -> Any:
    return page.locator(f'g.djs-element[data-element-id="{element_id}"].{marker}')


def open_process(page: Any, process_id: str) -> None:
    page.goto(f"processes/{process_id}")
    page.locator("[data-testid=viewer] g.djs-element").first.wait_for()


def save(web_server: Dev, scenario_id: str, xml: str) -> None:
    web_server.ok(
        "PUT",
        f"/api/v1/scenarios/{scenario_id}",
        content=xml,
        headers={"Content-Type": "application/xml"},
    )


def test_a_completed_process_shows_visited_on_its_path_only(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    answer = web_server.client.get("/api/webrequest/quote", params={"total": 1500})
    assert answer.json()["discount"] == 150
    (done,) = [
        p for p in web_server.processes(scenarioId="demo-quote", status="completed", limit=1)
    ]
    open_process(admin_page, done["id"])
    for element in ("RequestReceived", "ReadTotal", "ChooseRate", "BigDiscount", "Answer"):
        marked(admin_page, element, "visited").wait_for()
    for element in ("NoTotal", "MediumDiscount", "NoDiscount", "Rejected"):
        expect(marked(admin_page, element, "visited")).to_have_count(0)
    expect(admin_page.locator("g.djs-element.failed")).to_have_count(0)
    admin_page.locator('g.djs-element[data-element-id="Answer"]').click()
    details = admin_page.locator("[data-testid=viewer-details]")
    expect(details).to_contain_text("Answer")
    expect(details).to_contain_text('"payable": 1350')
    shot(admin_page, "completed")


def test_a_failed_process_shows_failed_and_its_error_code_on_the_element(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    save(web_server, "refused-call", REFUSED_CALL)
    failed = web_server.ok("POST", "/api/v1/scenarios/refused-call/run", json={"input": {}})
    assert failed["status"] == "error"
    assert failed["error"]["code"] == "http.forbidden_address"
    open_process(admin_page, failed["id"])
    marked(admin_page, "CallLoopback", "failed").wait_for()
    marked(admin_page, "Start", "visited").wait_for()
    expect(marked(admin_page, "End", "visited")).to_have_count(0)
    expect(admin_page.locator("[data-testid=viewer-failed-code]")).to_have_text(
        "http.forbidden_address"
    )
    shot(admin_page, "failed")


def test_a_process_waiting_on_a_timer_shows_running_on_the_timer(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    save(web_server, "waits-an-hour", WAITS_AN_HOUR)
    waiting = web_server.ok(
        "POST", "/api/v1/scenarios/waits-an-hour/run", json={"input": {}, "async": True}
    )
    web_server.wait_for(
        lambda: web_server.process(waiting["id"])["status"] == "running", what="a running process"
    )
    open_process(admin_page, waiting["id"])
    shot(admin_page, "running")
    expect(marked(admin_page, "AnHour", "running")).to_have_count(1, timeout=5000)
    marked(admin_page, "Start", "visited").wait_for()
