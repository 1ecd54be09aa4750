// Routes are paths relative to the app's base (`document.baseURI`: `/` on the dev server,
// `/prod/` behind API Gateway), so the app never writes an absolute path.
import { useEffect, useState } from "@bpmn-io/properties-panel/preact/hooks";

const listeners = new Set();

/** The current route: `{path: "processes/abc", search: URLSearchParams}`. */
export function currentRoute() {
  const base = new URL(document.baseURI);
  const here = new URL(window.location.href);
  let path = here.pathname.startsWith(base.pathname)
    ? here.pathname.slice(base.pathname.length)
    : here.pathname.replace(/^\//, "");
  path = path.replace(/\/+$/, "");
  return { path: decodeURIComponent(path), search: here.searchParams };
}

/** An app-relative href for a route ("processes?status=error"). */
export function href(path) {
  return new URL(path, document.baseURI).href;
}

export function navigate(path, { replace = false } = {}) {
  const target = href(path);
  if (replace) window.history.replaceState(null, "", target);
  else window.history.pushState(null, "", target);
  for (const listener of listeners) listener();
}

/** Re-renders its caller on every route change (links, back/forward). */
export function useRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return route;
}

/** `match("processes/:id", "processes/42")` -> {id: "42"}, or null. */
export function match(pattern, path) {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return null;
  const params = {};
  for (let i = 0; i < want.length; i += 1) {
    if (want[i].startsWith(":")) params[want[i].slice(1)] = got[i];
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

// Plain left clicks on the app's own links change the route without reloading the page.
export function interceptLinks(root) {
  root.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest("a[data-route]");
    if (!link) return;
    event.preventDefault();
    navigate(link.getAttribute("href"));
  });
}
