// Who is signed in (GET /api/v1/session), shared by the screens. The session itself is an
// HttpOnly cookie the page never sees; fetch and EventSource send it on their own.
import { reactive } from 'vue';
import { get, send, setCsrfToken } from './api.js';

export const session = reactive({ me: null, loaded: false, config: null });

export async function loadSession() {
  try {
    session.config ??= await get('/api/v1/config');
    session.me = await get('/api/v1/session');
  } catch {
    session.me = null;
  }
  setCsrfToken(session.me?.csrf_token);
  session.loaded = true;
  return session.me;
}

export async function signIn(login, password) {
  session.me = await send('POST', '/api/v1/session', { login, password });
  setCsrfToken(session.me.csrf_token);
  return session.me;
}

export async function signOut() {
  await send('DELETE', '/api/v1/session').catch(() => {});
  session.me = null;
  setCsrfToken('');
}

// Whether the signed-in person acts as an administrator (the admin screen and its menu entry).
export function isAdmin() {
  return session.me?.acting_as?.role === 'admin';
}

// The screen a role works on.
export function homeOf(me) {
  const role = me?.acting_as?.role;
  if (role === 'department_staff') return '#/unit';
  if (role === 'grid_worker') return '#/worker';
  if (role === 'leader' || role === 'party_secretary') return '#/dashboard';
  if (role === 'resident' || role === 'volunteer') return '#/report';
  if (role === 'admin') return '#/admin';
  return '#/console';
}

// "dispatcher:130404001" -> { kind: 'dispatcher', who: '130404001' }
export function actorParts(actor) {
  const i = (actor ?? '').indexOf(':');
  return i < 0 ? { kind: actor === 'system' ? 'dispatcher' : '', who: '' } : { kind: actor.slice(0, i), who: actor.slice(i + 1) };
}
