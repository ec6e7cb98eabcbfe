// End-to-end: the assessment (考核) over HTTP, its drill-down, and `gongzhi rollup rebuild`
// giving back the same figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { act, api, cli, startServer, tempDir } from './helpers.mjs';

// The district's leader (its actor is the district's region): sees figures of the whole district.
const LEADER = { 'X-Gongzhi-Actor': 'dispatcher:130404' };

const TOWNSHIP = { 'X-Gongzhi-Actor': 'dispatcher:130404001' };


// A day range around today (local time) wide enough for every deadline of the scenario.
function around() {
  const day = (offset) => new Date(Date.now() + 8 * 3600e3 + offset * 86400e3).toISOString().slice(0, 10);
  return `from=${day(-40)}&to=${day(40)}`;
}

async function reportAt(url, description) {
  const g = (await api(url, 'GET', '/api/v1/grids?community=130404001008')).json.features[0];
  const ring = g.geometry.coordinates[0];
  const r = await api(url, 'POST', '/api/v1/cases', {
    category_code: '0101', description, lng: (ring[0][0] + ring[2][0]) / 2, lat: (ring[0][1] + ring[2][1]) / 2,
  });
  assert.equal(r.status, 201, r.text);
  const list = (await api(url, 'GET', '/api/v1/cases?limit=500', undefined, TOWNSHIP)).json.items;
  return list.find((c) => c.tracking_code === r.json.tracking_code);
}

