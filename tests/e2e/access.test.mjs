// End-to-end: who may call what (issue #6). Every role × every endpoint × own scope / other scope,
// on a server that believes no X-Gongzhi-Actor header: each role signs in with a password. The
// endpoint list is read from the sources, so a new endpoint without a row here fails this test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { api, BIN, ROOT, startServer, tempDir } from './helpers.mjs';

const PASSWORD = 'gongzhi-demo-2026';
const OWN = '130404001';        // 胜利桥街道: the township of the dispatcher under test
const OTHER = '130404002';      // another township of the district
const ROLES = ['anon', 'resident', 'worker', 'unit', 'dispatcher', 'other', 'leader', 'admin'];
const STAFF = ['worker', 'unit', 'dispatcher', 'other', 'leader', 'admin'];
const REGION_ROLES = ['dispatcher', 'other', 'leader', 'admin'];

// The endpoints the sources register, as "METHOD /path/{}".
function registeredRoutes() {
  const dir = join(ROOT, 'src/http');
  const out = new Set();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.cc') && !n.endsWith('_test.cc'))) {
    const src = readFileSync(join(dir, f), 'utf8');
    for (const m of src.matchAll(/(?:R|router)\.Add\("(\w+)",\s*([^,]+?),\s*(?:AdminOnly\()?[[\w]/g)) {
      let path = m[2].trim();
      if (path === 'std::string("/api/v1/cases/export.") + format') {
        for (const f2 of ['csv', 'geojson']) out.add(`${m[1]} /api/v1/cases/export.${f2}`);
        continue;
      }
      path = path.replace(/^base \+ "/, '"/open311/v2');
      assert.match(path, /^"[^"]*"$/, `unreadable route in ${f}: ${m[2]}`);
      out.add(`${m[1]} ${path.slice(1, -1)}`);
    }
  }
  return out;
}

async function login(url, name) {
  const res = await fetch(url + '/api/v1/session', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: name, password: PASSWORD }),
  });
  const body = await res.text();
  assert.equal(res.status, 201, `${name}: ${body}`);
  return { cookie: res.headers.get('set-cookie').split(';')[0], 'X-CSRF-Token': JSON.parse(body).csrf_token };
}

