// Outputs: `auto:output name= value=`, variables assigned after the element, top-down.
import { ListGroup } from "@bpmn-io/properties-panel";
import { is } from "bpmn-js/lib/util/ModelUtil";

import { addExtension, extensions, removeExtension, updateExtension } from "../model.js";
import { TextEntry } from "./fields.jsx";

export function hasOutputs(element) {
  return is(element, "bpmn:Activity") || is(element, "bpmn:BoundaryEvent");
}

export function outputsGroup(element, ctx) {
  if (!hasOutputs(element)) return null;
  const outputs = extensions(element, "auto:Output");
  const items = outputs.map((output, index) => ({
    id: `auto-output-${index}`,
    label: output.name ? `${output.name} = ${output.value || ""}` : ctx.t("editor.output.unnamed"),
    remove: () => removeExtension(element, output, ctx.services),
    entries: [
      {
        id: `auto-output-${index}-name`,
        component: TextEntry,
        check: false,
        label: ctx.t("editor.output.name"),
        getValue: () => output.name,
        setValue: (name) => updateExtension(element, output, { name }, ctx.services),
        validate: (name) => (name ? null : ctx.t("editor.field.required")),
      },
      {
        id: `auto-output-${index}-value`,
        component: TextEntry,
        label: ctx.t("editor.output.value"),
        getValue: () => output.value,
        setValue: (value) => updateExtension(element, output, { value }, ctx.services),
      },
    ],
  }));
  return {
    id: "auto-outputs",
    label: ctx.t("editor.output.group"),
    component: ListGroup,
    items,
    shouldOpen: items.length > 0,
    add: (event) => {
      event.stopPropagation();
      const name = `result${outputs.length + 1}`;
      addExtension(element, "auto:Output", { name, value: "{% $result %}" }, ctx.services);
    },
  };
}
