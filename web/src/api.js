// Thin client of the REST API; errors carry the server's JSON error (code, message, field).
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
    this.field = body?.error?.field;
  }
}

// `actor` ("dispatcher:CODE", "unit:ID", "worker:ID") is sent as X-Gongzhi-Actor only on a server
// started with --trust-actor-header (tests, trusted scripts); signed-in people leave it empty.
function headers(actor, extra = {}) {
  const h = { accept: 'application/json', ...extra };
  if (actor) h['X-Gongzhi-Actor'] = actor;
  return h;
}

// The answer's JSON, or an ApiError carrying the server's error.
async function request(path, init) {
  const res = await fetch(path, init);
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

export function get(path, actor) {
  return request(path, { headers: headers(actor) });
}

// The signed-in session's X-CSRF-Token (given at sign-in): every write with the cookie sends it.
let csrfToken = '';
export function setCsrfToken(token) {
  csrfToken = token ?? '';
}

// A body that is not JSON (CSV, GeoJSON, a photo's bytes) with its content type.
export function sendText(method, path, text, contentType, actor) {
  const extra = { 'content-type': contentType, ...(csrfToken ? { 'X-CSRF-Token': csrfToken } : {}) };
  return request(path, { method, headers: headers(actor, extra), body: text });
}

export function send(method, path, body, actor) {
  return sendText(method, path, JSON.stringify(body ?? {}), 'application/json', actor);
}
