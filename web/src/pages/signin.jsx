// Sign in with email and password (the API's users); the cookie is the browser's business, the
// CSRF token the answer carries is kept in memory by the API client.
import { useState } from "@bpmn-io/properties-panel/preact/hooks";
import { useApp } from "../ui/context.js";
import { useSubmit } from "../ui/hooks.js";
import { ErrorBox, Field } from "../ui/widgets.jsx";

export function SignIn({ onSignedIn, switcher }) {
  const { api, t } = useApp();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const form = useSubmit(async () => {
    const answer = await api.post("api/v1/session", { email, password }, { quiet401: true });
    onSignedIn(answer);
  });
  const errors = form.error?.fieldErrors?.() || {};
  return (
    <div class="signin">
      <form class="card signin-card" onSubmit={form.submit} noValidate>
        <div class="signin-head">
          <h1>Automations</h1>
          {switcher}
        </div>
        <p class="muted">{t("signin.intro")}</p>
        <ErrorBox error={form.error} />
        <Field label={t("signin.email")} name="email" errors={errors}>
          <input
            name="email"
            type="email"
            autocomplete="username"
            value={email}
            onInput={(event) => setEmail(event.currentTarget.value)}
            required
          />
        </Field>
        <Field label={t("signin.password")} name="password" errors={errors}>
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
            required
          />
        </Field>
        <button type="submit" class="primary" disabled={form.busy}>
          {t("signin.submit")}
        </button>
      </form>
    </div>
  );
}