async function centreOf(url, grid) {
  const g = (await api(url, 'GET', `/api/v1/grids/${grid}`)).json.geometry.coordinates[0];
  return { lng: (g[0][0] + g[2][0]) / 2, lat: (g[0][1] + g[2][1]) / 2 };
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082', 'hex');

test('every role × every endpoint × own and other scope', async () => {
  const tmp = tempDir();
  // Accounts beyond the demo's: a resident, and a dispatcher of another township.
  let srv = await startServer({ db: tmp.db, trustActor: false });
  await srv.stop();
  for (const [login, role] of [['resident.li', 'resident'], ['other.dispatch', `township_dispatcher@${OTHER}`]]) {
    const r = spawnSync(BIN, ['account', 'add', '--db', tmp.db, '--login', login, '--name', login, '--role', role],
      { input: PASSWORD + '\n', encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  srv = await startServer({ db: tmp.db, trustActor: false });
  const { url } = srv;
  try {
    const who = { anon: {} };
    for (const [role, name] of [['resident', 'resident.li'], ['worker', 'grid.worker'], ['unit', 'chengguan'],
      ['dispatcher', 'slq.dispatch'], ['other', 'other.dispatch'], ['leader', 'leader'], ['admin', 'admin']]) {
      who[role] = await login(url, name);
    }
    const me = (await api(url, 'GET', '/api/v1/session', undefined, who.worker)).json;
    const workerId = Number(me.acting_as.text.split(':')[1]);
    const worker = (await api(url, 'GET', `/api/v1/grid-workers/${workerId}`)).json;
    const unitId = Number((await api(url, 'GET', '/api/v1/session', undefined, who.unit)).json.acting_as.text.split(':')[1]);

    // Case A in the worker's grid (own township), dispatched to the unit; case B in the other township.
    const a = await api(url, 'POST', '/api/v1/cases', { category_code: '0101', description: '本街道的垃圾', ...await centreOf(url, worker.grids[0]) });
    assert.equal(a.status, 201, a.text);
    const otherGrid = (await api(url, 'GET', `/api/v1/grids?community=${OTHER}001`)).json.features[0].id;
    const b = await api(url, 'POST', '/api/v1/cases', { category_code: '0101', description: '别的街道的垃圾', ...await centreOf(url, otherGrid) });
    assert.equal(b.status, 201, b.text);
    const all = (await api(url, 'GET', '/api/v1/cases', undefined, who.admin)).json.items;
    const idA = all.find((c) => c.description === '本街道的垃圾').id, idB = all.find((c) => c.description === '别的街道的垃圾').id;
    for (const [id, by] of [[idA, who.dispatcher], [idB, who.other]]) {
      for (const [action, body] of [['accept', {}], ['dispatch', { unit_id: unitId }]]) {
        const v = (await api(url, 'GET', `/api/v1/cases/${id}`, undefined, by)).json.version;
        const r = await api(url, 'POST', `/api/v1/cases/${id}/${action}`, { version: v, ...body }, by);
        assert.equal(r.status, 200, `${action} ${id}: ${r.text}`);
      }
    }
    const photo = await fetch(`${url}/api/v1/track/${a.json.tracking_code}/photos`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: PNG });
    assert.equal(photo.status, 201);
    const photoName = (await photo.json()).sha256;
    const spareUnit = (await api(url, 'POST', '/api/v1/units', { kind: 'social_org', name: '待删除的社会组织', region_code: OWN }, who.admin)).json.id;
    const spareWorker = (await api(url, 'POST', '/api/v1/grid-workers', { name: '待删除的网格员' }, who.admin)).json.id;
    const spareGrid = (await api(url, 'GET', `/api/v1/grids?community=${OTHER}002`)).json.features.at(-1).id;
    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    const period = `from=${today.slice(0, 8)}01&to=${today}`;

    // Scope of what lists, exports, pushes and drill-downs return: the other township sees only B.
    const sees = async (role, path, pick) => {
      const r = await api(url, 'GET', path, undefined, who[role]);
      assert.equal(r.status, 200, `${role} ${path}: ${r.text}`);
      return pick(r);
    };
    assert.deepEqual(await sees('other', '/api/v1/cases', (r) => r.json.items.map((c) => c.id)), [idB]);
    assert.deepEqual(await sees('dispatcher', '/api/v1/cases', (r) => r.json.items.map((c) => c.id)), [idA]);
    assert.deepEqual(await sees('unit', '/api/v1/cases', (r) => r.json.items.map((c) => c.id).sort()), [idA, idB].sort());
    assert.deepEqual(await sees('other', '/api/v1/cases/export.geojson', (r) => r.json.features.map((f) => f.properties.id)), [idB]);
    const csv = await sees('other', '/api/v1/cases/export.csv', (r) => r.text);
    assert.ok(csv.includes('别的街道的垃圾') && !csv.includes('本街道的垃圾'), csv);
    assert.deepEqual(await sees('other', '/api/v1/cases?region=130404', (r) => r.json.items.map((c) => c.id)), [idB], 'a wider region is narrowed');
    assert.deepEqual(await sees('other', `/api/v1/cases?region=${OWN}`, (r) => r.json.items), []);
    const feedOf = (role) => sees(role, '/api/v1/feed?after=0', (r) => [...new Set(r.json.entries.map((e) => e.case_id))].sort());
    assert.deepEqual(await feedOf('other'), [idB]);
    assert.deepEqual(await feedOf('dispatcher'), [idA]);
    assert.deepEqual(await feedOf('leader'), [idA, idB].sort());
    const drill = (role, q = '') => sees(role, `/api/v1/assessment/cases?metric=dispatched&${period}${q}`, (r) => r.json.cases.map((c) => c.case_id).sort());
    assert.deepEqual(await drill('other'), [idB]);
    assert.deepEqual(await drill('other', `&subject=unit:${unitId}`), [idB], 'a unit subject is still narrowed to the region');
    assert.deepEqual(await drill('leader'), [idA, idB].sort());
    const counted = (role, q = '') => sees(role, `/api/v1/dashboard/counts?by=township&${period}${q}`, (r) => r.json.rows.map((x) => x.key));
    assert.deepEqual(await counted('other'), [OTHER]);
    assert.deepEqual(await counted('leader'), [OWN, OTHER]);
    const ranked = await sees('other', `/api/v1/assessment/ranking?group=township&${period}`, (r) => r.json.rows.map((x) => x.key));
    assert.deepEqual(ranked, [OTHER]);
    const hot = await sees('other', `/api/v1/dashboard/hotspots?${period}`, (r) => r.json.features.map((f) => f.properties.code));
    assert.ok(hot.length > 0 && hot.every((c) => c.startsWith(OTHER)), 'hotspots of the own region only');
    const stream = async (role) => {
      const ctl = new AbortController();
      const res = await fetch(`${url}/api/v1/feed/stream`, { headers: who[role], signal: ctl.signal });
      ctl.abort();
      return res.status;
    };

    // The channel follows who reports: a grid worker's report is a patrol find; only staff may say
    // a report came by the hotline.
    const patrol = await api(url, 'POST', '/api/v1/cases', { description: '巡查发现井盖缺失', ...await centreOf(url, worker.grids[0]) }, who.worker);
    assert.equal(patrol.status, 201, patrol.text);
    const patrolCase = (await api(url, 'GET', '/api/v1/cases?limit=500', undefined, who.admin)).json.items.find((c) => c.description === '巡查发现井盖缺失');
    assert.equal(patrolCase.channel, 'grid_worker');
    const claimed = await api(url, 'POST', '/api/v1/cases', { description: 'x', channel: 'hotline', ...await centreOf(url, worker.grids[0]) });
    assert.equal(claimed.status, 403);
    assert.equal(claimed.json.error.field, 'channel');

    // The matrix. Expectation per role: a status, or 'ok' (2xx), or 'in' (reached the use case in
    // scope: any answer but 401/403/404 and never 5xx).
    const caseA = `/api/v1/cases/${idA}`;
    const all200 = Object.fromEntries(ROLES.map((r) => [r, 'ok']));
    const staffOnly = { anon: 401, resident: 403, ...Object.fromEntries(STAFF.map((r) => [r, 'ok'])) };
    const adminOnly = { anon: 401, resident: 403, worker: 403, unit: 403, dispatcher: 403, other: 403, leader: 403, admin: 'ok' };
    const adminIn = { ...adminOnly, admin: 'in' };
    const regional = { anon: 401, resident: 403, worker: 403, unit: 403, dispatcher: 'ok', other: 'ok', leader: 'ok', admin: 'ok' };
    const ownRegion = { ...regional, other: 403 };
    // A case of the own township, dispatched to the unit, in the worker's grid: the other township's
    // dispatcher does not learn it exists.
    const onCaseA = { anon: 401, resident: 403, worker: 'in', unit: 'in', dispatcher: 'in', other: 404, leader: 'in', admin: 'in' };
    const stale = { version: 999 };
    const M = [
      ['GET /healthz', '/healthz', all200],
      ['GET /api/v1/config', '/api/v1/config', all200],
      ['GET /api/v1/regions/{}', `/api/v1/regions/${OWN}`, all200],
      ['GET /api/v1/locate', '/api/v1/locate?lng=114.4&lat=36.6', all200],
      ['GET /api/v1/units', '/api/v1/units?under=130404', all200],
      ['GET /api/v1/units/{}', `/api/v1/units/${unitId}`, all200],
      ['POST /api/v1/units', '/api/v1/units', adminOnly, { kind: 'social_org', name: '志愿者协会', region_code: OWN }],
      ['PUT /api/v1/units/{}', `/api/v1/units/${spareUnit}`, adminOnly, { kind: 'social_org', name: '改名的社会组织', region_code: OWN }],
      ['DELETE /api/v1/units/{}', `/api/v1/units/${spareUnit}`, adminOnly],
      ['GET /api/v1/grids', `/api/v1/grids?community=${OWN}008`, all200],
      ['GET /api/v1/grids/{}', `/api/v1/grids/${worker.grids[0]}`, all200],
      ['POST /api/v1/grids/import', '/api/v1/grids/import', adminIn, { type: 'FeatureCollection', features: [{}] }],
      ['DELETE /api/v1/grids/{}', `/api/v1/grids/${spareGrid}`, adminOnly],
      // Grid workers' names and phones are posted on each grid's notice board (网格员公示): public.
      ['GET /api/v1/grid-workers', `/api/v1/grid-workers?under=${OWN}`, all200],
      ['GET /api/v1/grid-workers/{}', `/api/v1/grid-workers/${workerId}`, all200],
      ['POST /api/v1/grid-workers', '/api/v1/grid-workers', adminOnly, { name: '新网格员' }],
      ['PUT /api/v1/grid-workers/{}', `/api/v1/grid-workers/${spareWorker}`, adminOnly, { name: '改名的网格员' }],
      ['DELETE /api/v1/grid-workers/{}', `/api/v1/grid-workers/${spareWorker}`, adminOnly],
      // The lists a resident reports against are public (权责清单公开).
      ['GET /api/v1/categories', '/api/v1/categories', all200],
      ['POST /api/v1/categories', '/api/v1/categories', adminIn, { code: '', name: '' }],
      ['GET /api/v1/responsibility-rules', '/api/v1/responsibility-rules', all200],
      ['POST /api/v1/responsibility-rules', '/api/v1/responsibility-rules', adminIn, { category_code: 'nope' }],
      ['DELETE /api/v1/responsibility-rules/{}', '/api/v1/responsibility-rules/999999', { ...adminOnly, admin: 404 }],
      ['GET /api/v1/grid-admission', '/api/v1/grid-admission', all200],
      ['PUT /api/v1/grid-admission', '/api/v1/grid-admission', adminIn, { categories: 'x' }],
      ['GET /api/v1/calendar', '/api/v1/calendar', all200],
      ['POST /api/v1/calendar/import', '/api/v1/calendar/import', adminIn, 'not,a,calendar\n'],
      ['POST /api/v1/cases/import', '/api/v1/cases/import', adminIn, 'state,colour\nclosed,red\n'],
      ['POST /api/v1/cases', '/api/v1/cases', Object.fromEntries(ROLES.map((r) => [r, 'in'])), { description: '' }],
      ['GET /api/v1/cases', '/api/v1/cases', staffOnly],
      ['GET /api/v1/cases/export.csv', '/api/v1/cases/export.csv', staffOnly],
      ['GET /api/v1/cases/export.geojson', '/api/v1/cases/export.geojson', staffOnly],
      ['GET /api/v1/cases/{}', caseA, { ...onCaseA, worker: 'ok', unit: 'ok', dispatcher: 'ok', leader: 'ok', admin: 'ok' }],
      ['GET /api/v1/cases/{}/proposal', `${caseA}/proposal`, onCaseA],
      ['POST /api/v1/cases/{}/summon', `${caseA}/summon`, onCaseA, { ...stale, units: [unitId] }],
      // 报到 is a summoned unit's: the handling unit, not summoned, is refused with 409.
      ['POST /api/v1/cases/{}/acknowledge', `${caseA}/acknowledge`,
        { anon: 401, resident: 403, worker: 403, unit: 409, dispatcher: 403, other: 403, leader: 403, admin: 403 }, stale],
      ['POST /api/v1/cases/{}/photos', `${caseA}/photos`, onCaseA, 'not an image'],
      ['POST /api/v1/cases/{}/{}', `${caseA}/resolve`, onCaseA, stale],
      // The reporter's contact: its dispatcher, its handling unit, administrators; not the grid's verifier.
      ['POST /api/v1/cases/{}/contact', `${caseA}/contact`, { ...onCaseA, worker: 403, unit: 'ok', dispatcher: 'ok', leader: 'ok', admin: 'ok' }, { reason: '回访' }],
      ['GET /api/v1/cases/{}/contact-views', `${caseA}/contact-views`, { ...onCaseA, worker: 403, unit: 403, dispatcher: 'ok', leader: 'ok', admin: 'ok' }],
      ['GET /api/v1/communities/{}/load', `/api/v1/communities/${OWN}008/load`, ownRegion],
      ['GET /api/v1/supervisions', `/api/v1/supervisions?region=${OWN}`, ownRegion],
      ['GET /api/v1/dashboard/counts', `/api/v1/dashboard/counts?region=${OWN}`, ownRegion],
      ['GET /api/v1/dashboard/hotspots', `/api/v1/dashboard/hotspots?region=${OWN}`, ownRegion],
      ['GET /api/v1/assessment', `/api/v1/assessment?${period}&region=${OWN}`, ownRegion],
      ['GET /api/v1/assessment/ranking', `/api/v1/assessment/ranking?group=unit&${period}&region=${OWN}`, ownRegion],
      ['GET /api/v1/assessment/cases', `/api/v1/assessment/cases?metric=dispatched&${period}&region=${OWN}`, ownRegion],
      ['GET /api/v1/feed', '/api/v1/feed?after=0', staffOnly],
      ['GET /api/v1/feed/stream', null, staffOnly],
      // Residents follow their case by its code, without an account.
      ['GET /api/v1/track/{}', `/api/v1/track/${a.json.tracking_code}`, all200],
      ['POST /api/v1/track/{}/photos', `/api/v1/track/${a.json.tracking_code}/photos`, Object.fromEntries(ROLES.map((r) => [r, 'in'])), 'not an image'],
      ['POST /api/v1/track/{}/rate', `/api/v1/track/${a.json.tracking_code}/rate`, Object.fromEntries(ROLES.map((r) => [r, 'in'])), { solved: true, satisfaction: 'satisfied' }],
      ['GET /api/v1/photos/{}', `/api/v1/photos/${photoName}`, all200],
      // The reporter's rights, by tracking code (case A was reported without a contact: deleting changes nothing).
      ['GET /api/v1/track/{}/personal-data', `/api/v1/track/${a.json.tracking_code}/personal-data`, all200],
      ['DELETE /api/v1/track/{}/personal-data', `/api/v1/track/${a.json.tracking_code}/personal-data`, all200],
      ['GET /open311/v2/{}', '/open311/v2/services.json', all200],
      ['GET /open311/v2/services/{}', '/open311/v2/services/0101.json', all200],
      ['GET /open311/v2/requests/{}', `/open311/v2/requests/${idA}.json`, all200],
      ['GET /open311/v2/tokens/{}', `/open311/v2/tokens/${a.json.tracking_code}.json`, all200],
      // Open311 partners prove themselves with api_key, not with a session.
      ['POST /open311/v2/{}', '/open311/v2/requests.json', Object.fromEntries(ROLES.map((r) => [r, 403])), 'service_code=0101&description=x&lat=36.6&long=114.4'],
      ['POST /api/v1/session', '/api/v1/session', Object.fromEntries(ROLES.map((r) => [r, 'in'])), { login: 'x' }],
      ['GET /api/v1/session', '/api/v1/session', { ...staffOnly, resident: 'ok' }],
      ['POST /api/v1/tokens', '/api/v1/tokens', { ...staffOnly, resident: 'ok' }, { name: 'matrix' }],
      ['GET /api/v1/accounts', '/api/v1/accounts', adminOnly],
      ['POST /api/v1/accounts', '/api/v1/accounts', adminIn, { login: 'x' }],
      ['GET /api/v1/accounts/{}', '/api/v1/accounts/1', adminOnly],
      ['PUT /api/v1/accounts/{}', '/api/v1/accounts/1', adminIn, { name: '' }],
      // Last: signing out ends the session of every role.
      ['DELETE /api/v1/session', '/api/v1/session', { ...staffOnly, resident: 'ok', anon: 'in' }],
    ];
    const listed = new Set(M.map((row) => row[0]));
    assert.deepEqual([...registeredRoutes()].filter((r) => !listed.has(r)), [], 'endpoints without a row in the matrix');
    assert.deepEqual([...listed].filter((r) => !registeredRoutes().has(r)), [], 'rows for endpoints that do not exist');

    const before = (await api(url, 'GET', '/api/v1/cases/export.csv', undefined, who.admin)).text;
    const failures = [];
    for (const [route, path, expect, body] of M) {
      const method = route.split(' ')[0];
      // Administrators last, so that their writes (deletions) do not change what the others meet.
      for (const role of ROLES) {
        let status, text = '';
        if (path === null) status = await stream(role);
        else {
          const headers = { ...who[role] };
          if (typeof body === 'string' && route.startsWith('POST /open311')) headers['content-type'] = 'application/x-www-form-urlencoded';
          else if (typeof body === 'string' && route.includes('photos')) headers['content-type'] = 'image/png';
          else if (typeof body === 'string') headers['content-type'] = 'text/csv';
          const r = await api(url, method, path, body, headers);
          status = r.status, text = r.text;
        }
        const want = expect[role];
        const good = want === 'ok' ? status >= 200 && status < 300
          : want === 'in' ? ![401, 403, 404].includes(status) && status < 500
            : status === want;
        if (!good) failures.push(`${role} ${route} (${path}): ${status}, expected ${want}: ${text.slice(0, 200)}`);
      }
    }
    assert.deepEqual(failures, []);
    // Refused calls changed nothing: the cases are as they were (the intake rows add none: their
    // bodies were invalid), and the signed-out sessions no longer work.
    assert.equal((await api(url, 'GET', '/api/v1/cases/export.csv', undefined, await login(url, 'admin'))).text, before);
    for (const role of STAFF) assert.equal((await api(url, 'GET', '/api/v1/session', undefined, who[role])).status, 401, role);
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
