// The shell: who is signed in (or the sign-in form), the left navigation, the language switch,
// and the page the route names. Members see only the pages the API lets them use.
import { useEffect, useMemo, useState } from "@bpmn-io/properties-panel/preact/hooks";
import { createApi } from "./api.js";
import { initialLanguage, saveLanguage, translator } from "./i18n/index.js";
import { ROUTES, NAV } from "./routes.js";
import { match, navigate, useRoute } from "./router.js";
import { SignIn } from "./pages/signin.jsx";
import { AppContext, useApp } from "./ui/context.js";
import { Link, Loading, Page } from "./ui/widgets.jsx";

export function App() {
  const [language, setLanguage] = useState(initialLanguage);
  const [session, setSession] = useState(undefined); // undefined: not known yet; null: signed out
  const t = useMemo(() => translator(language), [language]);
  const api = useMemo(
    () =>
      createApi({
        onUnauthorized: () => setSession(null),
      }),
    [],
  );
  const route = useRoute();

  useEffect(() => {
    document.documentElement.lang = language;
    saveLanguage(language);
  }, [language]);

  useEffect(() => {
    api
      .get("api/v1/session", { quiet401: true })
      .then(accept)
      .catch(() => setSession(null));
  }, []);

  function accept(answer) {
    api.setCsrf(answer.csrfToken);
    setSession(answer);
  }

  async function signOut() {
    try {
      await api.del("api/v1/session");
    } finally {
      api.setCsrf(null);
      setSession(null);
      navigate("", { replace: true });
    }
  }

  const user = session?.user;
  const context = { api, t, user, language, setLanguage, isAdmin: user?.role === "admin" };
  const switcher = <LanguageSwitch language={language} setLanguage={setLanguage} t={t} />;

  let body;
  if (session === undefined) body = <Loading />;
  else if (session === null) body = <SignIn onSignedIn={accept} switcher={switcher} />;
  else body = <Shell route={route} signOut={signOut} switcher={switcher} />;
  return <AppContext.Provider value={context}>{body}</AppContext.Provider>;
}

function LanguageSwitch({ language, setLanguage, t }) {
  return (
    <label class="language">
      <span class="sr-only">{t("nav.language")}</span>
      <select value={language} onChange={(event) => setLanguage(event.currentTarget.value)} data-testid="language">
        <option value="en">English</option>
        <option value="ru">Русский</option>
      </select>
    </label>
  );
}

function Shell({ route, signOut, switcher }) {
  const { t, user, isAdmin } = useApp();
  const found = findRoute(route.path, isAdmin);
  const section = route.path.split("/")[0];

  useEffect(() => {
    if (found?.redirect) navigate(found.redirect, { replace: true });
  }, [found?.redirect]);

  return (
    <div class="shell">
      <aside class="sidebar">
        <div class="brand">Automations</div>
        <nav class="nav">
          {NAV.filter((item) => isAdmin || !item.admin).map((item) => (
            <Link key={item.path} to={item.path} class={section === item.path ? "active" : ""}>
              {t(item.label)}
            </Link>
          ))}
        </nav>
        <div class="sidebar-foot">
          <div class="who" title={user.email}>
            <span class="who-name">{user.name || user.email}</span>
            <span class="who-role">{t(`role.${user.role}`)}</span>
          </div>
          {switcher}
          <button type="button" class="ghost small" onClick={signOut} data-testid="sign-out">
            {t("nav.signOut")}
          </button>
        </div>
      </aside>
      <main class="content">
        {found && found.page ? (
          <found.page key={route.path} params={found.params} search={route.search} />
        ) : found?.redirect ? null : (
          <Page title={t("common.notFound")}>
            <p>{t("common.notFoundText")}</p>
          </Page>
        )}
      </main>
    </div>
  );
}

function findRoute(path, isAdmin) {
  if (path === "") return { redirect: isAdmin ? "scenarios" : "processes" };
  for (const route of ROUTES) {
    const params = match(route.pattern, path);
    if (params) {
      if (route.admin && !isAdmin) return null;
      return { page: route.page, params };
    }
  }
  return null;
}
