// "Run": start the saved draft by hand (`POST api/v1/scenarios/{id}/run`, asynchronously, so a
// scenario that waits does not hold the page) and follow the process, drawing the path it takes.
import { el } from "./dom.js";
import { drawTrace } from "./trace.js";

const FINAL = new Set(["completed", "error", "aborted"]);
const POLL_MS = 500;

export function runDraft({ modeler, api, t, scenarioId, input, status }) {
  let stopped = false;
  let timer = null;
  let marks = [];

  function report(process) {
    marks = drawTrace(modeler, process, marks);
    const link = el("a", { href: `processes/${encodeURIComponent(process.id)}`, "data-testid": "editor-run-process" }, process.id);
    const error = process.error ? ` ${process.error.code}` : "";
    status.dataset.state = `run-${process.status}`;
    status.replaceChildren(t("editor.runStatus", { status: process.status }) + error + " ", link);
  }

  async function follow(id) {
    if (stopped) return;
    try {
      const process = await api.get(`api/v1/processes/${encodeURIComponent(id)}`);
      if (stopped) return;
      report(process);
      if (!FINAL.has(process.status)) timer = setTimeout(() => follow(id), POLL_MS);
    } catch (error) {
      status.textContent = error.message;
    }
  }

  (async () => {
    try {
      status.dataset.state = "run-queued";
      status.textContent = t("editor.runStarting");
      const process = await api.post(`api/v1/scenarios/${encodeURIComponent(scenarioId)}/run`, {
        input,
        async: true,
      });
      await follow(process.id);
    } catch (error) {
      status.dataset.state = "refused";
      status.textContent = error.message;
    }
  })();

  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
