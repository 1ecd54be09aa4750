// A catalog's records: search, pages, a card to create or edit one (each change is sent to the
// card's `$record.updating` hook, whose answer changes the card's values as the person types),
// and delete. Writes fire the catalog's record events like any API client's.
import { useEffect, useRef, useState } from "@bpmn-io/properties-panel/preact/hooks";
import { query } from "../api.js";
import { useApp } from "../ui/context.js";
import { formatTime, isoToLocalInput, localInputToIso } from "../ui/format.js";
import { useLoad, useSubmit } from "../ui/hooks.js";
import { ConfirmButton, Empty, ErrorBox, Field, Link, Loading, Page, Pager } from "../ui/widgets.jsx";
import { RecordMessages } from "./record-messages.jsx";

const LIMIT = 25;
const HOOK_DELAY_MS = 400;
const NO_VALUE = new Set(["group", "button"]);
const CHOICES = new Set(["dropdown", "checkboxes", "radiobutton"]);
const NUMBERS = new Set(["number", "progress", "stars"]);

export function RecordsPage({ params }) {
  const { api, t } = useApp();
  const catalogId = params.id;
  const catalog = useLoad(() => api.get(`api/v1/catalogs/${catalogId}`), [catalogId]);
  const [search, setSearch] = useState("");
  const [offset, setOffset] = useState(0);
  const records = useLoad(
    () => api.get(`api/v1/catalogs/${catalogId}/records${query({ searchText: search.trim(), limit: LIMIT, offset })}`),
    [catalogId, search, offset],
  );
  const [editing, setEditing] = useState(null); // null: closed; {}: a new record; a record
  const [error, setError] = useState(null);
  // `catalogs/:id/records/:recordId` (a mention's link) opens that record's card.
  useEffect(() => {
    if (!params.recordId) return;
    api
      .get(`api/v1/catalogs/${catalogId}/records/${params.recordId}`)
      .then(setEditing)
      .catch(setError);
  }, [catalogId, params.recordId]);
  const fields = (catalog.data?.fields || []).filter((f) => !NO_VALUE.has(f.type));

  const remove = async (recordId) => {
    setError(null);
    try {
      await api.del(`api/v1/catalogs/${catalogId}/records/${recordId}`);
      await records.reload({ quiet: true });
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <Page
      title={catalog.data ? catalog.data.name : t("records.title")}
      actions={
        <>
          <Link to="catalogs" class="button ghost">
            {t("records.back")}
          </Link>
          <button type="button" class="primary" onClick={() => setEditing({})} data-testid="new-record">
            {t("records.new")}
          </button>
        </>
      }
    >
      <ErrorBox error={catalog.error || records.error || error} />
      {editing && catalog.data && (
        <RecordCard
          key={editing.id || "new"}
          catalog={catalog.data}
          record={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            records.reload({ quiet: true });
          }}
        />
      )}
      <div class="toolbar">
        <input
          type="search"
          class="search"
          placeholder={t("records.search")}
          aria-label={t("records.search")}
          value={search}
          onInput={(e) => {
            setSearch(e.currentTarget.value);
            setOffset(0);
          }}
        />
      </div>
      {(records.loading && !records.data) || !catalog.data ? (
        <Loading />
      ) : records.data.length === 0 ? (
        <Empty>{t("records.none")}</Empty>
      ) : (
        <table class="table" data-testid="records">
          <thead>
            <tr>
              <th>{t("records.id")}</th>
              {fields.map((f) => (
                <th key={f.id}>{f.name || f.id}</th>
              ))}
              <th>{t("records.updatedAt")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {records.data.map((record) => (
              <tr key={record.id} data-record={record.id}>
                <td class="mono">{record.id}</td>
                {fields.map((f) => (
                  <td key={f.id}>{shownValue(f, record.values[f.id])}</td>
                ))}
                <td class="nowrap">{formatTime(record.updatedAt)}</td>
                <td class="actions">
                  <button type="button" class="small" onClick={() => setEditing(record)}>
                    {t("common.edit")}
                  </button>
                  <ConfirmButton label={t("common.delete")} onConfirm={() => remove(record.id)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {records.data && <Pager offset={offset} limit={LIMIT} count={records.data.length} onChange={setOffset} />}
    </Page>
  );
}

function RecordCard({ catalog, record, onClose, onSaved }) {
  const { api, t } = useApp();
  const fields = catalog.fields.filter((f) => !NO_VALUE.has(f.type));
  const [values, setValues] = useState(() => ({ ...(record.values || {}) }));
  const [changedByHook, setChangedByHook] = useState(new Set());
  const [hook, setHook] = useState({ message: null, error: null });
  const pending = useRef({});
  const timer = useRef(null);
  const base = `api/v1/catalogs/${catalog.id}/records`;
  const isNew = !record.id;

  useEffect(() => () => clearTimeout(timer.current), []);

  // The hook sees what the person changed since its last call and the whole card.
  const askHook = (next) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(async () => {
      const changed = pending.current;
      pending.current = {};
      try {
        const answer = await api.post(isNew ? `${base}/updating` : `${base}/${record.id}/updating`, {
          values: changed,
          allValues: cleaned(next),
        });
        const given = answer.values || {};
        if (Object.keys(given).length) {
          setValues((old) => ({ ...old, ...given }));
          setChangedByHook(new Set(Object.keys(given)));
        }
        setHook({ message: answer.message || null, error: null });
      } catch (error) {
        setHook({ message: null, error });
      }
    }, HOOK_DELAY_MS);
  };

  const change = (fieldId, value) => {
    const next = { ...values, [fieldId]: value };
    setValues(next);
    pending.current = { ...pending.current, [fieldId]: value };
    setChangedByHook(new Set());
    askHook(next);
  };

  const form = useSubmit(async () => {
    clearTimeout(timer.current);
    const body = { values: isNew ? cleaned(values) : changedOnly(record.values || {}, values) };
    if (isNew) await api.post(base, body);
    else await api.patch(`${base}/${record.id}`, body);
    onSaved();
  });
  const errors = { ...(hook.error?.fieldErrors?.() || {}), ...(form.error?.fieldErrors?.() || {}) };
  const fieldError = (f) => errors[f.id] ?? errors[`values.${f.id}`];

  return (
    <>
      <form class="card record-card" onSubmit={form.submit} data-testid="record-card">
        <h2>{isNew ? t("records.newTitle") : t("records.editTitle", { id: record.id })}</h2>
        {hook.message && <p class="notice" data-testid="hook-message">{hook.message}</p>}
        <div class="record-fields">
          {fields.map((f) => (
            <Field
              key={f.id}
              label={`${f.name || f.id}${f.required ? " *" : ""}`}
              name={f.id}
              errors={{ [f.id]: fieldError(f) }}
              hint={f.hint}
            >
              <ValueInput
                field={f}
                value={values[f.id]}
                onChange={(v) => change(f.id, v)}
                highlighted={changedByHook.has(f.id)}
              />
            </Field>
          ))}
        </div>
        {/* Errors of a field stand under it; the box says what belongs to no field shown. */}
        {form.error && !fields.some((f) => fieldError(f)) && <ErrorBox error={form.error} />}
        {hook.error && !Object.keys(hook.error.fieldErrors?.() || {}).length && <ErrorBox error={hook.error} />}
        <div class="form-buttons">
          <button type="submit" class="primary" disabled={form.busy}>
            {isNew ? t("records.create") : t("common.save")}
          </button>
          <button type="button" class="ghost" onClick={onClose}>
            {t("common.cancel")}
          </button>
        </div>
      </form>
      {!isNew && <RecordMessages catalogId={catalog.id} recordId={record.id} />}
    </>
  );
}

function ValueInput({ field, value, onChange, highlighted }) {
  const { t } = useApp();
  const name = `field-${field.id}`;
  const className = highlighted ? "hook-changed" : "";
  if (field.type === "text") {
    return <input name={name} class={className} value={value ?? ""} onInput={(e) => onChange(e.currentTarget.value)} />;
  }
  if (NUMBERS.has(field.type)) {
    return (
      <input
        name={name}
        class={className}
        type="number"
        step="any"
        value={value ?? ""}
        onInput={(e) => onChange(e.currentTarget.value === "" ? null : Number(e.currentTarget.value))}
      />
    );
  }
  if (field.type === "date") {
    return (
      <input
        name={name}
        class={className}
        type="datetime-local"
        value={isoToLocalInput(value)}
        onChange={(e) => onChange(localInputToIso(e.currentTarget.value) || null)}
      />
    );
  }
  if (CHOICES.has(field.type)) {
    const items = field.config?.items || [];
    const chosen = Array.isArray(value) ? value.map(String) : value ? [String(value)] : [];
    if (field.type === "checkboxes") {
      return (
        <div class={`checks ${className}`}>
          {items.map((item) => (
            <label key={item.id} class="check">
              <input
                type="checkbox"
                name={name}
                value={item.id}
                checked={chosen.includes(item.id)}
                onChange={(e) =>
                  onChange(e.currentTarget.checked ? [...chosen, item.id] : chosen.filter((x) => x !== item.id))
                }
              />
              {item.name}
            </label>
          ))}
        </div>
      );
    }
    return (
      <select name={name} class={className} value={chosen[0] || ""} onChange={(e) => onChange(e.currentTarget.value ? [e.currentTarget.value] : [])}>
        <option value="">{t("common.none")}</option>
        {items.map((item) => (
          <option key={item.id} value={item.id}>
            {item.name}
          </option>
        ))}
      </select>
    );
  }
  return <JsonInput name={name} value={value} onChange={onChange} />;
}

// Contacts, links, files, addresses: their JSON as the API takes it.
function JsonInput({ name, value, onChange }) {
  const { t } = useApp();
  const [text, setText] = useState(value === undefined ? "" : JSON.stringify(value));
  const [bad, setBad] = useState(false);
  return (
    <>
      <textarea
        name={name}
        rows={2}
        class="mono"
        value={text}
        onInput={(e) => {
          const next = e.currentTarget.value;
          setText(next);
          try {
            onChange(next.trim() ? JSON.parse(next) : null);
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
      />
      {bad && <span class="field-error">{t("records.badJson")}</span>}
    </>
  );
}

function shownValue(field, value) {
  if (value === undefined || value === null || value === "") return "";
  if (CHOICES.has(field.type)) {
    const items = field.config?.items || [];
    const ids = Array.isArray(value) ? value : [value];
    return ids.map((id) => items.find((item) => String(item.id) === String(id))?.name ?? id).join(", ");
  }
  if (field.type === "date") return formatTime(value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// A new record leaves empty fields out (a required one then says so, by name).
function cleaned(values) {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== null && v !== ""));
}

function changedOnly(before, after) {
  return Object.fromEntries(
    Object.entries(after).filter(([key, v]) => JSON.stringify(before[key]) !== JSON.stringify(v)),
  );
}
