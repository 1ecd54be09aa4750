"""The scenario editor in real Chromium, driven as a user does: palette, context pad, panel.

Elements are found by `g.djs-element[data-element-id=...]`; the id of a new element is read
from the selection (bpmn-js selects what it just created) or from the connections before and
after. What the editor saved is read back through the API and compiled here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lxml import etree
from playwright.sync_api import expect
from tests.e2e.web.conftest import Shot

from automations.service.scenarios import compile_bpmn
from support.devserver import Dev

ROOT = Path(__file__).parents[3]
ROUND_TRIP = sorted((ROOT / "examples").glob("*.bpmn")) + sorted(
    (ROOT / "src" / "automations" / "demo").glob("*.bpmn")
)
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "auto": "urn:automations:bpmn:1"}
EDITOR = "[data-testid=editor]"
STATUS = "[data-testid=editor-status]"
DEBOUNCE_SETTLE_MS = 700  # the panel writes typed text after its input debounce (300 ms)


def open_new(page: Any, scenario_id: str) -> None:
    page.goto("scenarios/new")
    page.locator("input[name=id]").fill(scenario_id)
    page.get_by_role("button", name="Open the editor").click()
    wait_ready(page)


def open_saved(page: Any, scenario_id: str) -> None:
    page.goto(f"scenarios/{quote(scenario_id, safe='')}")
    wait_ready(page)


def wait_ready(page: Any) -> None:
    page.locator(f"{EDITOR} .djs-palette").wait_for()
    # The first validation answer sets the status (valid or the number of problems).
    page.locator(f"{STATUS}[data-state]").wait_for()


def element(page: Any, element_id: str) -> Any:
    return page.locator(f'g.djs-element[data-element-id="{element_id}"]')


def center(page: Any, element_id: str) -> tuple[float, float]:
    box = element(page, element_id).first.bounding_box()
    assert box is not None, element_id
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def selected(page: Any) -> str:
    ids: list[str] = page.eval_on_selector_all(
        "g.djs-element.selected", "nodes => nodes.map(n => n.dataset.elementId)"
    )
    shapes = [i for i in ids if not i.endswith("_label")]
    assert len(shapes) == 1, ids
    return shapes[0]


def connections(page: Any) -> set[str]:
    """Ids of the diagram's connections (not the preview of one being drawn)."""
    return set(
        page.eval_on_selector_all(
            "g.djs-connection[data-element-id]", "nodes => nodes.map(n => n.dataset.elementId)"
        )
    )


