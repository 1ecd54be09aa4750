// bpmn-js asks its `translate` service for every word it shows (palette, context pad, replace
// menu, the standard properties groups). Overriding that service with the UI's language makes
// the editor speak it; an English template the dictionary lacks stays English.
import ru from "../i18n/bpmn-ru.js";

const DICTIONARIES = { ru };

export function bpmnTranslator(language) {
  const words = DICTIONARIES[language] || {};
  return function translate(template, replacements = {}) {
    const text = words[template] ?? template;
    return text.replace(/\{([^}]+)\}/g, (whole, name) => (name in replacements ? String(replacements[name]) : whole));
  };
}

/** A bpmn-js module replacing the default `translate` service. */
export function translateModule(language) {
  return { translate: ["value", bpmnTranslator(language)] };
}
