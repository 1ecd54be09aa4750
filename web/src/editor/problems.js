// The compiler's verdict on the diagram as drawn: after each change (debounced) the XML goes to
// `POST api/v1/scenarios/validate`; each problem marks its element (class `invalid`, a badge
// with the message) and shows in the panel; problems of the file itself (`-`) go to the bar.
const DEBOUNCE_MS = 400;

/** Which panel entry a message is about: "... in input 'url': ..." -> auto-input-url. */
function entryOf(message) {
  const input = /in input '([^']+)'/.exec(message);
  if (input) return `auto-input-${input[1]}`;
  if (/in condition|conditionExpression/.test(message)) return "auto-condition";
  return null;
}

export function createProblems({ modeler, api, scenarioId, onChange }) {
  const canvas = modeler.get("canvas");
  const overlays = modeler.get("overlays");
  const elementRegistry = modeler.get("elementRegistry");
  const eventBus = modeler.get("eventBus");
  let byElement = new Map();
  let fileProblems = [];
  let marked = [];
  let timer = null;
  let generation = 0;

  function of(id) {
    return byElement.get(id) || [];
  }

  function clear() {
    for (const id of marked) {
      if (elementRegistry.get(id)) canvas.removeMarker(id, "invalid");
    }
    overlays.remove({ type: "auto-problem" });
    marked = [];
  }

  function show(problems) {
    clear();
    byElement = new Map();
    fileProblems = [];
    for (const problem of problems) {
      const id = problem.elementId ?? problem.element;
      if (!id || id === "-" || !elementRegistry.get(id)) {
        fileProblems.push(problem);
        continue;
      }
      if (!byElement.has(id)) byElement.set(id, []);
      byElement.get(id).push(problem);
    }
    for (const [id, list] of byElement) {
      canvas.addMarker(id, "invalid");
      marked.push(id);
      const badge = document.createElement("div");
      badge.className = "auto-problem-badge";
      badge.textContent = String(list.length);
      badge.title = list.map((p) => p.message).join("\n");
      overlays.add(id, "auto-problem", { position: { top: -10, right: 10 }, html: badge });
    }
    panelErrors();
    eventBus.fire("propertiesPanel.providersChanged"); // the panel's problems group
    onChange({ ok: problems.length === 0, problems, fileProblems });
  }

  function panelErrors() {
    const selected = modeler.get("selection").get()[0];
    const errors = {};
    for (const problem of selected ? of(selected.id) : []) {
      const entry = entryOf(problem.message);
      if (entry) errors[entry] = problem.message;
    }
    eventBus.fire("propertiesPanel.setErrors", { errors });
  }

  /** The verdict on the diagram as drawn, or on `text` when that is known to be it. */
  async function validate(text) {
    const mine = ++generation;
    const xml = text ?? (await modeler.saveXML({ format: true })).xml;
    const query = scenarioId() ? `?scenarioId=${encodeURIComponent(scenarioId())}` : "";
    const answer = await api.post(`api/v1/scenarios/validate${query}`, xml, {
      contentType: "application/xml",
    });
    if (mine === generation) show(answer.problems || []);
    return answer;
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(() => validate().catch(() => {}), DEBOUNCE_MS);
  }

  eventBus.on("commandStack.changed", schedule);
  eventBus.on("selection.changed", () => {
    setTimeout(panelErrors); // after the panel has rendered the new selection
  });

  return { of, show, validate, schedule, files: () => fileProblems };
}
