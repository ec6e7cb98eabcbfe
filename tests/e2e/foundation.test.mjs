// End-to-end: the real binary on SQLite, driven over HTTP and through its command line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import { api, cli, startServer, tempDir, ROOT } from './helpers.mjs';

const ADMIN = { 'X-Gongzhi-Actor': 'system' };  // configuration writes are for administrators

let tmp, srv;
before(async () => {
  tmp = tempDir();
  srv = await startServer({ db: tmp.db });
});
after(async () => {
  await srv?.stop();
  tmp?.cleanup();
});

test('health and the 复兴区 region tree', async () => {
  const h = await api(srv.url, 'GET', '/healthz');
  assert.equal(h.status, 200);
  assert.equal(h.json.status, 'ok');
  assert.equal(h.json.backend, 'sqlite');
  const d = await api(srv.url, 'GET', '/api/v1/regions/130404');
  assert.equal(d.status, 200);
  assert.equal(d.json.name, '复兴区');
  assert.equal(d.json.children.length, 10);
  assert.ok(d.json.children.some((c) => c.name === '户村镇' && c.level === 'township'));
  const t = await api(srv.url, 'GET', '/api/v1/regions/130404001');
  assert.equal(t.json.ancestors.at(-1).code, '130404');
  let villages = 0;
  for (const c of d.json.children) villages += (await api(srv.url, 'GET', `/api/v1/regions/${c.code}`)).json.children.length;
  assert.equal(villages, 115);
  const missing = await api(srv.url, 'GET', '/api/v1/regions/130499');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error.code, 'not_found');
});

