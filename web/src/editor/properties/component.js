// The component's group: which component the task calls and one field per input of its
// `inputSchema` (the generic form: no component has UI code of its own). Object and list
// inputs get list groups of their own after it.
import { ListGroup } from "@bpmn-io/properties-panel";

import { componentName, extension, inputOf, setInput, updateExtension } from "../model.js";
import { enumValues, fieldKind, properties } from "../schema.js";
import { readList, readObject, writeList, writeObject } from "../values.js";
import { BooleanEntry, NumberEntry, PickEntry, SelectValueEntry, TextEntry } from "./fields.jsx";

const SCALAR = {
  text: TextEntry,
  number: NumberEntry,
  boolean: BooleanEntry,
  select: SelectValueEntry,
};

function label(name, property, required) {
  return `${property.title || name}${required ? " *" : ""}`;
}

function scalarEntry(element, field, ctx) {
  const { name, property, required } = field;
  const kind = fieldKind(property);
  // An object or list whose value is some other expression is edited as that expression.
  const stored = inputOf(element, name)?.value || "";
  const asText =
    (kind === "object" && stored && readObject(stored) === null) ||
    (kind === "list" && stored && readList(stored) === null);
  const component = asText ? TextEntry : SCALAR[kind];
  if (!component) return null;
  return {
    id: `auto-input-${name}`,
    component,
    label: label(name, property, required),
    description: property.description,
    required,
    fallback: property.default ?? "",
    options: enumValues(property),
    getValue: () => inputOf(element, name)?.value,
    setValue: (value) => setInput(element, name, value, ctx.services),
    validate: (value) => (required && !value ? ctx.t("editor.field.required") : null),
    isEdited: () => Boolean(inputOf(element, name)),
  };
}

function pairGroup(element, field, ctx) {
  const { name, property, required } = field;
  const stored = () => inputOf(element, name)?.value || "";
  const pairs = () => readObject(stored()) || [];
  const write = (next) => setInput(element, name, writeObject(next), ctx.services);
  const items = pairs().map((pair, index) => ({
    id: `auto-input-${name}-${index}`,
    label: pair.key || ctx.t("editor.field.emptyKey"),
    remove: () => write(pairs().filter((_, i) => i !== index)),
    entries: [
      {
        id: `auto-input-${name}-${index}-key`,
        component: TextEntry,
        check: false,
        label: ctx.t("editor.field.key"),
        getValue: () => pairs()[index]?.key,
        setValue: (key) => write(pairs().map((p, i) => (i === index ? { ...p, key } : p))),
      },
      {
        id: `auto-input-${name}-${index}-value`,
        component: TextEntry,
        label: ctx.t("editor.field.value"),
        getValue: () => pairs()[index]?.value,
        setValue: (value) => write(pairs().map((p, i) => (i === index ? { ...p, value } : p))),
      },
    ],
  }));
  return {
    id: `auto-input-${name}`,
    label: label(name, property, required),
    component: ListGroup,
    items,
    shouldOpen: items.length > 0,
    add: (event) => {
      event.stopPropagation();
      write([...pairs(), { key: `key${pairs().length + 1}`, value: "" }]);
    },
  };
}

function listGroup(element, field, ctx) {
  const { name, property, required } = field;
  const items = () => readList(inputOf(element, name)?.value || "") || [];
  const write = (next) => setInput(element, name, writeList(next), ctx.services);
  const rows = items().map((item, index) => ({
    id: `auto-input-${name}-${index}`,
    label: item || ctx.t("editor.field.emptyItem"),
    remove: () => write(items().filter((_, i) => i !== index)),
    entries: [
      {
        id: `auto-input-${name}-${index}-value`,
        component: TextEntry,
        label: ctx.t("editor.field.value"),
        getValue: () => items()[index],
        setValue: (value) => write(items().map((v, i) => (i === index ? value : v))),
      },
    ],
  }));
  return {
    id: `auto-input-${name}`,
    label: label(name, property, required),
    component: ListGroup,
    items: rows,
    shouldOpen: rows.length > 0,
    add: (event) => {
      event.stopPropagation();
      write([...items(), ""]);
    },
  };
}

export function componentGroups(element, ctx, Group) {
  const name = componentName(element);
  if (!extension(element, "auto:Component")) return [];
  const spec = ctx.components.get(name);
  const picker = {
    id: "auto-component",
    component: PickEntry,
    label: ctx.t("editor.component.type"),
    description: spec?.description,
    getValue: () => componentName(element),
    setValue: (type) =>
      updateExtension(element, extension(element, "auto:Component"), { type }, ctx.services),
    getOptions: () => [
      ...(spec ? [] : [{ value: name || "", label: name || "" }]),
      ...[...ctx.components.values()].map((c) => ({ value: c.name, label: c.title || c.name })),
    ],
  };
  const fields = spec ? properties(spec.inputSchema) : [];
  const scalars = [];
  const lists = [];
  for (const field of fields) {
    const kind = fieldKind(field.property);
    const stored = inputOf(element, field.name)?.value || "";
    if (kind === "object" && (!stored || readObject(stored) !== null)) {
      lists.push(pairGroup(element, field, ctx));
    } else if (kind === "list" && (!stored || readList(stored) !== null)) {
      lists.push(listGroup(element, field, ctx));
    } else {
      scalars.push(scalarEntry(element, field, ctx));
    }
  }
  const known = new Set(fields.map((field) => field.name));
  // Inputs the schema does not know (a renamed field, a typo) stay visible and editable.
  for (const input of element.businessObject.extensionElements?.values || []) {
    if (input.$type === "auto:Input" && !known.has(input.name)) {
      scalars.push({
        id: `auto-input-${input.name}`,
        component: TextEntry,
        label: `${input.name} (${ctx.t("editor.component.unknownInput")})`,
        getValue: () => input.value,
        setValue: (value) => setInput(element, input.name, value, ctx.services),
      });
    }
  }
  const main = {
    id: "auto-component",
    label: spec?.title || ctx.t("editor.component.group"),
    component: Group,
    shouldOpen: true,
    entries: [picker, ...scalars.filter(Boolean)],
  };
  return [main, ...lists];
}

