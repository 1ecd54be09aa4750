// The process diagram: a read-only NavigatedViewer with the trace as canvas markers, and a
// details box for the clicked element (times entered and left, the variables it assigned,
// the error it failed with).
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import { getBusinessObject } from "bpmn-js/lib/util/ModelUtil";

import autoModdle from "./auto-moddle.json";
import { el } from "./dom.js";
import { withLayout } from "./layout.js";
import { drawTrace, stepsOf, traceMarks } from "./trace.js";

function formatTime(text) {
  if (!text) return "—";
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toLocaleString();
}

function json(value) {
  return value === undefined ? "—" : JSON.stringify(value, null, 2);
}

function outputNames(element) {
  const values = getBusinessObject(element).extensionElements?.values || [];
  return values.filter((v) => v.$type === "auto:Output").map((v) => v.name);
}

export async function mountViewer(container, { xml, process, t }) {
  const canvasNode = el("div", { class: "auto-viewer-canvas" });
  const details = el("div", { class: "auto-viewer-details", "data-testid": "viewer-details", hidden: "" });
  const root = el("div", { class: "auto-viewer", "data-testid": "viewer" }, canvasNode, details);
  container.replaceChildren(root);

  const viewer = new NavigatedViewer({ container: canvasNode, moddleExtensions: { auto: autoModdle } });
  await viewer.importXML(await withLayout(xml));
  const canvas = viewer.get("canvas");
  // The page may lay out its boxes after mounting us: fit once the canvas has its size.
  if (!canvasNode.clientHeight) await new Promise((done) => requestAnimationFrame(done));
  canvas.resized();
  canvas.zoom("fit-viewport", "auto");
  if (canvas.zoom() > 1) canvas.zoom(1);

  let current = process;
  let marks = drawTrace(viewer, current);
  let shown = null;

  function describe(element) {
    const id = element.id;
    const bo = getBusinessObject(element);
    const rows = stepsOf(current, id).map((step, index) =>
      el(
        "tr",
        {},
        el("td", {}, String(index + 1)),
        el("td", {}, formatTime(step.enteredAt)),
        el("td", {}, formatTime(step.exitedAt)),
      ),
    );
    const parts = [
      el("h3", {}, bo.name ? `${bo.name} (${id})` : id),
      rows.length
        ? el(
            "table",
            { class: "auto-steps" },
            el("thead", {}, el("tr", {}, el("th", {}, "#"), el("th", {}, t("editor.viewer.entered")), el("th", {}, t("editor.viewer.left")))),
            el("tbody", {}, rows),
          )
        : el("p", { class: "auto-muted" }, t("editor.viewer.notVisited")),
    ];
    const names = outputNames(element);
    if (names.length) {
      const values = current.output || {};
      parts.push(
        el("h4", {}, t("editor.viewer.variables")),
        el("dl", {}, names.flatMap((name) => [el("dt", {}, name), el("dd", {}, el("pre", {}, json(values[name])))])),
      );
    }
    const marksNow = traceMarks(current);
    if (marksNow.failed.has(id) && current.error) {
      parts.push(
        el("h4", {}, t("editor.viewer.error")),
        el("p", { class: "auto-error-code", "data-testid": "viewer-error-code" }, current.error.code),
        el("p", {}, current.error.message || ""),
      );
    }
    details.replaceChildren(el("button", { type: "button", class: "auto-close", "aria-label": t("editor.viewer.close") }, "×"), ...parts);
    details.querySelector(".auto-close").addEventListener("click", () => {
      details.hidden = true;
      shown = null;
    });
    details.hidden = false;
    shown = element;
  }

  function badgeFailed() {
    const overlays = viewer.get("overlays");
    overlays.remove({ type: "auto-failed" });
    const { failed } = traceMarks(current);
    for (const id of failed) {
      if (!viewer.get("elementRegistry").get(id) || !current.error) continue;
      const badge = el("div", { class: "auto-failed-badge", "data-testid": "viewer-failed-code" }, current.error.code);
      overlays.add(id, "auto-failed", { position: { bottom: -4, left: 0 }, html: badge });
    }
  }
  badgeFailed();

  viewer.get("eventBus").on("element.click", ({ element }) => {
    if (element.type === "bpmn:Process" || element.type === "label") {
      if (element.labelTarget) describe(element.labelTarget);
      return;
    }
    describe(element);
  });

  return {
    viewer,
    /** Redraw for a newer state of the same process (the page refreshes it while it runs). */
    update(next) {
      if (!next) return;
      current = next;
      marks = drawTrace(viewer, current, marks);
      badgeFailed();
      if (shown) describe(shown);
    },
    destroy() {
      viewer.destroy();
      container.replaceChildren();
    },
  };
}

