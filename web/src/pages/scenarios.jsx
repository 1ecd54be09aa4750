// Scenarios: the latest version of each, every version downloadable as `.bpmn`, upload of a
// file as a scenario's next version, and the way to the editor. (The API has no delete route for
// scenarios: a scenario stays, its subscriptions, endpoints and schedules are what switch it off.)
import { useState } from "@bpmn-io/properties-panel/preact/hooks";
import { useApp } from "../ui/context.js";
import { formatTime } from "../ui/format.js";
import { useLoad, useSubmit } from "../ui/hooks.js";
import { Empty, ErrorBox, Field, Link, Loading, Page } from "../ui/widgets.jsx";

const ID_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

export function ScenariosPage() {
  const { api, t } = useApp();
  const list = useLoad(() => api.get("api/v1/scenarios"), []);
  const [search, setSearch] = useState("");
  const words = search.trim().toLowerCase();
  const shown = (list.data || []).filter((s) => !words || s.id.toLowerCase().includes(words));

  return (
    <Page
      title={t("scenarios.title")}
      actions={
        <Link to="scenarios/new" class="button primary">
          {t("scenarios.new")}
        </Link>
      }
    >
      <div class="toolbar">
        <input
          type="search"
          class="search"
          placeholder={t("scenarios.search")}
          aria-label={t("scenarios.search")}
          value={search}
          onInput={(event) => setSearch(event.currentTarget.value)}
        />
      </div>
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? (
        <Loading />
      ) : shown.length === 0 ? (
        <Empty>{words ? t("scenarios.noMatch") : t("scenarios.none")}</Empty>
      ) : (
        <table class="table" data-testid="scenarios">
          <thead>
            <tr>
              <th>{t("scenarios.id")}</th>
              <th>{t("scenarios.version")}</th>
              <th>{t("scenarios.savedAt")}</th>
              <th>{t("scenarios.download")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shown.map((scenario) => (
              <ScenarioRow key={scenario.id} scenario={scenario} />
            ))}
          </tbody>
        </table>
      )}
      <Upload onUploaded={() => list.reload({ quiet: true })} />
    </Page>
  );
}

function ScenarioRow({ scenario }) {
  const { t } = useApp();
  const [version, setVersion] = useState(scenario.version);
  const versions = Array.from({ length: scenario.version }, (_, i) => scenario.version - i);
  const id = encodeURIComponent(scenario.id);
  return (
    <tr data-scenario={scenario.id}>
      <td>
        <Link to={`scenarios/${id}`}>{scenario.id}</Link>
      </td>
      <td>{scenario.version}</td>
      <td>{formatTime(scenario.createdAt)}</td>
      <td class="nowrap">
        <select
          class="small"
          aria-label={t("scenarios.version")}
          value={version}
          onChange={(event) => setVersion(Number(event.currentTarget.value))}
        >
          {versions.map((v) => (
            <option key={v} value={v}>
              v{v}
            </option>
          ))}
        </select>{" "}
        <a class="button small ghost" href={`api/v1/scenarios/${id}?version=${version}`} download={`${scenario.id}.bpmn`}>
          .bpmn
        </a>
      </td>
      <td class="actions">
        <Link to={`processes?scenarioId=${id}`} class="button small ghost">
          {t("scenarios.processes")}
        </Link>
        <Link to={`scenarios/${id}`} class="button small">
          {t("scenarios.open")}
        </Link>
      </td>
    </tr>
  );
}

/** A `.bpmn` file saved as the next version of the scenario named (by default) after the file. */
function Upload({ onUploaded }) {
  const { api, t } = useApp();
  const [file, setFile] = useState(null);
  const [scenarioId, setScenarioId] = useState("");
  const [saved, setSaved] = useState(null);
  const form = useSubmit(async () => {
    if (!file) throw localError(t("scenarios.chooseFile"), "file");
    if (!ID_PATTERN.test(scenarioId)) throw localError(t("scenarios.badId"), "scenarioId");
    const text = await file.text();
    const answer = await api.put(`api/v1/scenarios/${encodeURIComponent(scenarioId)}`, text, {
      contentType: "application/xml",
    });
    setSaved(answer);
    onUploaded();
  });
  const errors = form.error?.fieldErrors?.() || {};
  return (
    <form class="card upload" onSubmit={form.submit}>
      <h2>{t("scenarios.upload")}</h2>
      <div class="form-row">
        <Field label={t("scenarios.file")} name="file" errors={errors}>
          <input
            type="file"
            name="file"
            accept=".bpmn,.xml,application/xml,text/xml"
            onChange={(event) => {
              const chosen = event.currentTarget.files?.[0] || null;
              setFile(chosen);
              setSaved(null);
              if (chosen && !scenarioId) setScenarioId(idFromName(chosen.name));
            }}
          />
        </Field>
        <Field label={t("scenarios.id")} name="scenarioId" errors={errors} hint={t("scenarios.idHint")}>
          <input name="scenarioId" value={scenarioId} onInput={(event) => setScenarioId(event.currentTarget.value)} />
        </Field>
        <div class="form-submit">
          <button type="submit" class="primary" disabled={form.busy}>
            {t("scenarios.uploadSubmit")}
          </button>
        </div>
      </div>
      {form.error && !errors.file && !errors.scenarioId && <ErrorBox error={form.error} />}
      {saved && <p class="notice">{t("scenarios.uploaded", { id: saved.id, version: saved.version })}</p>}
    </form>
  );
}

function idFromName(name) {
  return name
    .replace(/\.(bpmn|xml)$/i, "")
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .slice(0, 100);
}

function localError(message, field) {
  return { message, errors: [], fieldErrors: () => ({ [field]: message }) };
}