test('locate a point to grid, community, township and district', async () => {
  const grids = await api(srv.url, 'GET', '/api/v1/grids?community=130404001008');
  assert.equal(grids.json.type, 'FeatureCollection');
  assert.equal(grids.json.features.length, 4);
  const g = grids.json.features[2];
  assert.equal(g.properties.synthetic, true);
  const ring = g.geometry.coordinates[0];
  const lng = (ring[0][0] + ring[2][0]) / 2, lat = (ring[0][1] + ring[2][1]) / 2;
  const r = await api(srv.url, 'GET', `/api/v1/locate?lng=${lng}&lat=${lat}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.grid.code, g.properties.code);
  assert.equal(r.json.grid.synthetic, true);
  assert.equal(r.json.community.code, '130404001008');
  assert.equal(r.json.township.name, '胜利桥街道');
  assert.equal(r.json.district.name, '复兴区');
  const out = await api(srv.url, 'GET', '/api/v1/locate?lng=116.39&lat=39.9');
  assert.equal(out.status, 404);
  assert.match(out.json.error.message, /outside every grid/);
  for (const [q, field] of [['lat=36.6', 'lng'], ['lng=x&lat=36.6', 'lng'], ['lng=114.3&lat=91', 'lat'], ['lng=114.3&lat=', 'lat']]) {
    const bad = await api(srv.url, 'GET', `/api/v1/locate?${q}`);
    assert.equal(bad.status, 400, q);
    assert.equal(bad.json.error.code, 'invalid_argument');
    assert.equal(bad.json.error.field, field, q);
  }
});

test('units attach to any level of the tree; bad input changes nothing', async () => {
  const created = await api(srv.url, 'POST', '/api/v1/units', { kind: 'department', name: '胜利桥街道司法所二组', region_code: '130404001', phone: '0310-5550001' }, ADMIN);
  assert.equal(created.status, 201);
  assert.ok(created.json.id > 0);
  const atCommunity = await api(srv.url, 'POST', '/api/v1/units', { kind: 'party_org', name: '三丰园社区党委', region_code: '130404001008' }, ADMIN);
  assert.equal(atCommunity.status, 201);
  const before = (await api(srv.url, 'GET', '/api/v1/units?under=130404&limit=1000')).json.items;
  const bad = [
    ['{"kind":', '', 400],
    ['[]', '', 400],
    [{ kind: 'department', name: '', region_code: '130404' }, 'name', 400],
    [{ kind: 'department', name: 'x'.repeat(201), region_code: '130404' }, 'name', 400],
    [{ kind: 'department', name: 'a\u0000b', region_code: '130404' }, 'name', 400],
    [{ kind: 'police', name: 'x', region_code: '130404' }, 'kind', 400],
    [{ kind: 'department', name: 'x', region_code: '130404777' }, 'region_code', 400],
    [{ kind: 'department', name: 'x', region_code: "130404' OR 1=1 --" }, 'region_code', 400],
    [{ kind: 'department', name: 'x', region_code: 130404 }, 'region_code', 400],
    [{ kind: 'department', name: 'x', region_code: '130404', phone: 'call me' }, 'phone', 400],
    [{ kind: 'department', name: 'x', region_code: '130404', extra: 1 }, 'extra', 400],
    [{ name: 'x', region_code: '130404' }, 'kind', 400],
  ];
  for (const [body, field, status] of bad) {
    const r = await api(srv.url, 'POST', '/api/v1/units', body, ADMIN);
    assert.equal(r.status, status, JSON.stringify(body));
    assert.equal(r.json.error.code, 'invalid_argument');
    if (field) assert.equal(r.json.error.field, field, JSON.stringify(body));
  }
  const brokenUtf8 = await fetch(srv.url + '/api/v1/units', { method: 'POST', headers: { 'content-type': 'application/json', ...ADMIN }, body: Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]) });
  assert.equal(brokenUtf8.status, 400);
  const after = (await api(srv.url, 'GET', '/api/v1/units?under=130404&limit=1000')).json.items;
  assert.deepEqual(after, before);

  const id = created.json.id;
  const upd = await api(srv.url, 'PUT', `/api/v1/units/${id}`, { kind: 'department', name: '胜利桥街道司法所', region_code: '130404001' }, ADMIN);
  assert.equal(upd.status, 200);
  assert.equal((await api(srv.url, 'GET', `/api/v1/units/${id}`)).json.name, '胜利桥街道司法所');
  const listed = await api(srv.url, 'GET', '/api/v1/units?region=130404001008');
  assert.deepEqual(listed.json.items.map((u) => u.name), ['三丰园社区党委']);
  assert.equal((await api(srv.url, 'DELETE', `/api/v1/units/${id}`, undefined, ADMIN)).status, 204);
  assert.equal((await api(srv.url, 'GET', `/api/v1/units/${id}`)).status, 404);
  assert.equal((await api(srv.url, 'GET', '/api/v1/units?kind=army')).json.error.field, 'kind');
  assert.equal((await api(srv.url, 'GET', '/api/v1/units?limit=0')).json.error.field, 'limit');
});

test('grid workers: create, assign, list by grid, update, delete', async () => {
  const grids = (await api(srv.url, 'GET', '/api/v1/grids?community=130404002001')).json.features.map((f) => f.properties.code);
  const w = await api(srv.url, 'POST', '/api/v1/grid-workers', { name: '孙梅', phone: '13900000001', capacity: 12, grids: grids.slice(0, 2) }, ADMIN);
  assert.equal(w.status, 201);
  assert.deepEqual(w.json.grids, grids.slice(0, 2));
  const byGrid = await api(srv.url, 'GET', `/api/v1/grid-workers?grid=${grids[1]}`);
  assert.deepEqual(byGrid.json.items.map((x) => x.name), ['孙梅']);
  const bad = await api(srv.url, 'POST', '/api/v1/grid-workers', { name: '孙梅', grids: [grids[0], '130404002001999'] }, ADMIN);
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'grids[1]');
  const upd = await api(srv.url, 'PUT', `/api/v1/grid-workers/${w.json.id}`, { name: '孙梅', capacity: 3, grids: [grids[3]] }, ADMIN);
  assert.equal(upd.status, 200);
  assert.equal((await api(srv.url, 'GET', `/api/v1/grid-workers?grid=${grids[1]}`)).json.items.length, 0);
  assert.equal((await api(srv.url, 'GET', `/api/v1/grid-workers/${w.json.id}`)).json.capacity, 3);
  assert.equal((await api(srv.url, 'DELETE', `/api/v1/grid-workers/${w.json.id}`, undefined, ADMIN)).status, 204);
  assert.equal((await api(srv.url, 'GET', `/api/v1/grid-workers/${w.json.id}`)).status, 404);
});

test('HTTP limits: 413 for big bodies, 431 for big headers, 404/405 as JSON', async () => {
  const big = await api(srv.url, 'POST', '/api/v1/units', JSON.stringify({ kind: 'department', name: 'x'.repeat(2 << 20), region_code: '130404' }), ADMIN);
  assert.equal(big.status, 413);
  assert.equal(big.json.error.code, 'payload_too_large');
  const nf = await api(srv.url, 'GET', '/api/v1/nothing-here');
  assert.equal(nf.status, 404);
  assert.equal(nf.json.error.code, 'not_found');
  assert.equal((await api(srv.url, 'DELETE', '/api/v1/regions/130404')).status, 405);
  const status = await new Promise((resolve, reject) => {
    const { port } = new URL(srv.url);
    const s = net.connect(Number(port), '127.0.0.1', () => {
      s.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40000)}\r\n\r\n`);
    });
    let data = '';
    s.on('data', (d) => { data += d; });
    s.on('end', () => resolve(Number(data.split(' ')[1])));
    s.on('error', reject);
  });
  assert.equal(status, 431);
  const garbage = await new Promise((resolve) => {
    const { port } = new URL(srv.url);
    const s = net.connect(Number(port), '127.0.0.1', () => s.write('HELLO THERE\r\n\r\n'));
    let data = '';
    s.on('data', (d) => { data += d; });
    s.on('end', () => resolve(data));
    s.on('error', () => resolve(data));
  });
  assert.match(garbage, /^HTTP\/1\.1 400/);
});

