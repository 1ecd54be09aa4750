"""The process diagram fits whole into its box however tall or wide the scenario is: every
element's bounding box lies inside the canvas, and what the page shows at each element's centre
is that element (no card below covers the canvas, nothing clips it); a small diagram is not
magnified."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from tests.e2e.web.conftest import Shot

from support.devserver import Dev

TASK_W, TASK_H, STEP = 100, 80, 120


def column_and_row(scenario_id: str, down: int, across: int) -> str:
    """Start, `down` tasks in a column, then `across` tasks in a row, then End: with DI."""
    shapes: list[tuple[str, int, int, int, int]] = [("Start", 182, 42, 36, 36)]
    for i in range(down):
        shapes.append((f"Down{i}", 150, 120 + i * STEP, TASK_W, TASK_H))
    bottom = 120 + (down - 1) * STEP
    for i in range(across):
        shapes.append((f"Across{i}", 150 + (i + 1) * 160, bottom, TASK_W, TASK_H))
    last_x = 150 + (across + 1) * 160
    shapes.append(("End", last_x, bottom + 22, 36, 36))
    ids = [s[0] for s in shapes]
    tasks = "".join(f'<bpmn:task id="{i}" name="{i}"/>' for i in ids[1:-1])
    flows = "".join(
        f'<bpmn:sequenceFlow id="f{n}" sourceRef="{a}" targetRef="{b}"/>'
        for n, (a, b) in enumerate(pairwise(ids))
    )
    di_shapes = "".join(
        f'<bpmndi:BPMNShape id="{i}_di" bpmnElement="{i}"><dc:Bounds x="{x}" y="{y}" '
        f'width="{w}" height="{h}"/></bpmndi:BPMNShape>'
        for i, x, y, w, h in shapes
    )
    centre = {i: (x + w // 2, y + h // 2) for i, x, y, w, h in shapes}
    di_edges = "".join(
        f'<bpmndi:BPMNEdge id="f{n}_di" bpmnElement="f{n}">'
        f'<di:waypoint x="{centre[a][0]}" y="{centre[a][1]}"/>'
        f'<di:waypoint x="{centre[b][0]}" y="{centre[b][1]}"/></bpmndi:BPMNEdge>'
        for n, (a, b) in enumerate(pairwise(ids))
    )
    return (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="D" targetNamespace="urn:fit">'
        f'<bpmn:process id="{scenario_id}" isExecutable="true">'
        f'<bpmn:startEvent id="Start"/>{tasks}<bpmn:endEvent id="End"/>{flows}</bpmn:process>'
        f'<bpmndi:BPMNDiagram id="Di"><bpmndi:BPMNPlane id="Plane" bpmnElement="{scenario_id}">'
        f"{di_shapes}{di_edges}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>"
    )


@pytest.mark.parametrize(("down", "across"), [(30, 0), (30, 14)], ids=["tall", "wide-and-tall"])
def test_every_element_lies_inside_the_canvas(
    admin_page: Any, web_server: Dev, shot: Shot, down: int, across: int
) -> None:
    scenario_id = f"fit-{down}-{across}"
    web_server.ok(
        "PUT",
        f"/api/v1/scenarios/{scenario_id}",
        content=column_and_row(scenario_id, down, across),
        headers={"Content-Type": "application/xml"},
    )
    done = web_server.ok("POST", f"/api/v1/scenarios/{scenario_id}/run", json={"input": {}})
    assert done["status"] == "completed", done

    admin_page.goto(f"processes/{done['id']}")
    admin_page.locator('[data-testid=viewer] g.djs-element[data-element-id="End"]').wait_for()
    admin_page.wait_for_timeout(300)  # a resize after the page settles refits: let it land
    shot(admin_page, "fit")
    viewer_shot = shot(admin_page, "viewer").with_name(f"viewer-fit-{down}-{across}.png")
    admin_page.locator("[data-testid=viewer]").screenshot(path=str(viewer_shot))
    canvas = admin_page.locator("[data-testid=viewer] .auto-viewer-canvas").bounding_box()
    boxes: list[dict[str, Any]] = admin_page.eval_on_selector_all(
        "[data-testid=viewer] g.djs-element[data-element-id]",
        """nodes => nodes.map(n => {
          const b = n.getBoundingClientRect();
          const seen = document.elementFromPoint((b.x + b.right) / 2, (b.y + b.bottom) / 2);
          return {
            id: n.dataset.elementId, x: b.x, y: b.y, right: b.right, bottom: b.bottom,
            shown: Boolean(seen && seen.closest("[data-testid=viewer]")),
          };
        })""",
    )
    assert len(boxes) >= down + across + 2
    outside = [
        b["id"]
        for b in boxes
        if b["x"] < canvas["x"] - 1
        or b["y"] < canvas["y"] - 1
        or b["right"] > canvas["x"] + canvas["width"] + 1
        or b["bottom"] > canvas["y"] + canvas["height"] + 1
    ]
    assert outside == [], f"outside the canvas {canvas}: {outside}"
    hidden = [b["id"] for b in boxes if not b["shown"]]
    assert hidden == [], f"covered or clipped: {hidden}"
    if down == 30 and not across:  # a tall column: the box grew to keep it legible
        assert canvas["height"] > 420


def test_a_small_diagram_is_not_magnified(admin_page: Any, web_server: Dev) -> None:
    web_server.ok(
        "PUT",
        "/api/v1/scenarios/fit-small",
        content=column_and_row("fit-small", 1, 0),
        headers={"Content-Type": "application/xml"},
    )
    done = web_server.ok("POST", "/api/v1/scenarios/fit-small/run", json={"input": {}})
    admin_page.goto(f"processes/{done['id']}")
    task = admin_page.locator(
        '[data-testid=viewer] g.djs-element[data-element-id="Down0"] .djs-visual > rect'
    )
    task.wait_for()
    box = task.bounding_box()
    # Drawn at its own size (scale 1): its 100 px plus the 2 px outline, not fitted larger.
    assert box is not None and TASK_W <= box["width"] <= TASK_W + 3
