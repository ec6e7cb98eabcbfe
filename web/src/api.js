// Thin client of the REST API; errors carry the server's JSON error (code, message, field).
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
    this.field = body?.error?.field;
  }
}

// `actor` stands for the signed-in person until accounts arrive (issue #6): "dispatcher:CODE",
// "unit:ID", "worker:ID".
function headers(actor, extra = {}) {
  const h = { accept: 'application/json', ...extra };
  if (actor) h['X-Gongzhi-Actor'] = actor;
  return h;
}

export async function get(path, actor) {
  const res = await fetch(path, { headers: headers(actor) });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

// The signed-in session's X-CSRF-Token (given at sign-in): every write with the cookie sends it.
let csrfToken = '';
export function setCsrfToken(token) {
  csrfToken = token ?? '';
}

// A body that is not JSON (CSV, GeoJSON files) with its content type.
export async function sendText(method, path, text, contentType) {
  const res = await fetch(path, {
    method,
    headers: headers(undefined, { 'content-type': contentType, ...(csrfToken ? { 'X-CSRF-Token': csrfToken } : {}) }),
    body: text,
  });
  const out = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, out);
  return out;
}

export async function send(method, path, body, actor) {
  const res = await fetch(path, {
    method,
    headers: headers(actor, { 'content-type': 'application/json', ...(csrfToken ? { 'X-CSRF-Token': csrfToken } : {}) }),
    body: JSON.stringify(body ?? {}),
  });
  const out = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, out);
  return out;
}