test('gongzhi import divisions: whole 邯郸市, idempotent, --under, bad file refused whole', () => {
  const file = join(ROOT, 'data/handan-divisions.csv');
  // A PostgreSQL address given as the SQLite file is refused, and leaves nothing behind.
  const misplaced = cli(['import', 'divisions', file, '--db', 'postgresql://127.0.0.1:1/gongzhi'], { cwd: tmp.dir });
  assert.equal(misplaced.code, 2, misplaced.stdout);  // bad input
  assert.match(misplaced.stderr, /is a PostgreSQL address: give it with --pg/);
  assert.ok(!existsSync(join(tmp.dir, 'postgresql:')), 'no directory named after the address');
  const first = cli(['import', 'divisions', file, '--db', tmp.db]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /imported 6102 regions/);
  const again = cli(['import', 'divisions', file, '--db', tmp.db]);
  assert.match(again.stdout, /0 new or changed, 6102 unchanged/);
  const renamed = join(tmp.dir, 'renamed.csv');
  writeFileSync(renamed, 'code,name,level,parent_code\n130404001,胜利桥街道办事处,township,130404\n');
  assert.match(cli(['import', 'divisions', renamed, '--db', tmp.db]).stdout, /1 new or changed/);
  const under = cli(['import', 'divisions', file, '--under', '130404', '--db', tmp.db]);
  assert.match(under.stdout, /imported 126 regions/);
  const bad = join(tmp.dir, 'bad.csv');
  writeFileSync(bad, 'code,name,level,parent_code\n130499,新区,county,1304\n130499001,坏街道,village,130499\n');
  const r = cli(['import', 'divisions', bad, '--db', tmp.db]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /line 3\.level/);
  const srvView = cli(['unit', 'list', '--db', tmp.db]);
  assert.equal(srvView.code, 0);
});

test('after the CLI import, the server sees the new regions', async () => {
  const r = await api(srv.url, 'GET', '/api/v1/regions/1304');
  assert.equal(r.status, 200);
  assert.equal(r.json.name, '邯郸市');
  assert.equal(r.json.children.length, 20);
  assert.equal((await api(srv.url, 'GET', '/api/v1/regions/130499')).status, 404);  // the refused file wrote nothing
});

