// The one properties provider: every group the Automations format adds, built from the
// components the server describes. The standard bpmn-js groups stay (name, id, documentation,
// except those ours replace (error references, multi-instance, timers: ours offers only the
// kinds the server runs).
import { Group } from "@bpmn-io/properties-panel";

import { callGroups } from "./call.js";
import { componentGroups } from "./component.js";
import { errorBoundaryGroup, isErrorBoundary } from "./events.js";
import { flowGroup, gatewayGroup } from "./flows.js";
import { loopGroup } from "./loop.js";
import { outputsGroup } from "./outputs.js";
import { problemsGroup } from "./problems.jsx";
import { retryGroup } from "./retry.js";
import { timerGroup } from "./timer.js";

const LOW_PRIORITY = 500;
const REPLACED = new Set(["multiInstance", "timer"]);

export default function AutoPropertiesProvider(propertiesPanel, injector, automations) {
  const ctx = {
    ...automations,
    services: {
      bpmnFactory: injector.get("bpmnFactory"),
      commandStack: injector.get("commandStack"),
      modeling: injector.get("modeling"),
    },
  };

  this.getGroups = (element) => (groups) => {
    const kept = groups.filter(
      (group) => !REPLACED.has(group.id) && !(group.id === "error" && isErrorBoundary(element)),
    );
    const ours = [
      ...componentGroups(element, ctx, Group),
      errorBoundaryGroup(element, ctx, Group),
      gatewayGroup(element, ctx, Group),
      flowGroup(element, ctx, Group),
      timerGroup(element, ctx, Group),
      ...callGroups(element, ctx, Group),
      outputsGroup(element, ctx),
      retryGroup(element, ctx, Group),
      loopGroup(element, ctx, Group),
    ].filter(Boolean);
    const problems = problemsGroup(element, ctx, Group);
    const [general, ...rest] = kept;
    return [...(problems ? [problems] : []), ...(general ? [general] : []), ...ours, ...rest];
  };

  propertiesPanel.registerProvider(LOW_PRIORITY, this);
}

AutoPropertiesProvider.$inject = ["propertiesPanel", "injector", "automations"];
