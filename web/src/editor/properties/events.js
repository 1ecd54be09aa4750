// Error boundaries: the error code they catch, chosen from the codes of the component the
// activity calls (or "any error"). The code lives in a `bpmn:error` of the definitions, which
// is found or added here so the author never writes one by hand.
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

import { componentName } from "../model.js";
import { PickEntry } from "./fields.jsx";

function errorDefinition(element) {
  return (getBusinessObject(element).eventDefinitions || []).find((d) =>
    is(d, "bpmn:ErrorEventDefinition"),
  );
}

export function isErrorBoundary(element) {
  return is(element, "bpmn:BoundaryEvent") && Boolean(errorDefinition(element));
}

function definitions(element) {
  let node = getBusinessObject(element);
  while (node && !is(node, "bpmn:Definitions")) node = node.$parent;
  return node;
}

function errorFor(element, code, ctx) {
  const root = definitions(element);
  const existing = (root.rootElements || []).find(
    (candidate) => is(candidate, "bpmn:Error") && (candidate.errorCode || candidate.id) === code,
  );
  if (existing) return { error: existing, commands: [] };
  const error = ctx.services.bpmnFactory.create("bpmn:Error", { errorCode: code, name: code });
  error.$parent = root;
  const command = {
    cmd: "element.updateModdleProperties",
    context: { element, moddleElement: root, properties: { rootElements: [...root.rootElements, error] } },
  };
  return { error, commands: [command] };
}

export function errorBoundaryGroup(element, ctx, Group) {
  if (!isErrorBoundary(element)) return null;
  const definition = errorDefinition(element);
  const host = getBusinessObject(element).attachedToRef;
  const spec = ctx.components.get(componentName(host) || "");
  const codes = (spec?.errors || []).map((e) => ({ value: e.code, label: `${e.code}: ${e.description}` }));
  const current = definition.errorRef ? definition.errorRef.errorCode || definition.errorRef.id : "";
  if (current && !codes.some((c) => c.value === current)) codes.push({ value: current, label: current });
  const entry = {
    id: "auto-error-code",
    component: PickEntry,
    label: ctx.t("editor.error.code"),
    description: spec ? null : ctx.t("editor.error.codeHint"),
    getValue: () => current,
    getOptions: () => [{ value: "", label: ctx.t("editor.error.any") }, ...codes],
    setValue: (code) => {
      const commands = [];
      let errorRef;
      if (code) {
        const found = errorFor(element, code, ctx);
        commands.push(...found.commands);
        errorRef = found.error;
      }
      commands.push({
        cmd: "element.updateModdleProperties",
        context: { element, moddleElement: definition, properties: { errorRef } },
      });
      ctx.services.commandStack.execute("properties-panel.multi-command-executor", commands);
    },
  };
  return { id: "auto-error", label: ctx.t("editor.error.group"), component: Group, shouldOpen: true, entries: [entry] };
}
