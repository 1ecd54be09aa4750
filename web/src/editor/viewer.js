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

// A tall diagram gets a taller box (up to most of the window), so that fitting it whole leaves
// it legible; then the whole diagram is fitted into the box, centred and never magnified.
const MIN_HEIGHT = 420;
const MAX_HEIGHT_SHARE = 0.75;
const MARGIN = 24;

function fitWhole(canvas, root) {
  canvas.resized();
  const { inner } = canvas.viewbox();
  const boxWidth = root.clientWidth;
  if (inner.width > 0 && boxWidth > 0) {
    const natural = Math.min(1, (boxWidth - 2 * MARGIN) / inner.width) * inner.height + 2 * MARGIN;
    const limit = Math.max(MIN_HEIGHT, window.innerHeight * MAX_HEIGHT_SHARE);
    root.style.height = `${Math.round(Math.min(limit, Math.max(MIN_HEIGHT, natural)))}px`;
    canvas.resized();
  }
  const { outer } = canvas.viewbox();
  if (!inner.width || !outer.width) return;
  // fit-viewport with a margin: the elements at the edges keep their outline and labels.
  const scale = Math.min(1, (outer.width - 2 * MARGIN) / inner.width, (outer.height - 2 * MARGIN) / inner.height);
  const width = outer.width / scale;
  const height = outer.height / scale;
  canvas.viewbox({
    x: inner.x - (width - inner.width) / 2,
    y: inner.y - (height - inner.height) / 2,
    width,
    height,
  });
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
  fitWhole(canvas, root);
  const refit = () => fitWhole(canvas, root);
  window.addEventListener("resize", refit);

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
      window.removeEventListener("resize", refit);
      viewer.destroy();
      container.replaceChildren();
    },
  };
}

