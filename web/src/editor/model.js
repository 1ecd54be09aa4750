// Reading and writing the `auto:` extension elements of a diagram element. Every write goes
// through the command stack (one undoable step per edit), so undo/redo and the validation that
// listens to `commandStack.changed` see the panel's edits like any other.
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

const MULTI = "properties-panel.multi-command-executor";
// Where each kind of extension goes among its siblings: readers of the file see the component
// first, then its inputs, outputs, retry and loop (the parser does not care).
const ORDER = ["auto:Component", "auto:Input", "auto:Output", "auto:Retry", "auto:Loop"];

export function extensions(element, type) {
  const bo = getBusinessObject(element);
  const values = bo.extensionElements?.values || [];
  return type ? values.filter((value) => is(value, type)) : values;
}

export function extension(element, type) {
  return extensions(element, type)[0];
}

export function componentName(element) {
  return extension(element, "auto:Component")?.type || null;
}

export function inputOf(element, name) {
  return extensions(element, "auto:Input").find((input) => input.name === name);
}

/** The commands that give the element an `extensionElements` container, and the container. */
function container(element, bpmnFactory) {
  const bo = getBusinessObject(element);
  if (bo.extensionElements) return { commands: [], holder: bo.extensionElements };
  const holder = bpmnFactory.create("bpmn:ExtensionElements", { values: [] });
  holder.$parent = bo;
  const command = {
    cmd: "element.updateModdleProperties",
    context: { element, moddleElement: bo, properties: { extensionElements: holder } },
  };
  return { commands: [command], holder };
}

function placed(values, added) {
  const rank = ORDER.findIndex((type) => is(added, type));
  const after = values.findLastIndex((value) => ORDER.findIndex((type) => is(value, type)) <= rank);
  const copy = values.slice();
  copy.splice(after + 1, 0, added);
  return copy;
}

/** Add a new extension element of `type` with `properties`; returns it. */
export function addExtension(element, type, properties, { bpmnFactory, commandStack }) {
  const { commands, holder } = container(element, bpmnFactory);
  const added = bpmnFactory.create(type, properties);
  added.$parent = holder;
  commands.push({
    cmd: "element.updateModdleProperties",
    context: { element, moddleElement: holder, properties: { values: placed(holder.values || [], added) } },
  });
  commandStack.execute(MULTI, commands);
  return added;
}

export function removeExtension(element, value, { commandStack }) {
  const holder = getBusinessObject(element).extensionElements;
  if (!holder) return;
  const values = holder.values.filter((candidate) => candidate !== value);
  commandStack.execute("element.updateModdleProperties", {
    element,
    moddleElement: holder,
    properties: { values },
  });
}

export function updateExtension(element, value, properties, { commandStack }) {
  commandStack.execute("element.updateModdleProperties", {
    element,
    moddleElement: value,
    properties,
  });
}

/** Set one component input: an empty value removes it (the component's default applies). */
export function setInput(element, name, value, services) {
  const current = inputOf(element, name);
  if (value === undefined || value === null || value === "") {
    if (current) removeExtension(element, current, services);
  } else if (current) {
    if (current.value !== value) updateExtension(element, current, { value }, services);
  } else {
    addExtension(element, "auto:Input", { name, value }, services);
  }
}

export function isExpression(text) {
  return typeof text === "string" && /^\{%[\s\S]*%\}$/.test(text.trim());
}
