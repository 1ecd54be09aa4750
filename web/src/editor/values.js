// Typed field values <-> the text of `auto:input value=`. A literal value is always a string,
// so anything typed (a number, a boolean, an object, a list) is written as a JSONata expression:
// `{% 1200 %}`, `{% true %}`, `{% {"a": "x", "b": $total} %}`. Reading goes the other way,
// and gives `null` when the text is some other expression (the field then shows it as is).
import { isExpression } from "./model.js";

export function inner(text) {
  return text.trim().slice(2, -2).trim();
}

export function wrap(jsonata) {
  return `{% ${jsonata} %}`;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The number a stored value holds, or null. */
export function readNumber(text) {
  if (!isExpression(text)) return null;
  const body = inner(text);
  return NUMBER.test(body) ? Number(body) : null;
}

/** What the user typed into a number field -> the stored value, or an Error. */
export function writeNumber(typed) {
  const text = typed.trim();
  if (!text) return "";
  if (isExpression(text)) return text;
  if (NUMBER.test(text) && Number.isFinite(Number(text))) return wrap(text);
  return new Error("number");
}

export function readBoolean(text) {
  if (!isExpression(text)) return null;
  const body = inner(text);
  return body === "true" ? true : body === "false" ? false : null;
}

export function writeBoolean(flag) {
  return wrap(flag ? "true" : "false");
}

/** One item of an object or a list as the user edits it: a literal text or `{% ... %}`. */
function itemJsonata(value) {
  return isExpression(value) ? `(${inner(value)})` : JSON.stringify(value);
}

function itemText(jsonata) {
  const text = jsonata.trim();
  if (/^\(([\s\S]*)\)$/.test(text)) return wrap(text.slice(1, -1).trim());
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed === "string") return parsed;
    // Numbers, booleans, null and nested JSON stay typed: keep them as expressions.
    return wrap(text);
  } catch {
    return wrap(text);
  }
}

/** Split `a, b, c` at the top level (not inside strings, brackets or parentheses). */
function splitTop(text, separator) {
  const parts = [];
  let depth = 0;
  let quote = null;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i += 1;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if ("([{".includes(c)) depth += 1;
    else if (")]}".includes(c)) depth -= 1;
    else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (quote || depth !== 0) return null;
  parts.push(text.slice(start));
  return parts;
}

/** `[{key, value}]` from a stored object value, or null when it is another expression. */
export function readObject(text) {
  if (!isExpression(text)) return null;
  const body = inner(text);
  if (!body.startsWith("{") || !body.endsWith("}")) return null;
  const content = body.slice(1, -1).trim();
  if (!content) return [];
  const parts = splitTop(content, ",");
  if (!parts) return null;
  const pairs = [];
  for (const part of parts) {
    const halves = splitTop(part, ":");
    if (!halves || halves.length < 2) return null;
    const [rawKey, ...rest] = halves;
    let key;
    try {
      key = JSON.parse(rawKey.trim().replace(/^'(.*)'$/, '"$1"'));
    } catch {
      return null;
    }
    if (typeof key !== "string") return null;
    pairs.push({ key, value: itemText(rest.join(":")) });
  }
  return pairs;
}

export function writeObject(pairs) {
  if (!pairs.length) return "";
  const body = pairs.map(({ key, value }) => `${JSON.stringify(key)}: ${itemJsonata(value)}`);
  return wrap(`{${body.join(", ")}}`);
}

/** The items of a stored list value, or null when it is another expression. */
export function readList(text) {
  if (!isExpression(text)) return null;
  const body = inner(text);
  if (!body.startsWith("[") || !body.endsWith("]")) return null;
  const content = body.slice(1, -1).trim();
  if (!content) return [];
  const parts = splitTop(content, ",");
  return parts ? parts.map(itemText) : null;
}

export function writeList(items) {
  if (!items.length) return "";
  return wrap(`[${items.map(itemJsonata).join(", ")}]`);
}
