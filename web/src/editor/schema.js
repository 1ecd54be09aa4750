// What kind of field a property of a component's `inputSchema` gets. Optional values come as
// `anyOf: [X, {type: null}]`; the null side only means "may be left out" here.

function branches(property) {
  const options = property.anyOf || property.oneOf;
  if (!options) return [property];
  const kept = options.filter((option) => option.type !== "null");
  return kept.length ? kept : [property];
}

/** `text`, `number`, `boolean`, `select`, `object`, `list` (or `text` for anything mixed). */
export function fieldKind(property) {
  const options = branches(property);
  if (options.length !== 1) return "text";
  const [one] = options;
  if (one.enum) return "select";
  switch (one.type) {
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "object":
      return "object";
    case "array":
      return "list";
    default:
      return "text";
  }
}

export function enumValues(property) {
  return branches(property).find((option) => option.enum)?.enum || [];
}

export function describeDefault(property) {
  if (property.default === undefined || property.default === null) return "";
  return typeof property.default === "string" ? property.default : JSON.stringify(property.default);
}

export function properties(schema) {
  const required = new Set(schema?.required || []);
  return Object.entries(schema?.properties || {}).map(([name, property]) => ({
    name,
    property,
    required: required.has(name),
  }));
}
