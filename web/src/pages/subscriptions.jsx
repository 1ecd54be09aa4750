// Subscriptions: which record events of which catalog (or which messages to which bot) start
// which scenario.
import { useState } from "@bpmn-io/properties-panel/preact/hooks";
import { useApp } from "../ui/context.js";
import { useLoad, useSubmit } from "../ui/hooks.js";
import { ConfirmButton, Empty, ErrorBox, Field, Link, Loading, Page, ScenarioField } from "../ui/widgets.jsx";

export const RECORD_EVENTS = [
  "$record.after.create",
  "$record.after.update",
  "$record.after.delete",
  "$record.before.create",
  "$record.before.update",
  "$record.before.delete",
  "$record.updating",
];

export function SubscriptionsPage() {
  const { api, t } = useApp();
  const list = useLoad(() => api.get("api/v1/subscriptions"), []);
  const catalogs = useLoad(() => api.get("api/v1/catalogs"), []);
  const scenarios = useLoad(() => api.get("api/v1/scenarios"), []);
  const [error, setError] = useState(null);
  const catalogName = (id) => (catalogs.data || []).find((c) => c.id === id)?.name || id;

  const act = async (work) => {
    setError(null);
    try {
      await work();
      await list.reload({ quiet: true });
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <Page title={t("subscriptions.title")}>
      <ErrorBox error={list.error || error} />
      {list.loading && !list.data ? (
        <Loading />
      ) : list.data.length === 0 ? (
        <Empty>{t("subscriptions.none")}</Empty>
      ) : (
        <table class="table" data-testid="subscriptions">
          <thead>
            <tr>
              <th>{t("subscriptions.catalog")}</th>
              <th>{t("subscriptions.events")}</th>
              <th>{t("subscriptions.fields")}</th>
              <th>{t("subscriptions.scenario")}</th>
              <th>{t("common.active")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((s) => (
              <tr key={s.id} data-subscription={s.id}>
                <td>
                  {s.catalogId ? (
                    <Link to={`catalogs/${s.catalogId}`}>{catalogName(s.catalogId)}</Link>
                  ) : (
                    /* a messenger's subscription: its bot (connection) instead of a catalog */
                    <span class="tag">{t("subscriptions.bot", { name: s.connection })}</span>
                  )}
                </td>
                <td>
                  {s.events.map((e) => (
                    <span key={e} class="tag">
                      {t(`event.${e}`)}
                    </span>
                  ))}
                </td>
                <td class="small-text">
                  {s.connection ? "—" : s.fields.length ? s.fields.join(", ") : t("subscriptions.anyField")}
                </td>
                <td>
                  <Link to={`scenarios/${encodeURIComponent(s.scenarioId)}`}>{s.scenarioId}</Link>
                </td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={t("common.active")}
                    checked={s.active}
                    onChange={(e) => act(() => api.patch(`api/v1/subscriptions/${s.id}`, { active: e.currentTarget.checked }))}
                  />
                </td>
                <td class="actions">
                  <ConfirmButton label={t("common.delete")} onConfirm={() => act(() => api.del(`api/v1/subscriptions/${s.id}`))} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewSubscription
        catalogs={catalogs.data || []}
        scenarios={scenarios.data || []}
        onCreated={() => list.reload({ quiet: true })}
      />
      <NewMessengerSubscription
        scenarios={scenarios.data || []}
        onCreated={() => list.reload({ quiet: true })}
      />
    </Page>
  );
}

// A message to a bot starts the scenario: the bot is one of the operator's named connections
// (its name is typed: the server keeps the connections, and says when there is no such one).
export const MESSENGER_EVENTS = ["$telegram.message", "$whatsapp.message", "$max.message"];

function NewMessengerSubscription({ scenarios, onCreated }) {
  const { api, t } = useApp();
  const [event, setEvent] = useState(MESSENGER_EVENTS[0]);
  const [connection, setConnection] = useState("");
  const [scenarioId, setScenarioId] = useState("");
  const form = useSubmit(async () => {
    await api.post("api/v1/subscriptions", { connection, scenarioId, events: [event], active: true });
    setConnection("");
    onCreated();
  });
  const errors = form.error?.fieldErrors?.() || {};

  return (
    <form class="card" onSubmit={form.submit} data-testid="new-messenger-subscription">
      <h2>{t("subscriptions.newMessenger")}</h2>
      <div class="form-row">
        <Field label={t("subscriptions.events")} name="events" errors={errors}>
          <select name="events" value={event} onChange={(e) => setEvent(e.currentTarget.value)}>
            {MESSENGER_EVENTS.map((type) => (
              <option key={type} value={type}>
                {t(`event.${type}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("subscriptions.connection")} name="connection" errors={errors} hint={t("subscriptions.connectionHint")}>
          <input name="connection" value={connection} onInput={(e) => setConnection(e.currentTarget.value)} />
        </Field>
        <ScenarioField label={t("subscriptions.scenario")} scenarios={scenarios} value={scenarioId} onChange={setScenarioId} errors={errors} />
      </div>
      <ErrorBox error={form.error} />
      <button type="submit" class="primary" disabled={form.busy}>
        {t("subscriptions.create")}
      </button>
    </form>
  );
}

function NewSubscription({ catalogs, scenarios, onCreated }) {
  const { api, t } = useApp();
  const [catalogId, setCatalogId] = useState("");
  const [scenarioId, setScenarioId] = useState("");
  const [events, setEvents] = useState(["$record.after.create"]);
  const [fields, setFields] = useState([]);
  const catalog = useLoad(
    () => (catalogId ? api.get(`api/v1/catalogs/${catalogId}`) : Promise.resolve(null)),
    [catalogId],
  );
  const form = useSubmit(async () => {
    await api.post("api/v1/subscriptions", { catalogId, scenarioId, events, fields, active: true });
    setFields([]);
    onCreated();
  });
  const errors = form.error?.fieldErrors?.() || {};
  const toggle = (list, value, on) => (on ? [...list, value] : list.filter((x) => x !== value));

  return (
    <form class="card" onSubmit={form.submit} data-testid="new-subscription">
      <h2>{t("subscriptions.new")}</h2>
      <div class="form-row">
        <Field label={t("subscriptions.catalog")} name="catalogId" errors={errors}>
          <select name="catalogId" value={catalogId} onChange={(e) => { setCatalogId(e.currentTarget.value); setFields([]); }}>
            <option value="">{t("common.choose")}</option>
            {catalogs.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
        <ScenarioField label={t("subscriptions.scenario")} scenarios={scenarios} value={scenarioId} onChange={setScenarioId} errors={errors} />
      </div>
      <Field label={t("subscriptions.events")} name="events" errors={errors}>
        <div class="checks">
          {RECORD_EVENTS.map((type) => (
            <label key={type} class="check">
              <input
                type="checkbox"
                name="events"
                value={type}
                checked={events.includes(type)}
                onChange={(e) => setEvents(toggle(events, type, e.currentTarget.checked))}
              />
              {t(`event.${type}`)}
            </label>
          ))}
        </div>
      </Field>
      {catalog.data && (
        <Field label={t("subscriptions.fields")} name="fields" errors={errors} hint={t("subscriptions.fieldsHint")}>
          <div class="checks">
            {catalog.data.fields.map((f) => (
              <label key={f.id} class="check">
                <input
                  type="checkbox"
                  name="fields"
                  value={f.id}
                  checked={fields.includes(f.id)}
                  onChange={(e) => setFields(toggle(fields, f.id, e.currentTarget.checked))}
                />
                {f.name || f.id}
              </label>
            ))}
          </div>
        </Field>
      )}
      <ErrorBox error={form.error} />
      <button type="submit" class="primary" disabled={form.busy}>
        {t("subscriptions.create")}
      </button>
    </form>
  );
}
