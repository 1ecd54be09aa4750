// Processes: filters (status, scenario, event type, queued from–to) kept in the address, one
// page at a time from the server, refreshed while any shown process is queued or running; and,
// for admins, the charts of the last hours for the chosen scenario.
import { useState } from "@bpmn-io/properties-panel/preact/hooks";
import { query } from "../api.js";
import { navigate } from "../router.js";
import { useApp } from "../ui/context.js";
import { formatDuration, formatTime, isoToLocalInput, localInputToIso } from "../ui/format.js";
import { useLoad, usePolling } from "../ui/hooks.js";
import { Empty, ErrorBox, Link, Loading, Page, Pager, StatusBadge } from "../ui/widgets.jsx";
import { DurationChart, HourlyChart } from "./charts.jsx";

export const STATUSES = ["queued", "running", "completed", "error", "aborted"];
const EVENT_TYPES = [
  "$record.after.create",
  "$record.after.update",
  "$record.after.delete",
  "$record.before.create",
  "$record.before.update",
  "$record.before.delete",
  "$record.updating",
  "$webRequest",
  "$schedule",
  "$manual",
  "$telegram.message",
  "$whatsapp.message",
  "$max.message",
];
const LIMIT = 50;
const LIVE_MS = 2000;
const FILTERS = ["status", "scenarioId", "eventType", "from", "to"];

function filtersOf(search) {
  const found = {};
  for (const name of FILTERS) found[name] = search.get(name) || "";
  found.offset = Math.max(0, Number(search.get("offset")) || 0);
  return found;
}

export function ProcessesPage({ search }) {
  const { api, t, isAdmin } = useApp();
  const [filters, setFilters] = useState(() => filtersOf(search));
  const [hours, setHours] = useState(24);

  // The address says what is shown, so a filtered list can be linked and survives a reload.
  const change = (patch) => {
    const next = { ...filters, offset: 0, ...patch };
    setFilters(next);
    navigate(`processes${query(next.offset ? next : { ...next, offset: "" })}`, { replace: true });
  };

  const list = useLoad(
    () => api.get(`api/v1/processes${query({ ...filters, limit: LIMIT })}`),
    [filters],
  );
  const scenarios = useLoad(() => (isAdmin ? api.get("api/v1/scenarios") : Promise.resolve([])), [isAdmin]);
  const stats = useLoad(
    () => (isAdmin ? api.get(`api/v1/processes/stats${query({ scenarioId: filters.scenarioId, hours })}`) : Promise.resolve(null)),
    [isAdmin, filters.scenarioId, hours],
  );
  const rows = list.data || [];
  const live = rows.some((p) => p.status === "queued" || p.status === "running");
  usePolling(
    async () => {
      await Promise.all([list.reload({ quiet: true }), stats.reload({ quiet: true })]);
    },
    LIVE_MS,
    live,
  );

  return (
    <Page title={t("processes.title")} actions={live && <span class="live" data-testid="live">{t("processes.live")}</span>}>
      <Filters filters={filters} change={change} scenarios={scenarios.data || []} />
      {isAdmin && (
        <Charts stats={stats} hours={hours} setHours={setHours} scenarioId={filters.scenarioId} />
      )}
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty>{t("processes.none")}</Empty>
      ) : (
        <ProcessTable rows={rows} />
      )}
      <Pager offset={filters.offset} limit={LIMIT} count={rows.length} onChange={(offset) => change({ offset })} />
    </Page>
  );
}

