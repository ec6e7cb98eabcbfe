// End-to-end: sign-in (issue #6) on a server that believes no X-Gongzhi-Actor header. Sessions
// (HttpOnly SameSite cookie), bearer tokens, scope by role, logout, login rate limit, no
// plaintext password or token in the database, accounts added on the command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { api, BIN, startServer, tempDir } from './helpers.mjs';

const PASSWORD = 'gongzhi-demo-2026';

async function login(url, loginName, password = PASSWORD) {
  const res = await fetch(url + '/api/v1/session', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: loginName, password }),
  });
  const body = await res.json();
  const cookie = res.headers.get('set-cookie');
  return { status: res.status, body, cookie, session: cookie ? cookie.split(';')[0] : '', retryAfter: res.headers.get('retry-after') };
}

async function report(url, community, description) {
  const g = (await api(url, 'GET', `/api/v1/grids?community=${community}`)).json.features[0].geometry.coordinates[0];
  const r = await api(url, 'POST', '/api/v1/cases', {
    category_code: '0101', description, lng: (g[0][0] + g[2][0]) / 2, lat: (g[0][1] + g[2][1]) / 2,
  });
  assert.equal(r.status, 201, r.text);
  return r.json.tracking_code;
}

test('sign-in: sessions, tokens, scope, logout, rate limit, nothing in plaintext', async () => {
  const tmp = tempDir();
  const srv = await startServer({ db: tmp.db, trustActor: false });
  const { url } = srv;
  try {
    assert.match(srv.stderr() + '', /^(?![\s\S]*trust-actor-header)/, 'no trust warning');
    await report(url, '130404001008', '胜利桥的垃圾');
    await report(url, '130404002001', '别处的垃圾');

    // Without a credential nobody acts, whatever the header or parameter says.
    for (const [path, headers] of [['/api/v1/cases', {}], ['/api/v1/cases', { 'X-Gongzhi-Actor': 'system' }],
      ['/api/v1/feed?actor=system', {}], ['/api/v1/session', {}]]) {
      const r = await api(url, 'GET', path, undefined, headers);
      assert.equal(r.status, 401, `${path} ${JSON.stringify(headers)}: ${r.text}`);
    }

    // Wrong password and unknown login answer alike.
    const wrong = await login(url, 'slq.dispatch', 'not-the-password');
    const unknown = await login(url, 'nobody-here', 'not-the-password');
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
    assert.equal(wrong.cookie, null);

    // The township dispatcher signs in: an HttpOnly, SameSite cookie; sees its own township only.
    const d = await login(url, 'slq.dispatch');
    assert.equal(d.status, 201, JSON.stringify(d.body));
    assert.match(d.cookie, /^gz_session=gzs_[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    assert.equal(d.body.acting_as.text, 'township_dispatcher@130404001');
    const me = { cookie: d.session, 'X-CSRF-Token': d.body.csrf_token };
    assert.equal((await api(url, 'GET', '/api/v1/session', undefined, me)).json.account.login, 'slq.dispatch');
    const mine = (await api(url, 'GET', '/api/v1/cases', undefined, me)).json.items;
    assert.deepEqual(mine.map((c) => c.description), ['胜利桥的垃圾']);
    // The header cannot widen a session's scope.
    const forged = (await api(url, 'GET', '/api/v1/cases', undefined, { ...me, 'X-Gongzhi-Actor': 'system' })).json.items;
    assert.equal(forged.length, 1);
    const all = (await api(url, 'GET', '/api/v1/cases', undefined, { cookie: (await login(url, 'admin')).session })).json.items;
    assert.equal(all.length, 2);
    const elsewhere = all.find((c) => c.description === '别处的垃圾');
    assert.equal((await api(url, 'GET', `/api/v1/cases/${elsewhere.id}`, undefined, me)).status, 404, 'out of scope: 404');

    // A bearer token for a script; a forged one is refused.
    const tok = await api(url, 'POST', '/api/v1/tokens', { name: 'nightly export' }, me);
    assert.equal(tok.status, 201, tok.text);
    assert.match(tok.json.token, /^gzt_[0-9a-f]{64}$/);
    const viaToken = await api(url, 'GET', '/api/v1/cases', undefined, { authorization: `Bearer ${tok.json.token}` });
    assert.equal(viaToken.status, 200);
    assert.equal(viaToken.json.items.length, 1);
    const forgedToken = await api(url, 'GET', '/api/v1/cases', undefined, { authorization: 'Bearer gzt_' + '0'.repeat(64) });
    assert.equal(forgedToken.status, 401);
    assert.equal(forgedToken.json.error.field, 'Authorization');

    // An account's API token is also an Open311 api_key (partners are accounts, revocable); a
    // session token is not.
    const g = (await api(url, 'GET', '/api/v1/grids?community=130404001008')).json.features[0].geometry.coordinates[0];
    const form = (key) => new URLSearchParams({ api_key: key, service_code: '0101', description: '合作方转来的诉求',
      lat: String((g[0][1] + g[2][1]) / 2), long: String((g[0][0] + g[2][0]) / 2) });
    const viaPartner = await fetch(url + '/open311/v2/requests.json', { method: 'POST', body: form(tok.json.token) });
    assert.equal(viaPartner.status, 200, await viaPartner.text());
    const viaSession = await fetch(url + '/open311/v2/requests.json', { method: 'POST', body: form(d.session.split('=')[1]) });
    assert.equal(viaSession.status, 403);

    // A write with the cookie needs the session's X-CSRF-Token; a bearer token does not.
    assert.match(d.body.csrf_token, /^[0-9a-f]{32}$/);
    for (const csrf of [undefined, '0'.repeat(32)]) {
      const r = await api(url, 'POST', '/api/v1/tokens', { name: 'csrf?' }, { cookie: d.session, ...(csrf ? { 'X-CSRF-Token': csrf } : {}) });
      assert.equal(r.status, 403, r.text);
      assert.equal(r.json.error.field, 'X-CSRF-Token');
    }
    assert.equal((await api(url, 'POST', '/api/v1/tokens', { name: 'from a script' }, { authorization: `Bearer ${tok.json.token}` })).status, 201);
    assert.equal((await api(url, 'GET', '/api/v1/session', undefined, { cookie: d.session })).json.csrf_token, d.body.csrf_token);
    assert.ok(![PASSWORD, tok.json.token, d.session.split('=')[1]].some((s) => srv.stderr().includes(s)), 'no secret in the log');

    // The administrator manages accounts over HTTP; every change of roles is recorded.
    const adm = await login(url, 'admin');
    const asAdmin = { cookie: adm.session, 'X-CSRF-Token': adm.body.csrf_token };
    const made = await api(url, 'POST', '/api/v1/accounts',
      { login: 'Wang.Fang', name: '王芳', password: 'another-long-pass', roles: ['community_staff@130404001008'] }, asAdmin);
    assert.equal(made.status, 201, made.text);
    assert.equal(made.json.login, 'wang.fang');
    assert.equal(made.json.password_hash, undefined);
    const badRoles = await api(url, 'POST', '/api/v1/accounts', { login: 'x.y', name: 'x', password: 'another-long-pass', roles: ['admin', 'mayor@1304'] }, asAdmin);
    assert.equal(badRoles.json.error.field, 'roles[1]');
    assert.equal((await api(url, 'POST', '/api/v1/accounts', { login: 'wang.fang', name: 'x', password: 'another-long-pass', roles: ['admin'] }, asAdmin)).status, 409);
    const wang = await login(url, 'wang.fang', 'another-long-pass');
    const asWang = { cookie: wang.session };
    assert.equal((await api(url, 'GET', '/api/v1/cases', undefined, asWang)).status, 200);
    const moved = await api(url, 'PUT', `/api/v1/accounts/${made.json.id}`, { name: '王芳', roles: ['township_dispatcher@130404002'], disabled: false }, asAdmin);
    assert.equal(moved.status, 200, moved.text);
    assert.equal((await api(url, 'GET', '/api/v1/cases', undefined, asWang)).status, 401, 'a change of roles ends the sessions');
    assert.equal((await login(url, 'wang.fang', 'another-long-pass')).body.acting_as.text, 'township_dispatcher@130404002');
    assert.equal((await api(url, 'PUT', `/api/v1/accounts/${made.json.id}`, { name: '王芳', roles: ['township_dispatcher@130404002'], disabled: true }, asAdmin)).status, 200);
    assert.equal((await login(url, 'wang.fang', 'another-long-pass')).status, 401, 'disabled');
    const history = (await api(url, 'GET', `/api/v1/accounts/${made.json.id}`, undefined, asAdmin)).json.role_changes;
    assert.deepEqual(history.map((h) => [h.by, h.roles]), [['admin', 'community_staff@130404001008'],
      ['admin', 'township_dispatcher@130404002'], ['admin', '']]);
    assert.ok((await api(url, 'GET', '/api/v1/accounts?limit=100', undefined, asAdmin)).json.items.some((a) => a.login === 'wang.fang' && a.disabled));
    const adminId = (await api(url, 'GET', '/api/v1/session', undefined, asAdmin)).json.account.id;
    const last = await api(url, 'PUT', `/api/v1/accounts/${adminId}`, { name: 'x', roles: ['leader@130404'], disabled: false }, asAdmin);
    assert.equal(last.status, 409, 'the last administrator stays one');
    assert.equal((await api(url, 'GET', '/api/v1/accounts', undefined, me)).status, 403, 'a dispatcher does not manage accounts');

    // Signing out ends the session.
    assert.equal((await api(url, 'DELETE', '/api/v1/session', undefined, me)).status, 204);
    assert.equal((await api(url, 'GET', '/api/v1/cases', undefined, me)).status, 401);

    // Five failures lock the login for a while: 429 with Retry-After, even with the right password.
    for (let i = 0; i < 5; i++) assert.equal((await login(url, 'leader', 'wrong-password-' + i)).status, 401);
    const locked = await login(url, 'leader');
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.retryAfter) > 0);

    // Bad input is named.
    const bad = await api(url, 'POST', '/api/v1/session', { login: 'x' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'password');
  } finally {
    await srv.stop();
  }
  // An account from the command line (password on standard input); then it signs in.
  const add = spawnSync(BIN, ['account', 'add', '--db', tmp.db, '--login', 'Zhang.Wei', '--name', '张伟',
    '--role', 'community_staff@130404001008'], { input: 'a-long-password-1\n', encoding: 'utf8' });
  assert.equal(add.status, 0, add.stderr);
  const badRole = spawnSync(BIN, ['account', 'add', '--db', tmp.db, '--login', 'li.na', '--name', '李娜',
    '--role', 'community_staff'], { input: 'a-long-password-1\n', encoding: 'utf8' });
  assert.notEqual(badRole.status, 0);
  assert.match(badRole.stderr, /--role\[0\]/);
  const srv2 = await startServer({ db: tmp.db, trustActor: false });
  try {
    const z = await login(srv2.url, 'zhang.wei', 'a-long-password-1');
    assert.equal(z.status, 201, JSON.stringify(z.body));
    assert.equal(z.body.acting_as.region_code, '130404001008');
  } finally {
    await srv2.stop();
  }
  // Neither passwords nor tokens are stored in plaintext (the database and its log).
  const bytes = Buffer.concat(['', '-wal'].map((s) => { try { return readFileSync(tmp.db + s); } catch { return Buffer.alloc(0); } }));
  for (const secret of [PASSWORD, 'a-long-password-1', 'gzs_', 'gzt_']) assert.equal(bytes.indexOf(secret), -1, secret);
  assert.ok(bytes.indexOf('$argon2id$') >= 0);
  tmp.cleanup();
});
