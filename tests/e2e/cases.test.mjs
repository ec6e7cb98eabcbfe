// End-to-end: the case engine over HTTP against the real binary, on SQLite and on PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, cli, startServer, tempDir } from './helpers.mjs';

const TOWNSHIP = { 'X-Gongzhi-Actor': 'dispatcher:130404001' };
const OTHER = { 'X-Gongzhi-Actor': 'dispatcher:130404002' };

async function pointIn(url, community) {
  const g = (await api(url, 'GET', `/api/v1/grids?community=${community}`)).json.features[0];
  const ring = g.geometry.coordinates[0];
  return { lng: (ring[0][0] + ring[2][0]) / 2, lat: (ring[0][1] + ring[2][1]) / 2, grid: g.properties.code };
}

async function findCase(url, trackingCode, headers = TOWNSHIP) {
  const list = (await api(url, 'GET', '/api/v1/cases?limit=500', undefined, headers)).json.items;
  return list.find((c) => c.tracking_code === trackingCode);
}

async function act(url, id, action, body, headers = TOWNSHIP) {
  const cur = (await api(url, 'GET', `/api/v1/cases/${id}`, undefined, { 'X-Gongzhi-Actor': 'system' })).json;
  return api(url, 'POST', `/api/v1/cases/${id}/${action}`, { version: cur.version, ...body }, headers);
}

