// A process's trace drawn on a diagram: `visited` on every element it passed through (and the
// flows between them), `failed` on the element it failed on, `running` on those entered and not
// left while the process still runs. Helper states are named `<id>__<role>`: they count as
// their element.
const FINAL = new Set(["completed", "error", "aborted"]);
export const MARKERS = ["visited", "failed", "running"];

export function elementOf(state) {
  return String(state).split("__")[0];
}

/** `{visited, failed, running}` sets of element ids for a process record. */
export function traceMarks(process) {
  const visited = new Set();
  const open = new Set();
  for (const step of process.trace || []) {
    const id = elementOf(step.element);
    visited.add(id);
    if (step.exitedAt) open.delete(id);
    else open.add(id);
  }
  const failed = new Set();
  if (process.status === "error") {
    const at = process.error?.element ? elementOf(process.error.element) : [...open].pop();
    if (at) failed.add(at);
  }
  const running = FINAL.has(process.status) ? new Set() : open;
  return { visited, failed, running };
}

/** Steps of one element (a loop enters it more than once). */
export function stepsOf(process, id) {
  return (process.trace || []).filter((step) => elementOf(step.element) === id);
}

export function drawTrace(modeler, process, previous = []) {
  const canvas = modeler.get("canvas");
  const registry = modeler.get("elementRegistry");
  for (const [id, marker] of previous) {
    if (registry.get(id)) canvas.removeMarker(id, marker);
  }
  const marks = traceMarks(process);
  const added = [];
  const mark = (id, marker) => {
    if (!registry.get(id)) return;
    canvas.addMarker(id, marker);
    added.push([id, marker]);
  };
  for (const id of marks.visited) mark(id, "visited");
  for (const id of marks.failed) mark(id, "failed");
  for (const id of marks.running) mark(id, "running");
  for (const flow of registry.filter((e) => e.type === "bpmn:SequenceFlow")) {
    if (marks.visited.has(flow.source?.id) && marks.visited.has(flow.target?.id)) {
      mark(flow.id, "visited");
    }
  }
  return added;
}
