// The scenario editor and the process diagram, as the shell's pages mount them.
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "./bpmn-font.css";
import "@bpmn-io/properties-panel/assets/properties-panel.css";
import "./editor.css";

export { mountEditor } from "./editor.js";
export { mountViewer } from "./viewer.js";
