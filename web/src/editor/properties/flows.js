// Gateways: a condition on each way out of an exclusive or inclusive gateway, and which way is
// the default (taken when no condition holds).
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

import { PickEntry, TextEntry } from "./fields.jsx";

const DECIDING = ["bpmn:ExclusiveGateway", "bpmn:InclusiveGateway"];

function deciding(node) {
  return DECIDING.some((type) => is(node, type));
}

function conditionText(flow) {
  const body = getBusinessObject(flow).conditionExpression?.body;
  return body ?? "";
}

function setCondition(flow, text, ctx) {
  const bo = getBusinessObject(flow);
  const properties = text
    ? { conditionExpression: ctx.services.bpmnFactory.create("bpmn:FormalExpression", { body: text }) }
    : { conditionExpression: undefined };
  ctx.services.modeling.updateProperties(flow, properties);
  return bo;
}

export function flowGroup(element, ctx, Group) {
  if (!is(element, "bpmn:SequenceFlow")) return null;
  const source = getBusinessObject(element).sourceRef;
  if (!deciding(source)) return null;
  const isDefault = () => source.default === getBusinessObject(element);
  const entries = [
    {
      id: "auto-condition",
      component: TextEntry,
      always: true,
      area: true,
      label: ctx.t("editor.flow.condition"),
      description: isDefault() ? ctx.t("editor.flow.defaultNoCondition") : ctx.t("editor.flow.conditionHint"),
      getValue: () => conditionText(element),
      setValue: (text) => setCondition(element, text, ctx),
    },
  ];
  return { id: "auto-flow", label: ctx.t("editor.flow.group"), component: Group, shouldOpen: true, entries };
}

export function gatewayGroup(element, ctx, Group) {
  if (!deciding(element)) return null;
  const bo = getBusinessObject(element);
  const outgoing = bo.outgoing || [];
  const entries = [
    {
      id: "auto-default-flow",
      component: PickEntry,
      label: ctx.t("editor.gateway.defaultFlow"),
      getValue: () => bo.default?.id || "",
      setValue: (id) => {
        const flow = outgoing.find((candidate) => candidate.id === id);
        ctx.services.modeling.updateProperties(element, { default: flow || undefined });
      },
      getOptions: () => [
        { value: "", label: ctx.t("editor.field.none") },
        ...outgoing.map((flow) => ({
          value: flow.id,
          label: flow.name ? `${flow.name} (${flow.id})` : flow.id,
        })),
      ],
    },
  ];
  return { id: "auto-gateway", label: ctx.t("editor.gateway.group"), component: Group, shouldOpen: true, entries };
}