async function scenario(url) {
  const p = await pointIn(url, '130404001008');
  const report = await api(url, 'POST', '/api/v1/cases', {
    category_code: '0101', description: '三丰园小区门口垃圾堆积', lng: p.lng, lat: p.lat, reporter: { name: '李四', phone: '13912345678' },
  });
  assert.equal(report.status, 201, report.text);
  const code = report.json.tracking_code;
  assert.match(code, /^[0-9A-Z]{12}$/);
  assert.equal(report.json.grid_code, p.grid);
  assert.equal(report.json.id, undefined, 'the resident gets the tracking code, not the internal id');
  const track = await api(url, 'GET', `/api/v1/track/${code}`);
  assert.equal(track.json.state, 'reported');
  assert.equal(track.json.category, '暴露垃圾');
  assert.deepEqual(Object.keys(track.json), ['tracking_code', 'state', 'category', 'created_at', 'updated_at', 'steps', 'can_rate']);
  assert.equal(track.json.tracking_code, code);
  assert.deepEqual(track.json.steps, [{ at: track.json.created_at, action: 'report' }]);
  assert.equal(track.json.updated_at, track.json.created_at);
  assert.equal(track.json.can_rate, false);
  assert.ok(!JSON.stringify(track.json).includes('1391234'), 'tracking shows no personal data');
  // Typed as people type it: lower case, in groups of four; one wrong character finds nothing.
  const typed = code.toLowerCase().replace(/(.{4})(?!$)/g, '$1-');
  assert.equal((await api(url, 'GET', `/api/v1/track/${typed}`)).json.state, 'reported', typed);
  const typo = code.slice(0, 6) + (code[6] === 'Z' ? 'Y' : 'Z') + code.slice(7);
  assert.equal((await api(url, 'GET', `/api/v1/track/${typo}`)).status, 404);

  // Bad intake: each refused with the field named, nothing written.
  const before = (await api(url, 'GET', '/api/v1/cases?limit=500', undefined, TOWNSHIP)).json.items.length;
  const bad = [
    [{ description: '' }, 'description'],
    [{ description: 'x', lng: p.lng }, 'lat'],
    [{ description: 'x', lng: p.lng, lat: p.lat, category_code: 'ZZ99' }, 'category_code'],
    [{ description: 'x', lng: p.lng, lat: p.lat, colour: 'red' }, 'colour'],
    [{ description: 'x', lng: p.lng, lat: p.lat, reporter: { phone: 'drop table' } }, 'reporter.phone'],
    [{ description: 'x', lng: 'east', lat: p.lat }, 'lng'],
    [{ description: 'x'.repeat(4001), lng: p.lng, lat: p.lat }, 'description'],
    [{ description: 'x', region_code: '130404' }, 'region_code'],
    [{ description: 'x', lng: p.lng, lat: p.lat, channel: 'pigeon' }, 'channel'],
  ];
  for (const [body, field] of bad) {
    const r = await api(url, 'POST', '/api/v1/cases', body);
    assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
    assert.equal(r.json.error.field, field);
  }
  assert.equal((await api(url, 'GET', '/api/v1/cases?limit=500', undefined, TOWNSHIP)).json.items.length, before);

  // The reporter adds a photo by tracking code; only real images are taken.
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('rest-of-png')]);
  const up = await fetch(`${url}/api/v1/track/${code}/photos`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: png });
  assert.equal(up.status, 201);
  const photo = await up.json();
  const svg = await fetch(`${url}/api/v1/track/${code}/photos`, { method: 'POST', headers: { 'content-type': 'image/svg+xml' }, body: '<svg onload="alert(1)"/>' });
  assert.equal(svg.status, 400);
  // A phone's photo of a few MB is taken (not refused by the 1 MB limit of other requests); one
  // over 5 MiB is refused by the photo's own rule.
  const phone = await fetch(`${url}/api/v1/track/${code}/photos`, { method: 'POST', headers: { 'content-type': 'image/png' },
    body: Buffer.concat([png, Buffer.alloc(3 << 20, 7)]) });
  assert.equal(phone.status, 201, await phone.clone().text());
  const phoneUrl = (await phone.json()).url;
  assert.equal((await (await fetch(url + phoneUrl)).arrayBuffer()).byteLength, png.length + (3 << 20));
  const huge = await fetch(`${url}/api/v1/track/${code}/photos`, { method: 'POST', headers: { 'content-type': 'image/png' },
    body: Buffer.concat([png, Buffer.alloc(6 << 20)]) });
  assert.equal(huge.status, 413);
  const hugeError = (await huge.json()).error;
  assert.equal(hugeError.field, 'photo');
  assert.match(hugeError.message, /at most 5 MiB/);
  const back = await fetch(url + photo.url);
  assert.equal(back.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await back.arrayBuffer()), png);

  const c = await findCase(url, code);
  assert.ok(c, 'the township dispatcher sees the new case');
  assert.equal(c.reporter.phone, '139****5678');
  assert.equal(await findCase(url, code, OTHER), undefined, 'another township does not');
  assert.equal((await api(url, 'GET', `/api/v1/cases/${c.id}`, undefined, OTHER)).status, 404);
  assert.equal((await api(url, 'GET', `/api/v1/cases/${c.id}`)).status, 401, 'who acts must be said');
  const detail = (await api(url, 'GET', `/api/v1/cases/${c.id}`, undefined, TOWNSHIP)).json;
  assert.deepEqual(detail.allowed_actions, ['accept', 'reject', 'merge']);

  const refused = await act(url, c.id, 'claim', {});
  assert.equal(refused.status, 409);
  assert.match(refused.json.error.message, /allowed for you: accept, merge, reject/);
  const stale = await api(url, 'POST', `/api/v1/cases/${c.id}/accept`, { version: 99 }, TOWNSHIP);
  assert.equal(stale.status, 409);
  assert.equal(stale.json.error.field, 'version');

  assert.equal((await act(url, c.id, 'accept', {})).status, 200);
  // A second report of the same problem, merged: its reporter's tracking page follows the case it
  // was merged into (state and steps), and names that case's code.
  const again = await api(url, 'POST', '/api/v1/cases', { category_code: '0101', description: '门口又有垃圾', lng: p.lng, lat: p.lat });
  assert.equal(again.status, 201, again.text);
  const dup = await findCase(url, again.json.tracking_code);
  assert.equal((await act(url, dup.id, 'merge', { merge_into: c.id })).status, 200);
  const followed = (await api(url, 'GET', `/api/v1/track/${again.json.tracking_code}`)).json;
  assert.equal(followed.tracking_code, again.json.tracking_code);
  assert.equal(followed.merged_into, code);
  assert.equal(followed.state, 'accepted');
  assert.deepEqual(followed.steps.map((x) => x.action), ['report', 'photo', 'photo', 'accept']);
  assert.equal(followed.created_at, dup.created_at);
  const workers = (await api(url, 'GET', `/api/v1/grid-workers?grid=${p.grid}`)).json.items;
  const proposal = await api(url, 'GET', `/api/v1/cases/${c.id}/proposal`, undefined, TOWNSHIP);
  assert.equal(proposal.json.worker_id, workers[0].id);
  assert.match(proposal.json.reason, /lowest load/);
  // 网格准入清单: 违法搭建 cannot go to a grid worker.
  const illegal = await act(url, c.id, 'dispatch', { category_code: '0301', worker_id: workers[0].id });
  assert.equal(illegal.status, 409);
  assert.match(illegal.json.error.message, /网格准入清单/);
  const dispatched = await act(url, c.id, 'dispatch', {});
  assert.equal(dispatched.status, 200, dispatched.text);
  assert.equal(dispatched.json.state, 'dispatched');
  assert.ok(dispatched.json.deadlines.response_due > dispatched.json.dispatched_at);
  assert.equal(dispatched.json.lights.response, 'green');
  const unit = { 'X-Gongzhi-Actor': `unit:${dispatched.json.unit_id}` };
  assert.equal((await act(url, c.id, 'claim', {}, unit)).status, 200);
  assert.equal((await act(url, c.id, 'resolve', {}, unit)).json.error.field, 'note');
  assert.equal((await act(url, c.id, 'resolve', { note: '已清运完毕' }, unit)).status, 200);
  assert.equal((await act(url, c.id, 'verify', {})).status, 200);
  assert.equal((await api(url, 'GET', `/api/v1/track/${code}`)).json.can_rate, true);
  const badRate = await api(url, 'POST', `/api/v1/track/${code}/rate`, { solved: true, satisfaction: 'meh' });
  assert.equal(badRate.json.error.field, 'satisfaction');
  const rated = await api(url, 'POST', `/api/v1/track/${code}/rate`, { solved: true, satisfaction: 'satisfied' });
  assert.equal(rated.status, 200, rated.text);
  assert.equal(rated.json.state, 'closed');
  const events = (await api(url, 'GET', `/api/v1/cases/${c.id}`, undefined, TOWNSHIP)).json.events;
  assert.deepEqual(events.map((e) => e.action), ['report', 'photo', 'photo', 'accept', 'dispatch', 'claim', 'resolve', 'verify', 'rate']);
  for (let i = 1; i < events.length; i++) assert.notEqual(events[i].hash, events[i - 1].hash);
  assert.equal((await api(url, 'GET', '/api/v1/track/NOSUCHCODE00')).status, 404);
  return { id: c.id, code };
}

