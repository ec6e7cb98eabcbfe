// End-to-end: durability across a crash, graceful shutdown, and the PostgreSQL backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, startServer, tempDir } from './helpers.mjs';

const ADMIN = { 'X-Gongzhi-Actor': 'system' };  // configuration writes are for administrators

test('an acknowledged write survives kill -9', async () => {
  const tmp = tempDir();
  try {
    let srv = await startServer({ db: tmp.db });
    const ids = [];
    for (let i = 0; i < 20; i++) {
      const r = await api(srv.url, 'POST', '/api/v1/units', { kind: 'resident_unit', name: `驻区单位${i}`, region_code: '130404' }, ADMIN);
      assert.equal(r.status, 201);
      ids.push(r.json.id);
    }
    const { signal } = await srv.stop('SIGKILL');
    assert.equal(signal, 'SIGKILL');
    srv = await startServer({ db: tmp.db });
    for (const id of ids) assert.equal((await api(srv.url, 'GET', `/api/v1/units/${id}`)).status, 200);
    // --demo a second time adds nothing twice.
    const units = (await api(srv.url, 'GET', '/api/v1/units?under=130404&limit=1000')).json.items;
    assert.equal(units.filter((u) => u.name === '复兴区住房和城乡建设局').length, 1);
    await srv.stop();
  } finally {
    tmp.cleanup();
  }
});

test('SIGTERM answers the requests in flight, then exits 0', async () => {
  const tmp = tempDir();
  try {
    const srv = await startServer({ db: tmp.db });
    // Eight clients post in a loop until the server goes away; SIGTERM lands in the middle.
    const results = [];
    let n = 0;
    const client = async () => {
      for (;;) {
        const r = await api(srv.url, 'POST', '/api/v1/units', { kind: 'department', name: `部门${n++}`, region_code: '130404' }, ADMIN)
          .then((x) => x.status, (e) => e.cause?.code ?? 'error');
        results.push(r);
        if (r !== 201) return;
      }
    };
    const clients = Array.from({ length: 8 }, client);
    await new Promise((r) => setTimeout(r, 300));
    srv.proc.kill('SIGTERM');
    await Promise.all(clients);
    const { code } = await srv.exited;
    assert.equal(code, 0, srv.stderr());
    // Each request was either answered in full or never accepted: nothing cut off halfway.
    // (EPIPE/ECONNRESET/UND_ERR_SOCKET: a kept-alive connection was closed by the stopping server
    // before the request was read — not processed, as the database check below confirms.)
    const notAccepted = ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'];
    for (const r of results) assert.ok(r === 201 || notAccepted.includes(r), String(r));
    assert.ok(results.filter((r) => r === 201).length > 0);
    // Every 201 the clients saw is in the database.
    const again = await startServer({ db: tmp.db });
    const names = (await api(again.url, 'GET', '/api/v1/units?kind=department&limit=1000')).json.items.map((u) => u.name);
    assert.equal(names.filter((n) => n.startsWith('部门')).length, results.filter((r) => r === 201).length);
    await again.stop();
  } finally {
    tmp.cleanup();
  }
});

test('the same API on PostgreSQL', async (t) => {
  const pg = process.env.GONGZHI_TEST_PG_E2E;
  if (!pg) {
    if (process.env.GONGZHI_REQUIRE_PG) assert.fail('GONGZHI_REQUIRE_PG is set but GONGZHI_TEST_PG_E2E is not');
    t.skip('set GONGZHI_TEST_PG_E2E to run against PostgreSQL');
    return;
  }
  const srv = await startServer({ pg });
  try {
    assert.equal((await api(srv.url, 'GET', '/healthz')).json.backend, 'postgres');
    const d = await api(srv.url, 'GET', '/api/v1/regions/130404');
    assert.equal(d.json.children.length, 10);
    const loc = await api(srv.url, 'GET', '/api/v1/locate?lng=114.35&lat=36.60');
    assert.equal(loc.status, 200);
    assert.equal(loc.json.district.code, '130404');
    const u = await api(srv.url, 'POST', '/api/v1/units', { kind: 'social_org', name: '邻里互助会', region_code: '130404001008' }, ADMIN);
    assert.equal(u.status, 201);
    assert.equal((await api(srv.url, 'GET', `/api/v1/units/${u.json.id}`)).json.name, '邻里互助会');
    const bad = await api(srv.url, 'POST', '/api/v1/grid-workers', { name: 'x', grids: ['130404001008999'] }, ADMIN);
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'grids[0]');
  } finally {
    await srv.stop();
  }
  // A second start on the same database migrates nothing and keeps the data.
  const again = await startServer({ pg });
  const units = (await api(again.url, 'GET', '/api/v1/units?kind=social_org&limit=1000')).json.items;
  assert.ok(units.some((x) => x.name === '邻里互助会'));
  await again.stop();
});
