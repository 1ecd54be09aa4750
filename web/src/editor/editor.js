// The scenario editor: bpmn-js Modeler, the properties panel with our provider, the component
// palette, validation while drawing, Save and Run.
import BpmnModeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";

import autoModdle from "./auto-moddle.json";
import { createChecker } from "./checker.js";
import { withLayout } from "./layout.js";
import ComponentPalette from "./palette.js";
import { createProblems } from "./problems.js";
import AutoPropertiesProvider from "./properties/provider.js";
import { runDraft } from "./run.js";
import { translateModule } from "./translate.js";
import { el } from "./dom.js";

const NEW_SCENARIO = (id) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:auto="urn:automations:bpmn:1" id="Definitions_1" targetNamespace="urn:automations:scenarios">
  <bpmn:process id="${id}" isExecutable="true">
    <bpmn:startEvent id="Start" name="Start"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_1">
    <bpmndi:BPMNPlane id="Plane_1" bpmnElement="${id}">
      <bpmndi:BPMNShape id="Start_di" bpmnElement="Start">
        <dc:Bounds x="180" y="160" width="36" height="36"/>
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`;

function processId(scenarioId) {
  // A BPMN id is an XML name; the scenario's id (the URL's) is what counts when saving.
  const id = String(scenarioId || "scenario").replace(/[^A-Za-z0-9_.-]/g, "_");
  return /^[A-Za-z_]/.test(id) ? id : `scenario_${id}`;
}

// The palette floats over the canvas's left side: show the diagram in the room to its right,
// whole and never magnified.
const PALETTE_WIDTH = 220;
const MARGIN = 24;

function fitBesidePalette(canvas, fit) {
  const { inner, outer } = canvas.viewbox();
  if (!fit || !inner.width) {
    canvas.scroll({ dx: PALETTE_WIDTH, dy: 0 });
    return;
  }
  const room = { width: outer.width - PALETTE_WIDTH - 2 * MARGIN, height: outer.height - 2 * MARGIN };
  const scale = Math.min(1, room.width / inner.width, room.height / inner.height);
  const height = outer.height / scale;
  canvas.viewbox({
    x: inner.x - (PALETTE_WIDTH + MARGIN) / scale,
    y: inner.y - (height - inner.height) / 2,
    width: outer.width / scale,
    height,
  });
}

// A component's title in the UI's language: the dictionaries name the components the product
// ships ("SQL query"); one they do not know yet shows the title the server gives it.
function titled(component, t) {
  const key = `editor.componentTitle.${component.name}`;
  const title = t(key);
  return title && title !== key ? { ...component, title } : component;
}

/** `run` once the browser has painted the next frame. */
function afterFirstFrame(run) {
  requestAnimationFrame(() => setTimeout(run));
}

export async function mountEditor(container, { xml, components, api, t, language, scenarioId, onSaved }) {
  const canvasNode = el("div", { class: "auto-editor-canvas" });
  const panelNode = el("div", { class: "auto-editor-panel" });
  const status = el("span", { class: "auto-editor-status", "data-testid": "editor-status" });
  const fileProblems = el("ul", { class: "auto-editor-file-problems", "data-testid": "editor-problems" });
  const saveButton = el("button", { type: "button", class: "primary", "data-testid": "editor-save" }, t("editor.save"));
  const runButton = el("button", { type: "button", "data-testid": "editor-run" }, t("editor.run"));
  const runInput = el("textarea", { class: "auto-run-input", rows: "3", spellcheck: "false", "data-testid": "editor-run-input" }, "{}");
  const runBox = el(
    "div",
    { class: "auto-run-box", hidden: "" },
    el("label", {}, t("editor.runInput"), runInput),
    el("button", { type: "button", class: "primary", "data-testid": "editor-run-start" }, t("editor.runStart")),
  );
  const root = el(
    "div",
    { class: "auto-editor", "data-testid": "editor" },
    el("div", { class: "auto-editor-bar" }, saveButton, runButton, status),
    runBox,
    fileProblems,
    el("div", { class: "auto-editor-body" }, canvasNode, panelNode),
  );
  container.replaceChildren(root);

  let scenarios = [];
  let problems = null;
  const automations = {
    t,
    api,
    components: new Map((components || []).map((component) => [component.name, titled(component, t)])),
    scenarios: () => scenarios,
    scenarioId: () => scenarioId,
    problems: { of: (id) => problems?.of(id) || [] },
    checker: null,
  };
  const modeler = new BpmnModeler({
    container: canvasNode,
    propertiesPanel: { parent: panelNode },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      translateModule(language),
      {
        __init__: ["autoPropertiesProvider", "componentPalette"],
        automations: ["value", automations],
        autoPropertiesProvider: ["type", AutoPropertiesProvider],
        componentPalette: ["type", ComponentPalette],
      },
    ],
    moddleExtensions: { auto: autoModdle },
  });
  automations.checker = createChecker(api, modeler.get("eventBus"));

  function showFileProblems(list, heading) {
    fileProblems.replaceChildren(
      ...(heading ? [el("li", { class: "auto-heading" }, heading)] : []),
      ...list.map((p) => el("li", {}, p.elementId && p.elementId !== "-" ? `${p.elementId}: ${p.message}` : p.message)),
    );
  }

  problems = createProblems({
    modeler,
    api,
    scenarioId: () => scenarioId,
    onChange: ({ ok, problems: all, fileProblems: own }) => {
      status.textContent = ok ? t("editor.valid") : t("editor.invalid", { count: all.length });
      status.dataset.state = ok ? "valid" : "invalid";
      showFileProblems(own);
    },
  });

  const opened = xml ? await withLayout(xml) : NEW_SCENARIO(processId(scenarioId));
  await modeler.importXML(opened);
  fitBesidePalette(modeler.get("canvas"), Boolean(xml));
  performance.mark("editor:imported");
  api
    .get("api/v1/scenarios")
    .then((list) => {
      scenarios = list.map((s) => s.id);
    })
    .catch(() => {});
  // The first verdict is on the text just imported: it is the diagram as drawn, and writing a
  // large one out again (a tenth of a second at 1,000 elements) would hold back its first frame.
  afterFirstFrame(() =>
    problems
      .validate(opened)
      .then(() => performance.mark("editor:validated"))
      .catch(() => {}),
  );

  async function save() {
    const { xml: text } = await modeler.saveXML({ format: true });
    status.dataset.state = "saving";
    status.textContent = t("editor.saving");
    try {
      const saved = await api.put(`api/v1/scenarios/${encodeURIComponent(scenarioId)}`, text, {
        contentType: "application/xml",
      });
      status.dataset.state = "saved";
      status.textContent = t("editor.saved", { version: saved.version });
      showFileProblems([]);
      onSaved?.(saved);
      return saved;
    } catch (error) {
      const refused = error.errors?.length ? error.errors : null;
      status.dataset.state = "refused";
      status.textContent = t("editor.refused");
      if (refused) {
        problems.show(refused.map((p) => ({ ...p, elementId: p.elementId ?? p.element })));
        status.dataset.state = "refused";
        status.textContent = t("editor.refused");
        showFileProblems(refused, t("editor.refused"));
      } else {
        showFileProblems([{ message: error.message }], t("editor.refused"));
      }
      return null;
    }
  }

  let stopRun = () => {};
  saveButton.addEventListener("click", () => save());
  runButton.addEventListener("click", () => {
    runBox.hidden = !runBox.hidden;
    if (!runBox.hidden) runInput.focus();
  });
  runBox.querySelector("button").addEventListener("click", async () => {
    let input;
    try {
      input = JSON.parse(runInput.value || "{}");
      if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Error();
    } catch {
      status.dataset.state = "refused";
      status.textContent = t("editor.runBadInput");
      return;
    }
    if (!(await save())) return;
    stopRun();
    stopRun = runDraft({ modeler, api, t, scenarioId, input, status });
  });

  return {
    modeler,
    save,
    destroy() {
      stopRun();
      modeler.destroy();
      container.replaceChildren();
    },
  };
}
