// Catalogs: the list (members too), and for admins a new catalog with its fields, or deleting one.
import { useState } from "@bpmn-io/properties-panel/preact/hooks";
import { useApp } from "../ui/context.js";
import { useLoad, useSubmit } from "../ui/hooks.js";
import { ConfirmButton, Empty, ErrorBox, Field, Link, Loading, Page } from "../ui/widgets.jsx";

const FIELD_TYPES = ["text", "number", "date", "dropdown", "checkboxes", "radiobutton", "progress", "stars"];

export function CatalogsPage() {
  const { api, t, isAdmin } = useApp();
  const list = useLoad(() => api.get("api/v1/catalogs"), []);
  const [error, setError] = useState(null);
  const remove = async (id) => {
    setError(null);
    try {
      await api.del(`api/v1/catalogs/${id}`);
      await list.reload({ quiet: true });
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <Page title={t("catalogs.title")}>
      <ErrorBox error={list.error || error} />
      {list.loading && !list.data ? (
        <Loading />
      ) : list.data.length === 0 ? (
        <Empty>{t("catalogs.none")}</Empty>
      ) : (
        <table class="table" data-testid="catalogs">
          <thead>
            <tr>
              <th>{t("catalogs.name")}</th>
              <th>{t("catalogs.fieldCount")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((catalog) => (
              <tr key={catalog.id} data-catalog={catalog.id}>
                <td>
                  <Link to={`catalogs/${catalog.id}`}>{catalog.name}</Link>
                </td>
                <td>{Object.keys(catalog.fieldPrivilegeCodes || {}).length}</td>
                <td class="actions">
                  <Link to={`catalogs/${catalog.id}`} class="button small">
                    {t("catalogs.records")}
                  </Link>
                  {isAdmin && <ConfirmButton label={t("common.delete")} onConfirm={() => remove(catalog.id)} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {isAdmin && <NewCatalog onCreated={() => list.reload({ quiet: true })} />}
    </Page>
  );
}

function NewCatalog({ onCreated }) {
  const { api, t } = useApp();
  const [name, setName] = useState("");
  const [fields, setFields] = useState([{ name: "", type: "text", items: "" }]);
  const set = (index, patch) => setFields(fields.map((f, i) => (i === index ? { ...f, ...patch } : f)));
  const form = useSubmit(async () => {
    const body = {
      name,
      fields: fields
        .filter((f) => f.name.trim())
        .map((f) => ({
          name: f.name.trim(),
          type: f.type,
          ...(hasItems(f.type) ? { config: { items: splitItems(f.items) } } : {}),
        })),
    };
    await api.post("api/v1/catalogs", body);
    setName("");
    setFields([{ name: "", type: "text", items: "" }]);
    onCreated();
  });
  const errors = form.error?.fieldErrors?.() || {};
  return (
    <form class="card" onSubmit={form.submit} data-testid="new-catalog">
      <h2>{t("catalogs.new")}</h2>
      <Field label={t("catalogs.name")} name="name" errors={errors}>
        <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <h3>{t("catalogs.fields")}</h3>
      {fields.map((field, index) => (
        <div class="form-row field-row" key={index}>
          <input
            aria-label={t("catalogs.fieldName")}
            placeholder={t("catalogs.fieldName")}
            value={field.name}
            onInput={(e) => set(index, { name: e.currentTarget.value })}
          />
          <select aria-label={t("catalogs.fieldType")} value={field.type} onChange={(e) => set(index, { type: e.currentTarget.value })}>
            {FIELD_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`fieldType.${type}`)}
              </option>
            ))}
          </select>
          {hasItems(field.type) && (
            <input
              aria-label={t("catalogs.items")}
              placeholder={t("catalogs.items")}
              value={field.items}
              onInput={(e) => set(index, { items: e.currentTarget.value })}
            />
          )}
          <button type="button" class="small ghost" onClick={() => setFields(fields.filter((_, i) => i !== index))}>
            {t("common.remove")}
          </button>
        </div>
      ))}
      <div class="form-buttons">
        <button type="button" class="small" onClick={() => setFields([...fields, { name: "", type: "text", items: "" }])}>
          {t("catalogs.addField")}
        </button>
      </div>
      <ErrorBox error={form.error} />
      <button type="submit" class="primary" disabled={form.busy}>
        {t("catalogs.create")}
      </button>
    </form>
  );
}

function hasItems(type) {
  return type === "dropdown" || type === "checkboxes" || type === "radiobutton";
}

function splitItems(text) {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => ({ name: item }));
}
