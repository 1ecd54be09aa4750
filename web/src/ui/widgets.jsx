// Small pieces every page uses: headings, error boxes, form fields, tables, paging, buttons.
import { useState } from "@bpmn-io/properties-panel/preact/hooks";
import { useApp } from "./context.js";

export function Page({ title, actions, children }) {
  return (
    <section class="page">
      <header class="page-head">
        <h1>{title}</h1>
        {actions && <div class="page-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export function Link({ to, children, ...rest }) {
  return (
    <a href={to} data-route {...rest}>
      {children}
    </a>
  );
}

/** An API error as the user reads it: its message, and the problems it lists. */
export function ErrorBox({ error }) {
  const { t } = useApp();
  if (!error) return null;
  const problems = error.errors || [];
  return (
    <div class="error-box" role="alert">
      <strong>{error.message || t("common.error")}</strong>
      {error.code === "too_many_attempts" && error.body?.retryAfterSeconds !== undefined && (
        <div>{t("signin.retryIn", { seconds: error.body.retryAfterSeconds })}</div>
      )}
      {problems.length > 1 || (problems.length === 1 && (problemPlace(problems[0]) || problems[0].message !== error.message)) ? (
        <ul>
          {problems.map((problem, index) => (
            <li key={index}>
              {problemPlace(problem) && <code>{problemPlace(problem)}</code>} {problem.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function problemPlace(problem) {
  const where = problem.elementId ?? problem.fieldId ?? problem.location;
  if (!where || where === "-") return problem.line ? `line ${problem.line}` : "";
  return problem.line ? `${where} (line ${problem.line})` : where;
}

/** A labelled form control with the server's message for it underneath. */
export function Field({ label, name, errors, hint, children }) {
  const message = errors && name ? errors[name] : null;
  return (
    <label class={`field${message ? " has-error" : ""}`} data-field={name}>
      <span class="field-label">{label}</span>
      {children}
      {hint && !message && <span class="field-hint">{hint}</span>}
      {message && <span class="field-error">{message}</span>}
    </label>
  );
}

// The scenario a subscription, web request or schedule starts: one select over the saved ones.
export function ScenarioField({ label, scenarios, value, onChange, errors }) {
  const { t } = useApp();
  return (
    <Field label={label} name="scenarioId" errors={errors}>
      <select name="scenarioId" value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{t("common.choose")}</option>
        {scenarios.map((s) => (
          <option key={s.id} value={s.id}>
            {s.id}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function Empty({ children }) {
  return <p class="empty">{children}</p>;
}

export function Loading() {
  const { t } = useApp();
  return <p class="loading">{t("common.loading")}</p>;
}

export function StatusBadge({ status }) {
  const { t } = useApp();
  return <span class={`badge status-${status}`}>{t(`status.${status}`)}</span>;
}

/** Delete-style actions ask once more inline (no window.confirm: it blocks the page). */
export function ConfirmButton({ label, confirmLabel, onConfirm, class: className = "danger" }) {
  const { t } = useApp();
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" class={`small ${className}`} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span class="confirm">
      <button
        type="button"
        class={`small ${className}`}
        onClick={async () => {
          setAsking(false);
          await onConfirm();
        }}
      >
        {confirmLabel || t("common.confirm")}
      </button>
      <button type="button" class="small ghost" onClick={() => setAsking(false)}>
        {t("common.cancel")}
      </button>
    </span>
  );
}

/** Previous / next over a server-side list: a page shorter than `limit` is the last. */
export function Pager({ offset, limit, count, onChange }) {
  const { t } = useApp();
  const last = count < limit;
  if (offset === 0 && count === 0) return null; // the list says it is empty itself
  return (
    <nav class="pager" aria-label={t("common.paging")}>
      <button type="button" class="small" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        {t("common.previous")}
      </button>
      <span class="pager-range">
        {count === 0 ? t("common.noRows") : t("common.rows", { from: offset + 1, to: offset + count })}
      </span>
      <button type="button" class="small" disabled={last} onClick={() => onChange(offset + limit)}>
        {t("common.next")}
      </button>
    </nav>
  );
}

export function JsonBlock({ value }) {
  if (value === undefined || value === null) return <span class="muted">—</span>;
  return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
}

/** Copies text to the clipboard, and says so. */
export function CopyButton({ text }) {
  const { t } = useApp();
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone(true);
      setTimeout(() => setDone(false), 1500);
    } catch {
      setDone(false);
    }
  };
  return (
    <button type="button" class="small ghost" onClick={copy}>
      {done ? t("common.copied") : t("common.copy")}
    </button>
  );
}