test('case lifecycle over HTTP on SQLite, durable across kill -9, audit intact', async () => {
  const tmp = tempDir();
  let srv;
  try {
    srv = await startServer({ db: tmp.db });
    await scenario(srv.url);
    // One more dispatched case, then a crash right after the answer.
    const p = await pointIn(srv.url, '130404001017');
    const r = await api(srv.url, 'POST', '/api/v1/cases', { category_code: '0402', description: '车辆乱停', lng: p.lng, lat: p.lat });
    const c = await findCase(srv.url, r.json.tracking_code);
    await act(srv.url, c.id, 'accept', {});
    const d = await act(srv.url, c.id, 'dispatch', {});
    assert.equal(d.status, 200);
    await srv.stop('SIGKILL');
    srv = await startServer({ db: tmp.db });
    const after = (await api(srv.url, 'GET', `/api/v1/cases/${c.id}`, undefined, TOWNSHIP)).json;
    assert.equal(after.state, 'dispatched');
    assert.equal(after.version, d.json.version);
    const load = (await api(srv.url, 'GET', '/api/v1/communities/130404001008/load', undefined, { 'X-Gongzhi-Actor': 'dispatcher:130404001' })).json;
    assert.equal(load.workers.length, 2);
    assert.equal(typeof load.gini, 'number');
    await srv.stop();
    const csv = join(tmp.dir, 'cats.csv');
    writeFileSync(csv, 'code,name,parent_code,urgency,response_minutes,handling_minutes\n31,文明养犬,,normal,60,450\n3101,犬只扰民,31,often,60,450\n');
    const badCats = cli(['import', 'categories', csv, '--db', tmp.db]);
    assert.notEqual(badCats.code, 0);
    assert.match(badCats.stderr, /line 3\.urgency/);
    writeFileSync(csv, '31,文明养犬,,normal,60,450\n3101,犬只扰民,31,urgent,60,450\n');
    assert.equal(cli(['import', 'categories', csv, '--db', tmp.db]).code, 0);
    const audit = cli(['audit', 'verify', '--db', tmp.db]);
    assert.equal(audit.code, 0, audit.stdout + audit.stderr);
    assert.match(audit.stdout, /audit trail intact: 3 cases, 14 events/);
  } finally {
    await srv?.stop();  // a failed assertion must not leave the server holding the test run open
    tmp.cleanup();
  }
});

test('case lifecycle over HTTP on PostgreSQL', async (t) => {
  const pg = process.env.GONGZHI_TEST_PG_E2E_CASES;
  if (!pg) {
    if (process.env.GONGZHI_REQUIRE_PG) assert.fail('GONGZHI_REQUIRE_PG is set but GONGZHI_TEST_PG_E2E_CASES is not');
    t.skip('set GONGZHI_TEST_PG_E2E_CASES to run against PostgreSQL');
    return;
  }
  const srv = await startServer({ pg });
  try {
    await scenario(srv.url);
  } finally {
    await srv.stop();
  }
  const audit = cli(['audit', 'verify', '--pg', pg]);
  assert.equal(audit.code, 0, audit.stdout + audit.stderr);
});

test('case settings come from the configuration file and are checked', () => {
  const tmp = tempDir();
  try {
    const conf = join(tmp.dir, 'gongzhi.toml');
    writeFileSync(conf, '[calendar]\nworking_hours = ["09:00-12:00", "11:00-18:00"]\n');
    const r = cli(['serve', '--db', tmp.db, '--listen', '127.0.0.1:0', '--config', conf], { timeout: 20000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /working_hours/);
    writeFileSync(conf, '[cases]\nduplicate_radius_m = 0\n');
    const r2 = cli(['serve', '--db', tmp.db, '--listen', '127.0.0.1:0', '--config', conf], { timeout: 20000 });
    assert.notEqual(r2.code, 0);
    assert.match(r2.stderr, /duplicate_radius_m/);
  } finally {
    tmp.cleanup();
  }
});