def deselect(page: Any) -> None:
    """Click empty canvas (bottom middle): the context pad of what was selected closes, so it
    cannot catch the next click."""
    box = page.locator(".auto-editor-canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] - 30)


def select(page: Any, element_id: str) -> None:
    deselect(page)
    x, y = center(page, element_id)
    page.mouse.click(x, y)
    page.locator(".bio-properties-panel-header").wait_for()


def select_flow(page: Any, flow_id: str) -> None:
    """Click a connection at the middle of its path (its box's centre may be off the line)."""
    deselect(page)
    x, y = page.evaluate(
        """id => {
          const path = document.querySelector(`g.djs-connection[data-element-id="${id}"] .djs-visual > path`);
          const point = path.getPointAtLength(path.getTotalLength() / 2);
          const m = path.getScreenCTM();
          return [point.x * m.a + point.y * m.c + m.e, point.x * m.b + point.y * m.d + m.f];
        }""",
        flow_id,
    )
    page.mouse.click(x, y)
    page.locator(".bio-properties-panel-header").wait_for()


def place(page: Any, component: str, x: float, y: float) -> str:
    """A component from the palette, dropped at (x, y); returns the new task's id."""
    page.locator(f'[data-action="create.component.{component}"]').click()
    page.mouse.move(x, y, steps=5)
    page.mouse.click(x, y)
    return selected(page)


def append(page: Any, source: str, action: str) -> tuple[str, str]:
    """Context pad "append" (e.g. `append.gateway`): returns (new element, new flow)."""
    before = connections(page)
    select(page, source)
    page.locator(f'.djs-context-pad [data-action="{action}"]').click()
    created = selected(page)
    (flow,) = connections(page) - before
    return created, flow


def connect(page: Any, source: str, target: str) -> str:
    before = connections(page)
    select(page, source)
    page.locator('.djs-context-pad [data-action="connect"]').click()
    x, y = center(page, target)
    page.mouse.move(x, y, steps=10)  # the connection follows the pointer onto its target
    page.mouse.click(x, y)
    page.wait_for_function(
        "n => document.querySelectorAll('g.djs-connection[data-element-id]').length > n",
        arg=len(before),
    )
    (flow,) = connections(page) - before
    return flow


def entry(page: Any, entry_id: str) -> Any:
    return page.locator(f'.auto-editor-panel [data-entry-id="{entry_id}"]')


def type_into(page: Any, entry_id: str, text: str) -> None:
    field = entry(page, entry_id).locator("input, textarea").first
    field.fill(text)
    page.wait_for_timeout(DEBOUNCE_SETTLE_MS)


def choose(page: Any, entry_id: str, value: str) -> None:
    entry(page, entry_id).locator("select").select_option(value)


def save(page: Any, expect: str = "saved") -> None:
    page.locator("[data-testid=editor-save]").click()
    page.locator(f'{STATUS}[data-state="{expect}"]').wait_for()


def save_new(page: Any, scenario_id: str) -> None:
    """The first save of a new scenario: the page moves to the saved scenario's address and
    opens what was stored."""
    page.locator("[data-testid=editor-save]").click()
    page.wait_for_url(f"**/scenarios/{scenario_id}")
    wait_ready(page)


def stored(web_server: Dev, scenario_id: str, version: int | None = None) -> str:
    params = {} if version is None else {"version": version}
    answer = web_server.client.get(f"/api/v1/scenarios/{scenario_id}", params=params)
    assert answer.status_code == 200, answer.text
    return answer.text


def inputs(xml: str, task: str) -> dict[str, str]:
    root = etree.fromstring(xml.encode())
    found = root.xpath(f'//bpmn:*[@id="{task}"]//auto:input', namespaces=NS)
    return {el.get("name"): el.get("value") for el in found}


def asl(xml: str | bytes) -> dict[str, Any]:
    return compile_bpmn(xml, file="scenario.bpmn", known_scenarios=lambda _id: True)[1]


# -- tests -----------------------------------------------------------------------------------


def test_a_scenario_drawn_from_the_palette_saves_typed_values_and_compiles(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    page = admin_page
    open_new(page, "palette-made")
    x, y = center(page, "Start")
    http = place(page, "http.request", x + 140, y)
    connect(page, "Start", http)
    select(page, http)
    type_into(page, "auto-input-url", "https://example.com/orders")
    choose(page, "auto-input-method", "POST")
    type_into(page, "auto-input-timeoutSeconds", "12")
    gateway, _ = append(page, http, "append.gateway")
    gx, gy = center(page, gateway)
    update = place(page, "records.update", gx, gy + 160)
    to_update = connect(page, gateway, update)
    select(page, update)
    type_into(page, "auto-input-catalogId", "1")
    type_into(page, "auto-input-recordId", "{% $recordId %}")
    end, to_end = append(page, gateway, "append.end-event")
    connect(page, update, end)
    select_flow(page, to_update)
    type_into(page, "auto-condition", "{% $result.status = 200 %}")
    select(page, gateway)
    choose(page, "auto-default-flow", to_end)
    page.locator(f'{STATUS}[data-state="valid"]').wait_for()
    shot(page, "drawn")
    save_new(page, "palette-made")

    xml = stored(web_server, "palette-made")
    assert inputs(xml, http) == {
        "url": "https://example.com/orders",
        "method": "POST",
        "timeoutSeconds": "{% 12 %}",  # typed: a number, not the text "12"
    }
    assert inputs(xml, update) == {"catalogId": "1", "recordId": "{% $recordId %}"}
    root = etree.fromstring(xml.encode())
    (condition,) = root.xpath(
        f'//bpmn:sequenceFlow[@id="{to_update}"]/bpmn:conditionExpression', namespaces=NS
    )
    assert condition.text == "{% $result.status = 200 %}"
    (gateway_el,) = root.xpath(f'//bpmn:exclusiveGateway[@id="{gateway}"]', namespaces=NS)
    assert gateway_el.get("default") == to_end
    states = asl(xml)["States"]
    assert states[http]["Type"] == "Task"
    assert states[gateway]["Type"] == "Choice"
    assert states[gateway]["Default"] == end


def test_a_jsonata_syntax_error_is_shown_on_its_element_and_nothing_is_saved(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    page = admin_page
    open_new(page, "broken-jsonata")
    x, y = center(page, "Start")
    http = place(page, "http.request", x + 170, y)
    connect(page, "Start", http)
    append(page, http, "append.end-event")
    select(page, http)
    type_into(page, "auto-input-url", "{% $order.url & %}")

    expected = web_server.ok(
        "POST", "/api/v1/expressions/check", json={"expression": "{% $order.url & %}"}
    )
    assert not expected["ok"]
    as_typed = entry(page, "auto-input-url").locator(".bio-properties-panel-error")
    expect(as_typed).to_contain_text(expected["message"])
    element(page, http).and_(page.locator(".invalid")).wait_for()
    problems = page.locator(".auto-editor-panel .auto-problems")
    expect(problems).to_contain_text("malformed JSONata in input 'url'")
    shot(page, "invalid")

    save(page, expect="refused")
    refused = page.locator("[data-testid=editor-problems]")
    expect(refused).to_contain_text(f"{http}: malformed JSONata in input 'url'")
    assert web_server.client.get("/api/v1/scenarios/broken-jsonata").status_code == 404
    assert "broken-jsonata" not in [s["id"] for s in web_server.ok("GET", "/api/v1/scenarios")]


def test_every_example_and_demo_opens_and_saves_back_to_the_same_state_machine(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    page = admin_page
    originals = {path.stem: path.read_bytes() for path in ROUND_TRIP}
    pending = dict(originals)
    while pending:  # a call activity's scenario must exist before its caller is saved
        saved = [
            sid
            for sid, text in pending.items()
            if web_server.client.put(
                f"/api/v1/scenarios/{sid}",
                content=text,
                headers={"Content-Type": "application/xml"},
            ).status_code
            == 200
        ]
        assert saved, f"these do not save: {sorted(pending)}"
        for sid in saved:
            del pending[sid]
    for sid, original in originals.items():
        before = web_server.client.get(f"/api/v1/scenarios/{sid}").headers["X-Scenario-Version"]
        open_saved(page, sid)
        page.locator(f'{STATUS}[data-state="valid"]').wait_for()
        if sid in ("order-approval", "demo-quote"):
            shot(page, sid)
        save(page)
        after = stored(web_server, sid)
        assert (
            int(web_server.client.get(f"/api/v1/scenarios/{sid}").headers["X-Scenario-Version"])
            == int(before) + 1
        )
        assert json.dumps(asl(after), sort_keys=True) == json.dumps(
            asl(original), sort_keys=True
        ), sid
