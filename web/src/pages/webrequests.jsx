// Web request endpoints: `api/webrequest/{urlId}` starts a scenario; each shows its full URL and
// a curl line to copy.
import { useState } from "@bpmn-io/properties-panel/preact/hooks";
import { useApp } from "../ui/context.js";
import { useLoad, useSubmit } from "../ui/hooks.js";
import { ConfirmButton, CopyButton, Empty, ErrorBox, Field, Link, Loading, Page, ScenarioField } from "../ui/widgets.jsx";

export function endpointUrl(urlId) {
  return new URL(`api/webrequest/${encodeURIComponent(urlId)}`, document.baseURI).href;
}

export function WebRequestsPage() {
  const { api, t } = useApp();
  const list = useLoad(() => api.get("api/v1/webrequests"), []);
  const scenarios = useLoad(() => api.get("api/v1/scenarios"), []);
  const [error, setError] = useState(null);
  const remove = async (id) => {
    setError(null);
    try {
      await api.del(`api/v1/webrequests/${id}`);
      await list.reload({ quiet: true });
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <Page title={t("webrequests.title")}>
      <ErrorBox error={list.error || error} />
      {list.loading && !list.data ? (
        <Loading />
      ) : list.data.length === 0 ? (
        <Empty>{t("webrequests.none")}</Empty>
      ) : (
        <table class="table" data-testid="webrequests">
          <thead>
            <tr>
              <th>{t("webrequests.urlId")}</th>
              <th>{t("webrequests.scenario")}</th>
              <th>{t("webrequests.call")}</th>
              <th>{t("common.active")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((endpoint) => {
              const url = endpointUrl(endpoint.urlId);
              const curl = `curl -s '${url}'`;
              return (
                <tr key={endpoint.id} data-endpoint={endpoint.urlId}>
                  <td class="mono">{endpoint.urlId}</td>
                  <td>
                    <Link to={`scenarios/${encodeURIComponent(endpoint.scenarioId)}`}>{endpoint.scenarioId}</Link>
                  </td>
                  <td>
                    <div class="copy-line">
                      <a href={url} class="mono small-text" target="_blank" rel="noopener">
                        {url}
                      </a>
                    </div>
                    <div class="copy-line">
                      <code class="curl" data-testid="curl">{curl}</code>
                      <CopyButton text={curl} />
                    </div>
                  </td>
                  <td>{endpoint.active ? t("common.yes") : t("common.no")}</td>
                  <td class="actions">
                    <ConfirmButton label={t("common.delete")} onConfirm={() => remove(endpoint.id)} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <NewEndpoint scenarios={scenarios.data || []} onCreated={() => list.reload({ quiet: true })} />
    </Page>
  );
}

function NewEndpoint({ scenarios, onCreated }) {
  const { api, t } = useApp();
  const [urlId, setUrlId] = useState("");
  const [scenarioId, setScenarioId] = useState("");
  const form = useSubmit(async () => {
    await api.post("api/v1/webrequests", { urlId, scenarioId, active: true });
    setUrlId("");
    onCreated();
  });
  const errors = form.error?.fieldErrors?.() || {};
  return (
    <form class="card" onSubmit={form.submit}>
      <h2>{t("webrequests.new")}</h2>
      <div class="form-row">
        <Field label={t("webrequests.urlId")} name="urlId" errors={errors} hint={t("webrequests.urlIdHint")}>
          <input name="urlId" value={urlId} onInput={(e) => setUrlId(e.currentTarget.value)} />
        </Field>
        <ScenarioField label={t("webrequests.scenario")} scenarios={scenarios} value={scenarioId} onChange={setScenarioId} errors={errors} />
        <div class="form-submit">
          <button type="submit" class="primary" disabled={form.busy}>
            {t("webrequests.create")}
          </button>
        </div>
      </div>
      <ErrorBox error={form.error} />
    </form>
  );
}