function Filters({ filters, change, scenarios }) {
  const { t, isAdmin } = useApp();
  return (
    <form class="filters" onSubmit={(event) => event.preventDefault()}>
      <label>
        <span>{t("processes.status")}</span>
        <select name="status" value={filters.status} onChange={(e) => change({ status: e.currentTarget.value })}>
          <option value="">{t("common.any")}</option>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {t(`status.${status}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t("processes.scenario")}</span>
        {isAdmin ? (
          <select name="scenarioId" value={filters.scenarioId} onChange={(e) => change({ scenarioId: e.currentTarget.value })}>
            <option value="">{t("common.any")}</option>
            {scenarios.map((s) => (
              <option key={s.id} value={s.id}>
                {s.id}
              </option>
            ))}
            {filters.scenarioId && !scenarios.some((s) => s.id === filters.scenarioId) && (
              <option value={filters.scenarioId}>{filters.scenarioId}</option>
            )}
          </select>
        ) : (
          <input name="scenarioId" value={filters.scenarioId} onChange={(e) => change({ scenarioId: e.currentTarget.value.trim() })} />
        )}
      </label>
      <label>
        <span>{t("processes.eventType")}</span>
        <select name="eventType" value={filters.eventType} onChange={(e) => change({ eventType: e.currentTarget.value })}>
          <option value="">{t("common.any")}</option>
          {EVENT_TYPES.map((type) => (
            <option key={type} value={type}>
              {t(`event.${type}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t("processes.from")}</span>
        <input
          type="datetime-local"
          name="from"
          value={isoToLocalInput(filters.from)}
          onChange={(e) => change({ from: localInputToIso(e.currentTarget.value) })}
        />
      </label>
      <label>
        <span>{t("processes.to")}</span>
        <input
          type="datetime-local"
          name="to"
          value={isoToLocalInput(filters.to)}
          onChange={(e) => change({ to: localInputToIso(e.currentTarget.value) })}
        />
      </label>
      <button
        type="button"
        class="small ghost"
        onClick={() => change({ status: "", scenarioId: "", eventType: "", from: "", to: "" })}
      >
        {t("processes.clear")}
      </button>
    </form>
  );
}

function Charts({ stats, hours, setHours, scenarioId }) {
  const { t } = useApp();
  return (
    <div class="charts">
      <div class="card chart-card">
        <div class="chart-head">
          <h2>{t("charts.perHour")}</h2>
          <select class="small" aria-label={t("charts.window")} value={hours} onChange={(e) => setHours(Number(e.currentTarget.value))}>
            {[6, 24, 72, 168].map((h) => (
              <option key={h} value={h}>
                {t("charts.lastHours", { hours: h })}
              </option>
            ))}
          </select>
        </div>
        {stats.data ? <HourlyChart hours={stats.data.hours} /> : <ErrorBox error={stats.error} />}
      </div>
      <div class="card chart-card">
        <div class="chart-head">
          <h2>{t("charts.durations")}</h2>
          <span class="muted small-text">{scenarioId || t("charts.allScenarios")}</span>
        </div>
        {stats.data && <DurationChart durations={stats.data.durations} />}
      </div>
    </div>
  );
}

function ProcessTable({ rows }) {
  const { t } = useApp();
  return (
    <table class="table" data-testid="processes">
      <thead>
        <tr>
          <th>{t("processes.id")}</th>
          <th>{t("processes.status")}</th>
          <th>{t("processes.scenario")}</th>
          <th>{t("processes.eventType")}</th>
          <th>{t("processes.queuedAt")}</th>
          <th class="num">{t("processes.duration")}</th>
          <th>{t("processes.errorCode")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((p) => (
          <tr key={p.id} data-process={p.id} data-status={p.status}>
            <td class="mono">
              <Link to={`processes/${encodeURIComponent(p.id)}`}>{shortId(p.id)}</Link>
            </td>
            <td>
              <StatusBadge status={p.status} />
            </td>
            <td>
              {p.scenarioId} <span class="muted">v{p.scenarioVersion}</span>
            </td>
            <td class="mono small-text">{p.event?.type}</td>
            <td class="nowrap">{formatTime(p.queuedAt)}</td>
            <td class="num">{formatDuration(p.durationMs)}</td>
            <td class="mono small-text">{p.error?.code || ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function shortId(id) {
  return id.length > 14 ? `${id.slice(0, 12)}…` : id;
}
