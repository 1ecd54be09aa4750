// One scenario in the editor (`scenarios/{id}`), or a new one (`scenarios/new`: its id first).
// This page loads the BPMN and the components, then hands both to the editor. A saved scenario
// can be deleted here; the server refuses while a trigger still starts it, and says which.
import { useEffect, useRef, useState } from "@bpmn-io/properties-panel/preact/hooks";
import { ApiError } from "../api.js";
import { loadEditor } from "../editor-loader.js";
import { navigate } from "../router.js";
import { useApp } from "../ui/context.js";
import { useSubmit } from "../ui/hooks.js";
import { ConfirmButton, ErrorBox, Field, Link, Loading, Page } from "../ui/widgets.jsx";

const ID_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

export function ScenarioPage({ params }) {
  const { t } = useApp();
  const [newId, setNewId] = useState(null);
  const scenarioId = params.id ? decodeURIComponent(params.id) : newId;
  const title = scenarioId ? t("scenario.title", { id: scenarioId }) : t("scenario.newTitle");
  const [deleteError, setDeleteError] = useState(null);
  const actions = (
    <>
      {params.id && <DeleteScenario scenarioId={scenarioId} onError={setDeleteError} />}
      <Link to="scenarios" class="button ghost">{t("scenario.back")}</Link>
    </>
  );
  return (
    <Page title={title} actions={actions}>
      <ErrorBox error={deleteError} />
      {scenarioId ? (
        <EditorHost scenarioId={scenarioId} isNew={!params.id} />
      ) : (
        <NewScenario onChosen={setNewId} />
      )}
    </Page>
  );
}

function DeleteScenario({ scenarioId, onError }) {
  const { api, t } = useApp();
  const remove = async () => {
    onError(null);
    try {
      await api.del(`api/v1/scenarios/${encodeURIComponent(scenarioId)}`);
      navigate("scenarios");
    } catch (error) {
      onError(error); // 409: the subscriptions, endpoints, schedules... that still start it
    }
  };
  return (
    <span data-testid="scenario-delete">
      <ConfirmButton
        label={t("scenario.delete")}
        confirmLabel={t("scenario.deleteConfirm", { id: scenarioId })}
        onConfirm={remove}
      />
    </span>
  );
}

function NewScenario({ onChosen }) {
  const { api, t } = useApp();
  const [id, setId] = useState("");
  const form = useSubmit(async () => {
    if (!ID_PATTERN.test(id)) throw fieldError(t("scenarios.badId"));
    try {
      await api.get(`api/v1/scenarios/${encodeURIComponent(id)}`, { raw: true });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        onChosen(id);
        return;
      }
      throw error;
    }
    throw fieldError(t("scenario.exists", { id }));
  });
  return (
    <form class="card narrow" onSubmit={form.submit}>
      <Field label={t("scenarios.id")} name="id" errors={form.error?.fieldErrors?.()} hint={t("scenarios.idHint")}>
        <input name="id" value={id} onInput={(event) => setId(event.currentTarget.value)} autofocus />
      </Field>
      <button type="submit" class="primary" disabled={form.busy}>
        {t("scenario.create")}
      </button>
    </form>
  );
}

function fieldError(message) {
  return { message, errors: [], fieldErrors: () => ({ id: message }) };
}

function EditorHost({ scenarioId, isNew }) {
  const { api, t, language } = useApp();
  const container = useRef(null);
  const [state, setState] = useState({ loading: true, error: null, missing: false });

  useEffect(() => {
    let editor = null;
    let gone = false;
    (async () => {
      try {
        const [module, xml, components] = await Promise.all([
          loadEditor(),
          isNew ? null : api.get(`api/v1/scenarios/${encodeURIComponent(scenarioId)}`, { raw: true }).then((a) => a.text),
          api.get("api/v1/components"),
        ]);
        performance.mark("editor:fetched");
        if (gone) return;
        if (!module) {
          setState({ loading: false, error: null, missing: true });
          return;
        }
        setState({ loading: false, error: null, missing: false });
        editor = await module.mountEditor(container.current, {
          xml,
          components,
          api,
          t,
          language,
          scenarioId,
          onSaved: () => {
            if (isNew) navigate(`scenarios/${encodeURIComponent(scenarioId)}`, { replace: true });
          },
        });
      } catch (error) {
        if (!gone) setState({ loading: false, error, missing: false });
      }
    })();
    return () => {
      gone = true;
      editor?.destroy?.();
    };
    // Not on a language switch: that would drop an unsaved drawing (it shows on next opening).
  }, [scenarioId, isNew]);

  return (
    <div class="editor-page">
      {state.loading && <Loading />}
      <ErrorBox error={state.error} />
      {state.missing && <p class="placeholder" data-testid="editor-missing">{t("scenario.editorMissing")}</p>}
      <div class="editor-host" ref={container} />
    </div>
  );
}
