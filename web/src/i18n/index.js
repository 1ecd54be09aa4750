// One dictionary per language (a flat object, keys grouped by area); `t(key, {name})` fills
// `{name}` placeholders. A key missing in the chosen language falls back to English, then to the
// key itself, so a missing label is visible rather than blank.
import en from "./en.js";
import ru from "./ru.js";

export const LANGUAGES = { en, ru };
const STORAGE_KEY = "automations.language";

export function initialLanguage() {
  const saved = readSaved();
  if (saved in LANGUAGES) return saved;
  return (navigator.language || "en").toLowerCase().startsWith("ru") ? "ru" : "en";
}

export function saveLanguage(language) {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Storage may be off (private mode): the choice then lasts until the page reloads.
  }
}

function readSaved() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function translator(language) {
  const words = LANGUAGES[language] || en;
  return function t(key, params) {
    const text = words[key] ?? en[key] ?? key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  };
}