test('assessment figures, ranking, drill-down and rebuild', async () => {
  const tmp = tempDir();
  let srv;
  try {
    srv = await startServer({ db: tmp.db });
    const { url } = srv;
    // Two cases for the same unit: one handled and rated well, one given back (退单).
    const a = await reportAt(url, '小区门口垃圾堆积');
    await act(url, a.id, 'accept', {});
    const d = await act(url, a.id, 'dispatch', {});
    const unit = { 'X-Gongzhi-Actor': `unit:${d.unit_id}` };
    await act(url, a.id, 'claim', {}, unit);
    await act(url, a.id, 'resolve', { note: '已清运' }, unit);
    await act(url, a.id, 'verify', {});
    assert.equal((await api(url, 'POST', `/api/v1/track/${a.tracking_code}/rate`, { solved: true, satisfaction: 'satisfied' })).status, 200);
    const b = await reportAt(url, '路边垃圾桶满溢');
    await act(url, b.id, 'accept', {});
    await act(url, b.id, 'dispatch', {});
    await act(url, b.id, 'return', { reason: '不属于本单位' }, unit);

    const q = `/api/v1/assessment?subject=unit:${d.unit_id}&${around()}`;
    const r = await api(url, 'GET', q, undefined, LEADER);
    assert.equal(r.status, 200, r.text);
    const f = r.json.figures;
    assert.deepEqual(f.rates.response, { numerator: 1, denominator: 2, value: 0.5 });
    assert.deepEqual(f.rates.return, { numerator: 1, denominator: 2, value: 0.5 });
    assert.deepEqual(f.rates.resolution, { numerator: 1, denominator: 1, value: 1 });
    assert.deepEqual(f.rates.satisfaction, { numerator: 1, denominator: 1, value: 1 });
    assert.deepEqual(f.rates.on_time, { numerator: 1, denominator: 1, value: 1 });
    assert.ok(Math.abs(f.score - 100 * (0.3 * 0.5 + 0.35 + 0.35)) < 1e-9, String(f.score));
    assert.deepEqual(r.json.weights, { response: 0.3, resolution: 0.35, satisfaction: 0.35 });

    // The cases behind a number.
    const drill = await api(url, 'GET', `/api/v1/assessment/cases?subject=unit:${d.unit_id}&metric=returned&${around()}`, undefined, LEADER);
    assert.equal(drill.status, 200, drill.text);
    assert.deepEqual(drill.json.cases.map((c) => c.case_id), [b.id]);
    const ranking = await api(url, 'GET', `/api/v1/assessment/ranking?group=township&${around()}`, undefined, LEADER);
    assert.equal(ranking.status, 200, ranking.text);
    assert.equal(ranking.json.rows[0].key, '130404001');
    assert.equal(ranking.json.rows[0].name, '胜利桥街道');
    assert.equal(ranking.json.rows[0].rank, 1);
    assert.equal(ranking.json.total, ranking.json.rows.length);
    assert.ok(ranking.json.scored >= 1 && ranking.json.scored <= ranking.json.total);
    // Categories by their names from the 事项清单, as townships by theirs.
    const categories = await api(url, 'GET', `/api/v1/assessment/ranking?group=category&${around()}`, undefined, LEADER);
    assert.equal(categories.status, 200, categories.text);
    assert.deepEqual(categories.json.rows.map((r) => [r.key, r.name]), [['0101', '暴露垃圾']]);
    // A page of it, ranks as in the whole; the last of those with a score (红黑榜).
    const days = await api(url, 'GET', `/api/v1/assessment/ranking?group=day&${around()}`, undefined, LEADER);
    assert.ok(days.json.rows.length >= 2, days.text);
    const page = await api(url, 'GET', `/api/v1/assessment/ranking?group=day&limit=1&offset=1&${around()}`, undefined, LEADER);
    assert.equal(page.status, 200, page.text);
    assert.deepEqual(page.json.rows, days.json.rows.slice(1, 2));
    assert.equal(page.json.total, days.json.total);
    const last = await api(url, 'GET', `/api/v1/assessment/ranking?group=day&limit=1&offset=${days.json.scored - 1}&${around()}`,
      undefined, LEADER);
    assert.deepEqual(last.json.rows.map((r) => r.rank), [days.json.scored]);
    const beyond = await api(url, 'GET', `/api/v1/assessment/ranking?group=day&limit=5&offset=999&${around()}`, undefined, LEADER);
    assert.deepEqual(beyond.json.rows, []);

    // The ranking for a spreadsheet: CSV with a byte-order mark, numerators beside the rates.
    const csv = await fetch(`${url}/api/v1/assessment/ranking?group=unit&format=csv&${around()}`, { headers: LEADER });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type'), /^text\/csv; charset=utf-8/);
    const bytes = new Uint8Array(await csv.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).trim().split('\r\n');
    assert.match(lines[0], /^rank,key,name,score,response_rate,response_numerator,response_denominator/);
    assert.match(lines[1], new RegExp(`^1,${d.unit_id},复兴区城市管理综合行政执法局,85\\.0000,0\\.5000,1,2,`));
    // A page of it as CSV keeps the whole's ranks.
    const csvPage = await fetch(`${url}/api/v1/assessment/ranking?group=day&format=csv&limit=1&offset=1&${around()}`, { headers: LEADER });
    const pageLines = (await csvPage.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(pageLines.length, 2);
    assert.equal(pageLines[1].split(',')[0], days.json.rows[1].rank === null ? '' : String(days.json.rows[1].rank));

    // Dashboard: counts by state, category and day; hotspots per grid.
    const byState = (await api(url, 'GET', '/api/v1/dashboard/counts?by=state&region=130404001', undefined, LEADER)).json;
    assert.equal(byState.total, 2);
    assert.deepEqual(byState.rows.map((r) => r.key).sort(), ['closed', 'returned']);
    const byCategory = (await api(url, 'GET', '/api/v1/dashboard/counts?by=category', undefined, LEADER)).json;
    assert.deepEqual(byCategory.rows, [{ key: '0101', count: 2 }]);
    const byDay = (await api(url, 'GET', '/api/v1/dashboard/counts?by=day', undefined, LEADER)).json;
    assert.equal(byDay.rows.length, 1);
    assert.equal(byDay.rows[0].count, 2);
    assert.match(byDay.rows[0].key, /^\d{4}-\d{2}-\d{2}$/);
    const byWeek = (await api(url, 'GET', '/api/v1/dashboard/counts?by=week', undefined, LEADER)).json;
    assert.equal(byWeek.rows.length, 1);
    assert.match(byWeek.rows[0].key, /^\d{4}-W\d{2}$/);
    assert.equal(byWeek.rows[0].count, 2);
    assert.equal((await api(url, 'GET', '/api/v1/dashboard/counts?by=state&region=130404002', undefined, LEADER)).json.total, 0);
    const hot = (await api(url, 'GET', '/api/v1/dashboard/hotspots?region=130404001008', undefined, LEADER)).json;
    assert.equal(hot.type, 'FeatureCollection');
    assert.equal(hot.max_cases, 2);
    assert.equal(hot.features.filter((f) => f.properties.cases === 2).length, 1);
    assert.ok(hot.features.length > 1);
    assert.ok(hot.features.every((f) => f.type === 'Feature' && f.id === f.properties.code && Number.isInteger(f.properties.cases) &&
      f.properties.community_code === '130404001008' && typeof f.properties.name === 'string' && /Polygon$/.test(f.geometry.type)));
    const late = (await api(url, 'GET', '/api/v1/dashboard/hotspots?region=130404001008&measure=overdue', undefined, LEADER)).json;
    assert.equal(late.measure, 'overdue');
    assert.equal(late.max_cases, 0, 'nothing is overdue: one case closed, one returned');
    assert.equal((await api(url, 'GET', '/api/v1/dashboard/counts?by=colour', undefined, LEADER)).json.error.field, 'by');

    // Exports of the cases a dispatcher sees: CSV for Excel and GeoJSON points, no personal data.
    const exp = await fetch(`${url}/api/v1/cases/export.csv?region=130404001`, { headers: TOWNSHIP });
    assert.equal(exp.status, 200);
    const expBytes = new Uint8Array(await exp.arrayBuffer());
    assert.deepEqual([...expBytes.slice(0, 3)], [0xef, 0xbb, 0xbf]);
    const rows = new TextDecoder().decode(expBytes.slice(3)).trim().split('\r\n');
    assert.equal(rows.length, 3);
    assert.match(rows[0], /^id,state,category_code,description,/);
    assert.ok(rows.some((r) => r.startsWith(`${a.id},closed,0101,小区门口垃圾堆积,`)), rows.join('\n'));
    assert.match(rows[1], /,\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00,/);
    assert.ok(!rows.join().includes(a.tracking_code), 'no tracking codes in exports');
    const geo = await api(url, 'GET', '/api/v1/cases/export.geojson', undefined, TOWNSHIP);
    assert.equal(geo.status, 200);
    assert.equal(geo.json.features.length, 2);
    assert.equal(geo.json.features[0].geometry.type, 'Point');
    assert.equal(geo.headers.get('content-type'), 'application/geo+json');
    for (const f of geo.json.features) {
      assert.deepEqual(Object.keys(f), ['type', 'id', 'geometry', 'properties']);
      assert.deepEqual(Object.keys(f.properties), ['id', 'state', 'category_code', 'grid_code', 'region_code', 'reported_at']);
      assert.equal(f.properties.id, f.id);
      assert.ok(f.geometry.coordinates.length === 2 && f.geometry.coordinates.every(Number.isFinite));
    }
    const geoA = geo.json.features.find((f) => f.id === a.id);
    assert.deepEqual(geoA.properties, { id: a.id, state: 'closed', category_code: '0101', grid_code: a.grid_code,
      region_code: a.region_code, reported_at: geoA.properties.reported_at });
    assert.match(geoA.properties.reported_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    const otherTownship = await api(url, 'GET', '/api/v1/cases/export.geojson', undefined, { 'X-Gongzhi-Actor': 'dispatcher:130404002' });
    assert.equal(otherTownship.json.features.length, 0, 'another township sees none of them');
    assert.equal((await api(url, 'GET', '/api/v1/cases/export.csv?state=lost', undefined, TOWNSHIP)).json.error.field, 'state');

    // Bad input names the parameter and changes nothing.
    for (const [path, field] of [
      ['/api/v1/assessment?period=2026-13', 'period'],
      ['/api/v1/assessment?from=2026-11-01', 'to'],
      ['/api/v1/assessment?period=2026&subject=unit:x', 'subject'],
      ['/api/v1/assessment/ranking?period=2026&group=galaxy', 'group'],
      ['/api/v1/assessment/cases?period=2026', 'metric'],
      ['/api/v1/assessment/cases?period=2026&metric=happiness', 'metric'],
      ['/api/v1/assessment/ranking?period=2026&group=unit&format=xls', 'format'],
      ['/api/v1/assessment/ranking?period=2026&group=unit&limit=0', 'limit'],
      ['/api/v1/assessment/ranking?period=2026&group=unit&offset=-1', 'offset'],
      ['/api/v1/dashboard/counts?from=2026-11-30&to=2026-11-01', 'to'],
      ['/api/v1/dashboard/hotspots?region=13a', 'region'],
      ['/api/v1/dashboard/hotspots?measure=late', 'measure'],
    ]) {
      const bad = await api(url, 'GET', path, undefined, LEADER);
      assert.equal(bad.status, 400, path);
      assert.equal(bad.json.error.field, field, path);
    }
    // Not while a server has the database open: its writes would cross the rebuild's steps.
    const refused = cli(['rollup', 'rebuild', '--db', tmp.db]);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, new RegExp(`process ${srv.proc.pid} has .* open \\(a server\\?\\): stop it`));
    const busy = cli(['db', 'vacuum', '--db', tmp.db]);
    assert.equal(busy.code, 1, busy.stdout);
    assert.match(busy.stderr, new RegExp(`process ${srv.proc.pid} has .* open \\(a server\\?\\): stop it before vacuuming`));
    await srv.stop();
    const vacuumed = cli(['db', 'vacuum', '--db', tmp.db]);
    assert.equal(vacuumed.code, 0, vacuumed.stderr);
    const sizes = vacuumed.stdout.match(/^vacuumed .*: (\d+\.\d) MB -> (\d+\.\d) MB\n$/);
    assert.ok(sizes, vacuumed.stdout);
    // The file's sizes as read, not rounded down to nothing (a small district is under 1 MB).
    assert.ok(Number(sizes[2]) > 0 && Number(sizes[2]) <= Number(sizes[1]), vacuumed.stdout);

    // Rebuilt from the events, the figures are the same.
    const rebuilt = cli(['rollup', 'rebuild', '--db', tmp.db]);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.match(rebuilt.stdout, /rebuilt the assessment from \d+ events of 2 cases: 2 dispatches/);
    // A server started while a rebuild holds the file's claim (here `flock` holds it for 3 s, as
    // `rollup rebuild` does while it runs) waits for it, then serves.
    const holder = spawn('flock', ['-x', tmp.db + '.claim', 'sleep', '3'], { stdio: 'ignore' });
    const released = new Promise((resolve) => holder.on('exit', resolve));
    await new Promise((r) => setTimeout(r, 300));
    const during = startServer({ db: tmp.db });
    const soon = await Promise.race([during.then(() => 'serving'), new Promise((r) => setTimeout(() => r('waiting'), 2000))]);
    assert.equal(soon, 'waiting');
    assert.equal(await released, 0);
    srv = await during;
    assert.match(srv.stderr(), /a rebuild of the assessment holds the database: waiting for it to finish/);
    assert.deepEqual((await api(srv.url, 'GET', q, undefined, LEADER)).json.figures, f);
    // And while it serves, a rebuild is refused.
    const beside = cli(['rollup', 'rebuild', '--db', tmp.db]);
    assert.equal(beside.code, 1, beside.stdout);
    await srv.stop();
  } finally {
    await srv?.stop();
    tmp.cleanup();
  }
});
