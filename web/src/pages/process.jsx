// One process: its diagram with the path it took (the editor's viewer), its status, times,
// input, output, error, and each element's times from the trace. Refreshed while it runs; Stop
// while it runs, Retry when it failed and the API offers a retry route.
import { useEffect, useRef, useState } from "@bpmn-io/properties-panel/preact/hooks";
import { loadEditor } from "../editor-loader.js";
import { useApp } from "../ui/context.js";
import { between, formatDuration, formatTime } from "../ui/format.js";
import { useLoad, usePolling } from "../ui/hooks.js";
import { ErrorBox, JsonBlock, Link, Loading, Page, StatusBadge } from "../ui/widgets.jsx";

const LIVE_MS = 1500;
const RETRY_PATH = "/api/v1/processes/{processId}/retry";
const STEP_KEYS = new Set(["element", "enteredAt", "exitedAt"]);
let retryOffered = null; // the API's answer does not change while the page lives

async function offersRetry(api) {
  if (retryOffered === null) {
    retryOffered = api
      .get("api/v1/openapi.json")
      .then((doc) => Boolean(doc?.paths?.[RETRY_PATH]?.post))
      .catch(() => false);
  }
  return retryOffered;
}

export function ProcessPage({ params }) {
  const { api, t, isAdmin } = useApp();
  const id = decodeURIComponent(params.id);
  const path = `api/v1/processes/${encodeURIComponent(id)}`;
  const process = useLoad(() => api.get(path), [path]);
  const [canRetry, setCanRetry] = useState(false);
  const p = process.data;
  const active = p && (p.status === "queued" || p.status === "running");
  usePolling(() => process.reload({ quiet: true }), LIVE_MS, Boolean(active));

  useEffect(() => {
    if (isAdmin) offersRetry(api).then(setCanRetry);
  }, [isAdmin]);

  const [actionError, setActionError] = useState(null);
  const [busy, setBusy] = useState(false);
  const run = (what) => async () => {
    setBusy(true);
    setActionError(null);
    try {
      await api.post(`${path}/${what}`, {});
      await process.reload({ quiet: true });
    } catch (error) {
      setActionError(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page
      title={t("process.title")}
      actions={
        <>
          {isAdmin && active && (
            <button type="button" class="danger" onClick={run("stop")} disabled={busy} data-testid="stop">
              {t("process.stop")}
            </button>
          )}
          {isAdmin && canRetry && p?.status === "error" && (
            <button type="button" class="primary" onClick={run("retry")} disabled={busy} data-testid="retry">
              {t("process.retry")}
            </button>
          )}
          <Link to="processes" class="button ghost">
            {t("process.back")}
          </Link>
        </>
      }
    >
      <ErrorBox error={process.error || actionError} />
      {!p ? (
        process.loading && <Loading />
      ) : (
        <>
          {isAdmin && <Diagram process={p} />}
          <Summary process={p} />
          <Trace process={p} />
        </>
      )}
    </Page>
  );
}

function Diagram({ process }) {
  const { api, t } = useApp();
  const container = useRef(null);
  const viewer = useRef(null);
  const [note, setNote] = useState(null);
  const source = `api/v1/scenarios/${encodeURIComponent(process.scenarioId)}?version=${process.scenarioVersion}`;

  useEffect(() => {
    let gone = false;
    (async () => {
      try {
        const [module, answer] = await Promise.all([loadEditor(), api.get(source, { raw: true })]);
        if (gone) return;
        if (!module) {
          setNote(t("process.viewerMissing"));
          return;
        }
        viewer.current = await module.mountViewer(container.current, { xml: answer.text, process, t });
      } catch (error) {
        if (!gone) setNote(error.message);
      }
    })();
    return () => {
      gone = true;
      viewer.current?.destroy?.();
      viewer.current = null;
    };
  }, [source]);

  // A viewer that can follow a live process is told of each refresh.
  useEffect(() => {
    viewer.current?.update?.(process);
  }, [process]);

  return (
    <div class="card diagram-card">
      {note && <p class="placeholder" data-testid="viewer-note">{note}</p>}
      <div class="viewer-host" ref={container} />
    </div>
  );
}

function Summary({ process: p }) {
  const { t } = useApp();
  return (
    <div class="card">
      <dl class="facts" data-testid="process-summary">
        <dt>{t("processes.id")}</dt>
        <dd class="mono">{p.id}</dd>
        <dt>{t("processes.status")}</dt>
        <dd>
          <StatusBadge status={p.status} />
        </dd>
        <dt>{t("processes.scenario")}</dt>
        <dd>
          <Link to={`scenarios/${encodeURIComponent(p.scenarioId)}`}>{p.scenarioId}</Link>{" "}
          <span class="muted">v{p.scenarioVersion}</span>
        </dd>
        <dt>{t("processes.eventType")}</dt>
        <dd class="mono">{p.event?.type}</dd>
        <dt>{t("process.queuedAt")}</dt>
        <dd>{formatTime(p.queuedAt)}</dd>
        <dt>{t("process.startedAt")}</dt>
        <dd>{formatTime(p.startedAt)}</dd>
        <dt>{t("process.finishedAt")}</dt>
        <dd>{formatTime(p.finishedAt)}</dd>
        <dt>{t("processes.duration")}</dt>
        <dd>{formatDuration(p.durationMs)}</dd>
      </dl>
      {p.error && (
        <div class="process-error" data-testid="process-error">
          <strong class="mono">{p.error.code}</strong>
          {p.error.element && (
            <span>
              {" "}
              {t("process.atElement")} <code>{p.error.element}</code>
            </span>
          )}
          {p.error.message && <p>{p.error.message}</p>}
        </div>
      )}
      <div class="two-columns">
        <div>
          <h3>{t("process.input")}</h3>
          <JsonBlock value={p.input} />
        </div>
        <div>
          <h3>{t("process.output")}</h3>
          <JsonBlock value={p.output} />
        </div>
      </div>
    </div>
  );
}

function Trace({ process: p }) {
  const { t } = useApp();
  const steps = p.trace || [];
  return (
    <div class="card">
      <h2>{t("process.trace")}</h2>
      {steps.length === 0 ? (
        <p class="empty">{t("process.noTrace")}</p>
      ) : (
        <table class="table" data-testid="trace">
          <thead>
            <tr>
              <th>{t("process.element")}</th>
              <th>{t("process.entered")}</th>
              <th>{t("process.left")}</th>
              <th class="num">{t("processes.duration")}</th>
              <th>{t("process.details")}</th>
            </tr>
          </thead>
          <tbody>
            {steps.map((step, index) => {
              const extra = Object.fromEntries(Object.entries(step).filter(([key, value]) => !STEP_KEYS.has(key) && value != null));
              const failed = p.error?.element === step.element && index === lastIndexOf(steps, step.element);
              return (
                <tr key={index} data-element={step.element} class={failed ? "failed-row" : ""}>
                  <td class="mono">{step.element}</td>
                  <td class="nowrap">{formatTime(step.enteredAt)}</td>
                  <td class="nowrap">{step.exitedAt ? formatTime(step.exitedAt) : <Unfinished process={p} failed={failed} />}</td>
                  <td class="num">{formatDuration(between(step.enteredAt, step.exitedAt))}</td>
                  <td>{Object.keys(extra).length ? <JsonBlock value={extra} /> : ""}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

// A step never left: still running while the process runs; where it failed, or just cut off
// (stopped, timed out) once it has ended.
function Unfinished({ process, failed }) {
  if (process.status === "queued" || process.status === "running") return <StatusBadge status="running" />;
  if (failed) return <StatusBadge status="error" />;
  return <span class="muted">—</span>;
}

function lastIndexOf(steps, element) {
  for (let i = steps.length - 1; i >= 0; i -= 1) if (steps[i].element === element) return i;
  return -1;
}
