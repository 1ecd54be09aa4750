// Hand-written scenarios (the demo, files from other tools) may carry no diagram information:
// lay them out automatically so that they open like any other. bpmn-auto-layout walks the
// graph along each node's `outgoing`, which such files often leave out (the flows' sourceRef
// and targetRef are enough for BPMN), so those lists are filled in from the flows first.
import { BpmnModdle } from "bpmn-moddle";
import { layoutProcess } from "bpmn-auto-layout";

import autoModdle from "./auto-moddle.json";

export function hasDiagram(xml) {
  return /<([\w-]+:)?BPMNShape\b/.test(xml);
}

function linkFlows(container) {
  for (const node of container.flowElements || []) {
    if (node.$type === "bpmn:SequenceFlow") {
      const { sourceRef: source, targetRef: target } = node;
      if (source && !source.get("outgoing").includes(node)) source.get("outgoing").push(node);
      if (target && !target.get("incoming").includes(node)) target.get("incoming").push(node);
    } else if (node.flowElements) {
      linkFlows(node);
    }
  }
}

export async function withLayout(xml) {
  if (hasDiagram(xml)) return xml;
  const moddle = new BpmnModdle({ auto: autoModdle });
  const { rootElement } = await moddle.fromXML(xml);
  for (const root of rootElement.rootElements || []) {
    if (root.$type === "bpmn:Process") linkFlows(root);
  }
  const { xml: linked } = await moddle.toXML(rootElement);
  return layoutProcess(linked);
}
