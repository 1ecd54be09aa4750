// Timers: what the server runs, and only that (bpmn/timers.py). An intermediate timer waits a
// duration or until a date; a timer boundary limits how long its activity may take, so it takes
// a duration only. Cycles are not offered (the compiler refuses them: a loop through a timer
// does the same); a cycle in an uploaded file is shown as it is, to be changed.
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

import { PickEntry, TextEntry } from "./fields.jsx";

const FIELDS = ["timeDuration", "timeDate", "timeCycle"];

function timerDefinition(element) {
  return (getBusinessObject(element).eventDefinitions || []).find((d) => is(d, "bpmn:TimerEventDefinition"));
}

/** The kinds of timer this element may have, in the order the panel offers them. */
export function timerKinds(element) {
  if (is(element, "bpmn:BoundaryEvent")) return ["timeDuration"];
  if (is(element, "bpmn:IntermediateCatchEvent")) return ["timeDuration", "timeDate"];
  return [];
}

function currentKind(definition) {
  return FIELDS.find((field) => definition.get(field) !== undefined) || "";
}

function setKind(element, definition, kind, ctx) {
  const properties = Object.fromEntries(FIELDS.map((field) => [field, undefined]));
  // A duration's text is no date (nor the reverse): the new kind starts empty.
  if (kind) properties[kind] = ctx.services.bpmnFactory.create("bpmn:FormalExpression", {});
  ctx.services.commandStack.execute("element.updateModdleProperties", {
    element,
    moddleElement: definition,
    properties,
  });
}

function setText(element, definition, kind, text, ctx) {
  const expression = ctx.services.bpmnFactory.create("bpmn:FormalExpression", { body: text || undefined });
  ctx.services.commandStack.execute("element.updateModdleProperties", {
    element,
    moddleElement: definition,
    properties: { [kind]: expression },
  });
}

export function timerGroup(element, ctx, Group) {
  const definition = timerDefinition(element);
  const kinds = timerKinds(element);
  if (!definition || !kinds.length) return null;
  const kind = currentKind(definition);
  const offered = kind && !kinds.includes(kind) ? [...kinds, kind] : kinds;
  const entries = [
    {
      id: "auto-timer-kind",
      component: PickEntry,
      label: ctx.t("editor.timer.kind"),
      getValue: () => kind,
      setValue: (chosen) => setKind(element, definition, chosen, ctx),
      getOptions: () => [
        ...(kind ? [] : [{ value: "", label: ctx.t("editor.field.none") }]),
        ...offered.map((value) => ({
          value,
          label: kinds.includes(value) ? ctx.t(`editor.timer.${value}`) : ctx.t("editor.timer.unsupported"),
        })),
      ],
    },
  ];
  if (kind) {
    entries.push({
      id: "auto-timer-value",
      component: TextEntry,
      label: ctx.t(kinds.includes(kind) ? `editor.timer.${kind}` : "editor.timer.unsupported"),
      description: ctx.t(`editor.timer.${kind}Hint`),
      getValue: () => definition.get(kind)?.body ?? "",
      setValue: (text) => setText(element, definition, kind, text, ctx),
    });
  }
  return { id: "auto-timer", label: ctx.t("editor.timer.group"), component: Group, shouldOpen: true, entries };
}
