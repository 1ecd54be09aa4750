// Retry: which of the component's error codes to retry on, how often and how fast
// (`auto:retry`); unticking every code removes it.
import { CheckboxEntry } from "@bpmn-io/properties-panel";

import { addExtension, componentName, extension, removeExtension, updateExtension } from "../model.js";
import { NumberEntry } from "./fields.jsx";

const NUMBERS = ["maxAttempts", "intervalSeconds", "backoffRate"];

export function retryGroup(element, ctx, Group) {
  const name = componentName(element);
  if (!name) return null;
  const spec = ctx.components.get(name);
  const retry = extension(element, "auto:Retry");
  const chosen = new Set((retry?.errors || "").split(/\s+/).filter(Boolean));
  const codes = [...new Set([...(spec?.errors || []).map((e) => e.code), ...chosen])];
  const toggle = (code, on) => {
    const next = new Set(chosen);
    if (on) next.add(code);
    else next.delete(code);
    const errors = [...next].join(" ");
    if (!errors && retry) removeExtension(element, retry, ctx.services);
    else if (!retry) addExtension(element, "auto:Retry", { errors }, ctx.services);
    else updateExtension(element, retry, { errors }, ctx.services);
  };
  const entries = codes.map((code) => ({
    id: `auto-retry-${code}`,
    component: CheckboxEntry,
    label: code,
    getValue: () => chosen.has(code),
    setValue: (on) => toggle(code, on),
  }));
  if (retry) {
    for (const attr of NUMBERS) {
      entries.push({
        id: `auto-retry-${attr}`,
        component: NumberEntry,
        label: ctx.t(`editor.retry.${attr}`),
        // auto:retry takes plain numbers, not expressions: strip the typed wrapper.
        getValue: () => (retry[attr] ? `{% ${retry[attr]} %}` : ""),
        setValue: (value) => {
          const plain = value.replace(/^\{%\s*|\s*%\}$/g, "");
          updateExtension(element, retry, { [attr]: plain || undefined }, ctx.services);
        },
      });
    }
  }
  return { id: "auto-retry", label: ctx.t("editor.retry.group"), component: Group, entries };
}
