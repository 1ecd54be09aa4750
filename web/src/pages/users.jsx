// Users (admins): who may sign in, with which role; a new user, a role change, a new password,
// deleting one. The API refuses to delete or demote the last admin and says so.
import { useState } from "@bpmn-io/properties-panel/preact/hooks";
import { useApp } from "../ui/context.js";
import { formatTime } from "../ui/format.js";
import { useLoad, useSubmit } from "../ui/hooks.js";
import { ConfirmButton, ErrorBox, Field, Loading, Page } from "../ui/widgets.jsx";

const ROLES = ["member", "admin"];

export function UsersPage() {
  const { api, t, user: me } = useApp();
  const list = useLoad(() => api.get("api/v1/users"), []);
  const [error, setError] = useState(null);
  const act = async (work) => {
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure);
    }
    await list.reload({ quiet: true });
  };

  return (
    <Page title={t("users.title")}>
      <ErrorBox error={list.error || error} />
      {list.loading && !list.data ? (
        <Loading />
      ) : (
        <table class="table" data-testid="users">
          <thead>
            <tr>
              <th>{t("users.email")}</th>
              <th>{t("users.name")}</th>
              <th>{t("users.role")}</th>
              <th>{t("users.createdAt")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((u) => (
              <tr key={u.id} data-user={u.email}>
                <td>
                  {u.email} {u.id === me.id && <span class="tag">{t("users.you")}</span>}
                </td>
                <td>{u.name}</td>
                <td>
                  <select
                    class="small"
                    aria-label={t("users.role")}
                    value={u.role}
                    onChange={(e) => act(() => api.patch(`api/v1/users/${u.id}`, { role: e.currentTarget.value }))}
                  >
                    {ROLES.map((role) => (
                      <option key={role} value={role}>
                        {t(`role.${role}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td class="nowrap">{formatTime(u.createdAt)}</td>
                <td class="actions">
                  <PasswordButton userId={u.id} />
                  <ConfirmButton label={t("common.delete")} onConfirm={() => act(() => api.del(`api/v1/users/${u.id}`))} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewUser onCreated={() => list.reload({ quiet: true })} />
    </Page>
  );
}

function PasswordButton({ userId }) {
  const { api, t } = useApp();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const form = useSubmit(async () => {
    await api.patch(`api/v1/users/${userId}`, { password });
    setPassword("");
    setOpen(false);
  });
  if (!open) {
    return (
      <button type="button" class="small" onClick={() => setOpen(true)}>
        {t("users.setPassword")}
      </button>
    );
  }
  const message = form.error?.fieldErrors?.().password || form.error?.message;
  return (
    <form class="inline-form" onSubmit={form.submit}>
      <input
        type="password"
        aria-label={t("users.newPassword")}
        placeholder={t("users.newPassword")}
        autocomplete="new-password"
        value={password}
        onInput={(e) => setPassword(e.currentTarget.value)}
      />
      <button type="submit" class="small primary" disabled={form.busy}>
        {t("common.save")}
      </button>
      <button type="button" class="small ghost" onClick={() => setOpen(false)}>
        {t("common.cancel")}
      </button>
      {message && <span class="field-error">{message}</span>}
    </form>
  );
}

function NewUser({ onCreated }) {
  const { api, t } = useApp();
  const [draft, setDraft] = useState({ email: "", name: "", password: "", role: "member" });
  const set = (patch) => setDraft({ ...draft, ...patch });
  const form = useSubmit(async () => {
    await api.post("api/v1/users", draft);
    setDraft({ email: "", name: "", password: "", role: "member" });
    onCreated();
  });
  const errors = form.error?.fieldErrors?.() || {};
  return (
    <form class="card" onSubmit={form.submit} data-testid="new-user">
      <h2>{t("users.new")}</h2>
      <div class="form-row">
        <Field label={t("users.email")} name="email" errors={errors}>
          <input name="email" type="email" value={draft.email} onInput={(e) => set({ email: e.currentTarget.value })} />
        </Field>
        <Field label={t("users.name")} name="name" errors={errors}>
          <input name="name" value={draft.name} onInput={(e) => set({ name: e.currentTarget.value })} />
        </Field>
        <Field label={t("users.password")} name="password" errors={errors} hint={t("users.passwordHint")}>
          <input
            name="password"
            type="password"
            autocomplete="new-password"
            value={draft.password}
            onInput={(e) => set({ password: e.currentTarget.value })}
          />
        </Field>
        <Field label={t("users.role")} name="role" errors={errors}>
          <select name="role" value={draft.role} onChange={(e) => set({ role: e.currentTarget.value })}>
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {t(`role.${role}`)}
              </option>
            ))}
          </select>
        </Field>
        <div class="form-submit">
          <button type="submit" class="primary" disabled={form.busy}>
            {t("users.create")}
          </button>
        </div>
      </div>
      {form.error && !Object.keys(errors).length && <ErrorBox error={form.error} />}
    </form>
  );
}
