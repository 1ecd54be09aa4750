// The panel's entry components. Each takes `getValue`/`setValue` over the stored text and
// shows the kind of input its schema type asks for; JSONata text is checked with the server
// as it is typed (the answer shows as the entry's error).
import {
  CheckboxEntry,
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
} from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";
import { useCallback, useEffect, useState } from "@bpmn-io/properties-panel/preact/hooks";

import { isExpression } from "../model.js";
import { readBoolean, readNumber, writeBoolean, writeNumber } from "../values.js";

/** A validate function that answers from the server's check of each expression text. */
function useExpressionCheck(always) {
  const { checker, t } = useService("automations");
  const eventBus = useService("eventBus");
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const changed = () => {
      setTick((n) => n + 1);
    };
    eventBus.on("automations.expressionChecked", changed);
    return () => eventBus.off("automations.expressionChecked", changed);
  }, [eventBus]);
  return useCallback(
    (value) => {
      if (!value || !(always || isExpression(value))) return null;
      const answer = checker.check(value);
      if (!answer || answer.ok) return null;
      return t("editor.field.jsonataError", { message: answer.message });
    },
    [tick, always],
  );
}

export function TextEntry(props) {
  const { element, id, label, description, getValue, setValue, always, area, check = true } =
    props;
  const debounce = useService("debounceInput");
  const checked = useExpressionCheck(always);
  const validate = (value) => props.validate?.(value) || (check ? checked(value) : null);
  const Entry = area ? TextAreaEntry : TextFieldEntry;
  return (
    <Entry
      element={element}
      id={id}
      label={label}
      description={description}
      getValue={() => getValue() ?? ""}
      setValue={(value, error) => setValue(value ?? "", error)}
      debounce={debounce}
      validate={validate}
      autoResize={area}
    />
  );
}

/** A number: shown as `1200`, stored as `{% 1200 %}`; a `{% %}` expression is kept as typed. */
export function NumberEntry(props) {
  const { element, id, label, description, getValue, setValue, required } = props;
  const { t } = useService("automations");
  const shown = () => {
    const stored = getValue() ?? "";
    const number = readNumber(stored);
    return number === null ? stored : String(number);
  };
  return (
    <TextEntry
      element={element}
      id={id}
      label={label}
      description={description}
      getValue={shown}
      setValue={(typed) => {
        const written = writeNumber(typed);
        if (!(written instanceof Error)) setValue(written);
      }}
      validate={(typed) => {
        if (!typed && required) return t("editor.field.required");
        return writeNumber(typed || "") instanceof Error ? t("editor.field.notNumber") : null;
      }}
    />
  );
}

/** A boolean: a checkbox writing `{% true %}`/`{% false %}`; an expression stays a text field. */
export function BooleanEntry(props) {
  const { element, id, label, description, getValue, setValue, fallback } = props;
  const stored = getValue() ?? "";
  const flag = readBoolean(stored);
  if (stored && flag === null) return <TextEntry {...props} />;
  return (
    <CheckboxEntry
      element={element}
      id={id}
      label={label}
      description={description}
      getValue={() => (flag === null ? Boolean(fallback) : flag)}
      setValue={(checked) => setValue(writeBoolean(checked))}
    />
  );
}

/** One of the enum's values (or nothing: the component's default); an expression is kept. */
export function SelectValueEntry(props) {
  const { element, id, label, description, getValue, setValue, options, fallback } = props;
  const { t } = useService("automations");
  const stored = getValue() ?? "";
  if (stored && !options.includes(stored)) return <TextEntry {...props} />;
  const none = fallback ? t("editor.field.defaultIs", { value: fallback }) : t("editor.field.none");
  return (
    <SelectEntry
      element={element}
      id={id}
      label={label}
      description={description}
      getValue={() => stored}
      setValue={(value) => setValue(value)}
      getOptions={() => [
        { value: "", label: none },
        ...options.map((value) => ({ value, label: value })),
      ]}
    />
  );
}

export function PickEntry(props) {
  const { element, id, label, description, getValue, setValue, getOptions } = props;
  return (
    <SelectEntry
      element={element}
      id={id}
      label={label}
      description={description}
      getValue={() => getValue() ?? ""}
      setValue={(value) => setValue(value)}
      getOptions={getOptions}
    />
  );
}
