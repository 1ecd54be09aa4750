// Schedules: a scenario started on a cron or rate expression, with its next five run times as
// the server computes them (`nextRuns`, the same code that fires them).
import { useState } from "@bpmn-io/properties-panel/preact/hooks";
import { useApp } from "../ui/context.js";
import { formatTime } from "../ui/format.js";
import { useLoad, useSubmit } from "../ui/hooks.js";
import { ConfirmButton, Empty, ErrorBox, Field, Link, Loading, Page, ScenarioField } from "../ui/widgets.jsx";

export function SchedulesPage() {
  const { api, t } = useApp();
  const list = useLoad(() => api.get("api/v1/schedules"), []);
  const scenarios = useLoad(() => api.get("api/v1/scenarios"), []);
  const [error, setError] = useState(null);
  const remove = async (id) => {
    setError(null);
    try {
      await api.del(`api/v1/schedules/${id}`);
      await list.reload({ quiet: true });
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <Page title={t("schedules.title")}>
      <ErrorBox error={list.error || error} />
      {list.loading && !list.data ? (
        <Loading />
      ) : list.data.length === 0 ? (
        <Empty>{t("schedules.none")}</Empty>
      ) : (
        <table class="table" data-testid="schedules">
          <thead>
            <tr>
              <th>{t("schedules.expression")}</th>
              <th>{t("schedules.scenario")}</th>
              <th>{t("schedules.nextRuns")}</th>
              <th>{t("common.active")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((schedule) => (
              <tr key={schedule.id} data-schedule={schedule.id}>
                <td class="mono">{schedule.expression}</td>
                <td>
                  <Link to={`scenarios/${encodeURIComponent(schedule.scenarioId)}`}>{schedule.scenarioId}</Link>
                </td>
                <td>
                  <ol class="next-runs">
                    {(schedule.nextRuns || [schedule.nextRunAt].filter(Boolean)).map((time) => (
                      <li key={time}>{formatTime(time)}</li>
                    ))}
                  </ol>
                </td>
                <td>{schedule.active ? t("common.yes") : t("common.no")}</td>
                <td class="actions">
                  <ConfirmButton label={t("common.delete")} onConfirm={() => remove(schedule.id)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewSchedule scenarios={scenarios.data || []} onCreated={() => list.reload({ quiet: true })} />
    </Page>
  );
}

function NewSchedule({ scenarios, onCreated }) {
  const { api, t } = useApp();
  const [expression, setExpression] = useState("rate(1 hour)");
  const [scenarioId, setScenarioId] = useState("");
  const form = useSubmit(async () => {
    await api.post("api/v1/schedules", { expression, scenarioId, active: true });
    onCreated();
  });
  const errors = form.error?.fieldErrors?.() || {};
  return (
    <form class="card" onSubmit={form.submit}>
      <h2>{t("schedules.new")}</h2>
      <div class="form-row">
        <Field label={t("schedules.expression")} name="expression" errors={errors} hint={t("schedules.expressionHint")}>
          <input name="expression" class="mono" value={expression} onInput={(e) => setExpression(e.currentTarget.value)} />
        </Field>
        <ScenarioField label={t("schedules.scenario")} scenarios={scenarios} value={scenarioId} onChange={setScenarioId} errors={errors} />
        <div class="form-submit">
          <button type="submit" class="primary" disabled={form.busy}>
            {t("schedules.create")}
          </button>
        </div>
      </div>
      <ErrorBox error={form.error} />
    </form>
  );
}
