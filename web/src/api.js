// The API client: relative URLs (`api/v1/...`, resolved against the page's <base href>), JSON in
// and out, the session's CSRF token on unsafe methods, and one error type for every refusal.

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** An answer that was not 2xx, with the API's `{statusCode, code, message, fieldId?, errors?}`. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code || "";
    this.fieldId = body?.fieldId ?? null;
    this.errors = Array.isArray(body?.errors) ? body.errors : [];
    this.body = body || {};
  }

  /** Messages per form field: `{email: "...", "values.2": "..."}` from fieldId and errors[]. */
  fieldErrors() {
    const found = {};
    for (const problem of this.errors) {
      const name = problem.fieldId ?? fieldOfLocation(problem.location);
      if (name && !(name in found)) found[name] = problem.message;
    }
    if (this.fieldId && !(this.fieldId in found)) found[this.fieldId] = this.message;
    return found;
  }
}

// "body.email" -> "email", "query.limit" -> "limit": the request part is not a field's name.
function fieldOfLocation(location) {
  if (!location) return null;
  const parts = String(location).split(".");
  return parts.length > 1 ? parts.slice(1).join(".") : parts[0];
}

/**
 * `createApi({onUnauthorized})` -> {get, post, put, patch, del, setCsrf}. `onUnauthorized` runs on
 * a 401 from any call but signing in (the shell shows the sign-in form); the call still rejects.
 */
export function createApi({ onUnauthorized } = {}) {
  let csrfToken = null;

  async function request(method, path, body, { contentType, raw = false, quiet401 = false } = {}) {
    const headers = { Accept: "application/json" };
    let payload;
    if (body !== undefined) {
      // A string or a file (an upload's bytes) goes as it is, with its own type.
      if (contentType && (typeof body === "string" || body instanceof Blob)) {
        payload = body;
        headers["Content-Type"] = contentType;
      } else {
        payload = JSON.stringify(body);
        headers["Content-Type"] = "application/json";
      }
    }
    if (UNSAFE.has(method) && csrfToken) headers["X-CSRF-Token"] = csrfToken;
    const answer = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
    const text = await answer.text();
    const type = answer.headers.get("Content-Type") || "";
    const parsed = type.includes("json") && text ? safeJson(text) : null;
    if (!answer.ok) {
      const error = new ApiError(answer.status, parsed || { message: text.slice(0, 300) });
      if (answer.status === 401 && !quiet401 && onUnauthorized) onUnauthorized(error);
      throw error;
    }
    if (raw) return { text, headers: answer.headers };
    return parsed ?? text;
  }

  return {
    get: (path, options) => request("GET", path, undefined, options),
    post: (path, body, options) => request("POST", path, body ?? {}, options),
    put: (path, body, options) => request("PUT", path, body, options),
    patch: (path, body, options) => request("PATCH", path, body, options),
    del: (path, options) => request("DELETE", path, undefined, options),
    setCsrf(token) {
      csrfToken = token || null;
    },
  };
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** `query({status: "error", offset: 0, x: ""})` -> "?status=error&offset=0" (empty values left out). */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
