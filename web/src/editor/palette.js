// The palette's component groups: one group per family the server names (records, actions,
// communications, data, ...), one entry per component, each making a service task that calls
// it. Entries are text (the component's title): eleven look-alike gear icons would not do.
const FAMILY_ORDER = ["records", "actions", "communications", "data", "processes"];

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export default function ComponentPalette(palette, create, elementFactory, bpmnFactory, automations) {
  function shape(name) {
    const component = bpmnFactory.create("auto:Component", { type: name });
    const extensionElements = bpmnFactory.create("bpmn:ExtensionElements", { values: [component] });
    component.$parent = extensionElements;
    const spec = automations.components.get(name);
    const businessObject = bpmnFactory.create("bpmn:ServiceTask", {
      name: spec?.title || name,
      extensionElements,
    });
    extensionElements.$parent = businessObject;
    return elementFactory.createShape({ type: "bpmn:ServiceTask", businessObject });
  }

  function start(name) {
    return (event) => create.start(event, shape(name));
  }

  this.getPaletteEntries = () => (entries) => {
    const families = [...new Set([...automations.components.values()].map((c) => c.family))];
    families.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    for (const family of families) {
      const key = `editor.family.${family}`;
      const translated = automations.t(key);
      // A family the dictionaries do not know yet (a new component's) shows its own name.
      const heading = translated && translated !== key ? translated : family;
      entries[`auto-family-${family}`] = {
        group: `auto-${family}`,
        html: `<div class="auto-palette-heading">${escape(heading)}</div>`,
      };
      for (const spec of automations.components.values()) {
        if (spec.family !== family) continue;
        entries[`create.component.${spec.name}`] = {
          group: `auto-${family}`,
          title: spec.description || spec.title,
          html: `<div class="entry auto-palette-component" draggable="true" title="${escape(
            spec.description || spec.name,
          )}">${escape(spec.title || spec.name)}</div>`,
          action: { dragstart: start(spec.name), click: start(spec.name) },
        };
      }
    }
    return entries;
  };

  palette.registerProvider(this);
}

function rank(family) {
  const index = FAMILY_ORDER.indexOf(family);
  return index < 0 ? FAMILY_ORDER.length : index;
}

ComponentPalette.$inject = ["palette", "create", "elementFactory", "bpmnFactory", "automations"];
