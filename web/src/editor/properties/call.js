// Call activities: the scenario they start (picked from the saved ones) and its start
// variables (`auto:input`, one per variable).
import { ListGroup } from "@bpmn-io/properties-panel";
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

import { addExtension, extensions, removeExtension, updateExtension } from "../model.js";
import { PickEntry, TextEntry } from "./fields.jsx";

export function callGroups(element, ctx, Group) {
  if (!is(element, "bpmn:CallActivity")) return [];
  const bo = getBusinessObject(element);
  const picker = {
    id: "auto-called-scenario",
    component: PickEntry,
    label: ctx.t("editor.call.scenario"),
    getValue: () => bo.calledElement || "",
    setValue: (calledElement) =>
      ctx.services.modeling.updateProperties(element, { calledElement: calledElement || undefined }),
    getOptions: () => {
      const ids = new Set(ctx.scenarios());
      if (ctx.scenarioId()) ids.add(ctx.scenarioId());
      if (bo.calledElement) ids.add(bo.calledElement);
      return [{ value: "", label: ctx.t("editor.field.none") }, ...[...ids].sort().map((id) => ({ value: id, label: id }))];
    },
  };
  const inputs = extensions(element, "auto:Input");
  const items = inputs.map((input, index) => ({
    id: `auto-call-input-${index}`,
    label: input.name || ctx.t("editor.output.unnamed"),
    remove: () => removeExtension(element, input, ctx.services),
    entries: [
      {
        id: `auto-call-input-${index}-name`,
        component: TextEntry,
        check: false,
        label: ctx.t("editor.call.variable"),
        getValue: () => input.name,
        setValue: (name) => updateExtension(element, input, { name }, ctx.services),
      },
      {
        id: `auto-call-input-${index}-value`,
        component: TextEntry,
        label: ctx.t("editor.output.value"),
        getValue: () => input.value,
        setValue: (value) => updateExtension(element, input, { value }, ctx.services),
      },
    ],
  }));
  return [
    { id: "auto-call", label: ctx.t("editor.call.group"), component: Group, shouldOpen: true, entries: [picker] },
    {
      id: "auto-call-inputs",
      label: ctx.t("editor.call.inputs"),
      component: ListGroup,
      items,
      add: (event) => {
        event.stopPropagation();
        addExtension(element, "auto:Input", { name: `var${inputs.length + 1}`, value: "" }, ctx.services);
      },
    },
  ];
}
