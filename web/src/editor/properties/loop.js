// Multi-instance: one run of the activity per item of a list (`auto:loop` beside the standard
// loop marker, which says parallel or sequential).
import { CheckboxEntry } from "@bpmn-io/properties-panel";
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

import { extension, updateExtension } from "../model.js";
import { TextEntry } from "./fields.jsx";

const MULTI = "properties-panel.multi-command-executor";

function marker(element) {
  const loop = getBusinessObject(element).loopCharacteristics;
  return is(loop, "bpmn:MultiInstanceLoopCharacteristics") ? loop : null;
}

function enable(element, on, ctx) {
  const { bpmnFactory, commandStack } = ctx.services;
  const bo = getBusinessObject(element);
  const commands = [];
  if (on) {
    const loopCharacteristics = bpmnFactory.create("bpmn:MultiInstanceLoopCharacteristics");
    commands.push({ cmd: "element.updateProperties", context: { element, properties: { loopCharacteristics } } });
    let holder = bo.extensionElements;
    if (!holder) {
      holder = bpmnFactory.create("bpmn:ExtensionElements", { values: [] });
      holder.$parent = bo;
      commands.push({
        cmd: "element.updateModdleProperties",
        context: { element, moddleElement: bo, properties: { extensionElements: holder } },
      });
    }
    if (!extension(element, "auto:Loop")) {
      const loop = bpmnFactory.create("auto:Loop", { inputCollection: "{% [] %}", inputElement: "item" });
      loop.$parent = holder;
      commands.push({
        cmd: "element.updateModdleProperties",
        context: { element, moddleElement: holder, properties: { values: [...(holder.values || []), loop] } },
      });
    }
  } else {
    commands.push({
      cmd: "element.updateProperties",
      context: { element, properties: { loopCharacteristics: undefined } },
    });
    const loop = extension(element, "auto:Loop");
    if (loop) {
      const holder = bo.extensionElements;
      commands.push({
        cmd: "element.updateModdleProperties",
        context: { element, moddleElement: holder, properties: { values: holder.values.filter((v) => v !== loop) } },
      });
    }
  }
  commandStack.execute(MULTI, commands);
}

export function loopGroup(element, ctx, Group) {
  if (!is(element, "bpmn:Activity")) return null;
  const loopMarker = marker(element);
  const spec = extension(element, "auto:Loop");
  const entries = [
    {
      id: "auto-loop-enabled",
      component: CheckboxEntry,
      label: ctx.t("editor.loop.enabled"),
      getValue: () => Boolean(loopMarker),
      setValue: (on) => enable(element, on, ctx),
    },
  ];
  if (loopMarker) {
    entries.push({
      id: "auto-loop-sequential",
      component: CheckboxEntry,
      label: ctx.t("editor.loop.sequential"),
      getValue: () => Boolean(loopMarker.isSequential),
      setValue: (isSequential) =>
        ctx.services.commandStack.execute("element.updateModdleProperties", {
          element,
          moddleElement: loopMarker,
          properties: { isSequential },
        }),
    });
    const field = (attr, check) => ({
      id: `auto-loop-${attr}`,
      component: TextEntry,
      check,
      label: ctx.t(`editor.loop.${attr}`),
      getValue: () => spec?.[attr],
      setValue: (value) => spec && updateExtension(element, spec, { [attr]: value || undefined }, ctx.services),
    });
    entries.push(
      field("inputCollection", true),
      field("inputElement", false),
      field("outputCollection", false),
      field("outputElement", true),
    );
  }
  return { id: "auto-loop", label: ctx.t("editor.loop.group"), component: Group, entries };
}