test('gongzhi import grids: every invalid file refused whole with the feature and reason', async () => {
  const sq = (code, x, y) => ({ type: 'Feature', properties: { code, name: 'G' + code.slice(12) },
    geometry: { type: 'Polygon', coordinates: [[[x, y], [x + 0.002, y], [x + 0.002, y + 0.002], [x, y + 0.002], [x, y]]] } });
  const fc = (...features) => JSON.stringify({ type: 'FeatureCollection', features });
  const good = sq('130404001008101', 114.60, 36.70);
  const cases = [
    [fc(good, { ...sq('130404001008102', 114.61, 36.70), geometry: { type: 'Polygon', coordinates: [[[114.61, 36.7], [114.62, 36.7], [114.62, 36.71], [114.61, 36.71]]] } }), /features\[1\].*unclosed ring/],
    [fc(good, { ...sq('130404001008102', 114.61, 36.70), geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]] } }), /features\[1\].*self-intersection/],
    [fc({ ...good, geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 1], [0, 0]]] } }), /features\[0\].*fewer than 4 points/],
    [fc(good, sq('130404001999001', 114.62, 36.70)), /features\[1\].*unknown community 130404001999/],
    [fc(good, sq('130404001008101', 114.62, 36.70)), /features\[1\].*duplicate code/],
    [fc(good, sq('130404001008103', 190, 36.70)), /features\[1\].*out of range/],
  ];
  const before = (await api(srv.url, 'GET', '/api/v1/grids')).json.features.length;
  for (const [text, re] of cases) {
    const f = join(tmp.dir, 'grids.geojson');
    writeFileSync(f, text);
    const r = cli(['import', 'grids', f, '--db', tmp.db]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, re);
  }
  assert.equal((await api(srv.url, 'GET', '/api/v1/grids')).json.features.length, before);

  const f = join(tmp.dir, 'good.geojson');
  writeFileSync(f, fc(good));
  const ok = cli(['import', 'grids', f, '--db', tmp.db]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /imported 1 grids/);
  // The running server rebuilds its index when it notices the write (every 2 s).
  let loc;
  for (let i = 0; i < 50; i++) {
    loc = await api(srv.url, 'GET', '/api/v1/locate?lng=114.601&lat=36.701');
    if (loc.status === 200) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(loc.status, 200);
  assert.equal(loc.json.grid.code, '130404001008101');
  assert.equal(loc.json.grid.synthetic, false);
});

test('grids can also be uploaded over HTTP, with the same checks', async () => {
  const body = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: '130404001017101', name: '上传网格' },
    geometry: { type: 'Polygon', coordinates: [[[114.70, 36.70], [114.71, 36.70], [114.71, 36.71], [114.70, 36.71], [114.70, 36.70]]] } }] };
  const bad = structuredClone(body);
  bad.features[0].properties.code = '130404001999101';
  const r1 = await api(srv.url, 'POST', '/api/v1/grids/import', bad, ADMIN);
  assert.equal(r1.status, 400);
  assert.equal(r1.json.error.field, 'features[0].properties.code');
  const r2 = await api(srv.url, 'POST', '/api/v1/grids/import', body, ADMIN);
  assert.equal(r2.status, 200);
  assert.equal(r2.json.imported, 1);
  const loc = await api(srv.url, 'GET', '/api/v1/locate?lng=114.705&lat=36.705');
  assert.equal(loc.json.grid.name, '上传网格');
  assert.equal((await api(srv.url, 'DELETE', '/api/v1/grids/130404001017101', undefined, ADMIN)).status, 204);
  assert.equal((await api(srv.url, 'GET', '/api/v1/locate?lng=114.705&lat=36.705')).status, 404);
});

test('help describes every subcommand', () => {
  const top = cli(['--help']);
  for (const sub of ['serve', 'import', 'demo', 'unit']) assert.match(top.stdout, new RegExp(sub));
  assert.match(cli(['serve', '--help']).stdout, /--listen[\s\S]*--demo[\s\S]*--config/);
  assert.match(cli(['import', 'divisions', '--help']).stdout, /--under/);
  assert.match(cli(['import', 'grids', '--help']).stdout, /GeoJSON/);
  assert.match(cli(['demo', 'grids', '--help']).stdout, /synthetic/);
});
