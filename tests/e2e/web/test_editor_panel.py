"""The editor's own words and choices: the timer group offers only the timers the server runs
(bpmn/timers.py: a duration or a date, a boundary a duration; no cycle), and bpmn-js's palette
and context pad speak Russian when the UI does."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from tests.e2e.web.conftest import Shot
from tests.e2e.web.test_editor import (
    STATUS,
    entry,
    open_saved,
    save,
    select,
    stored,
    type_into,
)

from automations.service.scenarios import compile_bpmn
from support.devserver import Dev

TIMERS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
 xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
 xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
 id="D" targetNamespace="urn:timers">
 <bpmn:process id="{id}" isExecutable="true">
  <bpmn:startEvent id="Start"/>
  <bpmn:intermediateCatchEvent id="Wait">
   <bpmn:timerEventDefinition>{timer}</bpmn:timerEventDefinition>
  </bpmn:intermediateCatchEvent>
  <bpmn:serviceTask id="Work">
   <bpmn:extensionElements xmlns:auto="urn:automations:bpmn:1">
    <auto:component type="http.request"/><auto:input name="url" value="https://example.org/"/>
   </bpmn:extensionElements>
  </bpmn:serviceTask>
  <bpmn:boundaryEvent id="TooLong" attachedToRef="Work">
   <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
  </bpmn:boundaryEvent>
  <bpmn:endEvent id="End"/>
  <bpmn:endEvent id="Late"/>
  <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Wait"/>
  <bpmn:sequenceFlow id="f2" sourceRef="Wait" targetRef="Work"/>
  <bpmn:sequenceFlow id="f3" sourceRef="Work" targetRef="End"/>
  <bpmn:sequenceFlow id="f4" sourceRef="TooLong" targetRef="Late"/>
 </bpmn:process>
 <bpmndi:BPMNDiagram id="Di"><bpmndi:BPMNPlane id="P" bpmnElement="{id}">
  <bpmndi:BPMNShape id="Start_di" bpmnElement="Start"><dc:Bounds x="300" y="200" width="36" height="36"/></bpmndi:BPMNShape>
  <bpmndi:BPMNShape id="Wait_di" bpmnElement="Wait"><dc:Bounds x="400" y="200" width="36" height="36"/></bpmndi:BPMNShape>
  <bpmndi:BPMNShape id="Work_di" bpmnElement="Work"><dc:Bounds x="500" y="178" width="100" height="80"/></bpmndi:BPMNShape>
  <bpmndi:BPMNShape id="TooLong_di" bpmnElement="TooLong"><dc:Bounds x="532" y="240" width="36" height="36"/></bpmndi:BPMNShape>
  <bpmndi:BPMNShape id="End_di" bpmnElement="End"><dc:Bounds x="680" y="200" width="36" height="36"/></bpmndi:BPMNShape>
  <bpmndi:BPMNShape id="Late_di" bpmnElement="Late"><dc:Bounds x="680" y="320" width="36" height="36"/></bpmndi:BPMNShape>
  <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="336" y="218"/><di:waypoint x="400" y="218"/></bpmndi:BPMNEdge>
  <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="436" y="218"/><di:waypoint x="500" y="218"/></bpmndi:BPMNEdge>
  <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3"><di:waypoint x="600" y="218"/><di:waypoint x="680" y="218"/></bpmndi:BPMNEdge>
  <bpmndi:BPMNEdge id="f4_di" bpmnElement="f4"><di:waypoint x="550" y="276"/><di:waypoint x="550" y="338"/><di:waypoint x="680" y="338"/></bpmndi:BPMNEdge>
 </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>"""
DURATION = "<bpmn:timeDuration>PT10M</bpmn:timeDuration>"


def put(web_server: Dev, scenario_id: str, timer: str) -> None:
    web_server.ok(
        "PUT",
        f"/api/v1/scenarios/{scenario_id}",
        content=TIMERS.format(id=scenario_id, timer=timer),
        headers={"Content-Type": "application/xml"},
    )


def options(page: Any, entry_id: str) -> list[str]:
    values: list[str] = (
        entry(page, entry_id).locator("option").evaluate_all("nodes => nodes.map(n => n.value)")
    )
    return values


def test_the_timer_group_offers_only_what_the_server_runs(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    put(web_server, "panel-timers", DURATION)
    open_saved(admin_page, "panel-timers")

    select(admin_page, "Wait")
    assert options(admin_page, "auto-timer-kind") == ["timeDuration", "timeDate"]
    expect(entry(admin_page, "timerEventDefinitionType")).to_have_count(0)  # bpmn-js's own
    select(admin_page, "TooLong")
    assert options(admin_page, "auto-timer-kind") == ["timeDuration"]

    select(admin_page, "Wait")
    entry(admin_page, "auto-timer-kind").locator("select").select_option("timeDate")
    type_into(admin_page, "auto-timer-value", "2031-01-31T09:00:00Z")
    # The server's check of what the panel wrote: no problem left.
    expect(admin_page.locator(STATUS)).to_have_attribute("data-state", "valid", timeout=10_000)
    save(admin_page)
    shot(admin_page, "date")
    xml = stored(web_server, "panel-timers")
    assert "<bpmn:timeDate" in xml and "2031-01-31T09:00:00Z" in xml
    compile_bpmn(xml.encode())  # what the panel wrote compiles


def test_the_palette_and_context_pad_speak_russian(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    put(web_server, "panel-russian", DURATION)
    admin_page.evaluate("localStorage.setItem('automations.language', 'ru')")
    open_saved(admin_page, "panel-russian")

    # diagram-js gives a palette entry's title as its aria-label (the tooltip and the name).
    palette_task = admin_page.locator('.djs-palette [data-action="create.task"]')
    expect(palette_task).to_have_attribute("aria-label", "Задача")
    expect(admin_page.locator('.djs-palette [data-action="hand-tool"]')).to_have_attribute(
        "aria-label", "Рука: двигать холст"
    )
    select(admin_page, "Work")
    expect(
        admin_page.locator('.djs-context-pad [data-action="append.end-event"]')
    ).to_have_attribute("title", "Добавить конечное событие")
    expect(admin_page.locator(".auto-editor-panel")).to_contain_text("Общие")
    shot(admin_page, "russian")


def test_the_palette_names_components_in_the_users_words(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    # Not the words the server makes of a name ("Sql: query", "Records: create"): the
    # dictionaries' titles, in the palette, on the task it makes and in the panel.
    put(web_server, "panel-titles", DURATION)
    open_saved(admin_page, "panel-titles")
    palette = admin_page.locator(".djs-palette")
    for name, title in (
        ("sql.query", "SQL query"),
        ("http.request", "HTTP request"),
        ("records.create", "Create record"),
    ):
        expect(palette.locator(f'[data-action="create.component.{name}"]')).to_have_text(title)
    select(admin_page, "Work")  # an http.request task
    expect(admin_page.locator(".auto-editor-panel")).to_contain_text("HTTP request")
    shot(admin_page, "english")

    admin_page.evaluate("localStorage.setItem('automations.language', 'ru')")
    open_saved(admin_page, "panel-titles")
    for name, title in (
        ("sql.query", "SQL-запрос"),
        ("http.request", "HTTP-запрос"),
        ("records.update", "Изменить запись"),
    ):
        expect(palette.locator(f'[data-action="create.component.{name}"]')).to_have_text(title)
    shot(admin_page, "russian")
