// End-to-end: historical cases round-trip. Cases finished on one platform are exported as CSV and
// imported into another (POST /api/v1/cases/import); the second exports the same rows and computes
// the same assessment. A bad row is reported with its line and column, and nothing is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act, api, cli, startServer, tempDir } from './helpers.mjs';

// The district's leader (its actor is the district's region): sees figures of the whole district.
const LEADER = { 'X-Gongzhi-Actor': 'dispatcher:130404' };

const ADMIN = { 'X-Gongzhi-Actor': 'system' };  // configuration writes are for administrators

const TOWNSHIP = { 'X-Gongzhi-Actor': 'dispatcher:130404001' };

async function reportAt(url, description) {
  const g = (await api(url, 'GET', '/api/v1/grids?community=130404001008')).json.features[1];
  const ring = g.geometry.coordinates[0];
  const r = await api(url, 'POST', '/api/v1/cases', {
    category_code: '0101', description, lng: (ring[0][0] + ring[2][0]) / 2 + 0.000123456, lat: (ring[0][1] + ring[2][1]) / 2,
  });
  assert.equal(r.status, 201, r.text);
  const list = (await api(url, 'GET', '/api/v1/cases?limit=500', undefined, TOWNSHIP)).json.items;
  return list.find((c) => c.tracking_code === r.json.tracking_code);
}

// The finished cases as export.csv rows (header first), closed then rejected.
async function exportFinished(url) {
  const rows = [];
  for (const state of ['closed', 'rejected']) {
    const res = await fetch(`${url}/api/v1/cases/export.csv?state=${state}`, { headers: { 'X-Gongzhi-Actor': 'system' } });
    const lines = new TextDecoder().decode(new Uint8Array(await res.arrayBuffer()).slice(3)).trim().split('\r\n');
    if (!rows.length) rows.push(lines[0]);
    rows.push(...lines.slice(1));
  }
  return rows;
}

const withoutId = (row) => row.slice(row.indexOf(',') + 1);

function around() {
  const day = (offset) => new Date(Date.now() + 8 * 3600e3 + offset * 86400e3).toISOString().slice(0, 10);
  return `from=${day(-40)}&to=${day(40)}`;
}

test('historical cases: export, import elsewhere, same rows and same assessment; bad rows refused', async () => {
  const tmpA = tempDir(), tmpB = tempDir();
  const a = await startServer({ db: tmpA.db });
  let b;
  try {
    // On A: one case handled with a rework, one given back and handled by the unit it went to
    // again, both rated; one rejected.
    const one = await reportAt(a.url, '楼道口垃圾堆积');
    await act(a.url, one.id, 'accept');
    const d = await act(a.url, one.id, 'dispatch');
    const unit = { 'X-Gongzhi-Actor': `unit:${d.unit_id}` };
    await act(a.url, one.id, 'claim', {}, unit);
    await act(a.url, one.id, 'resolve', { note: '已清运' }, unit);
    await act(a.url, one.id, 'rework', { reason: '还有残留' });
    await act(a.url, one.id, 'resolve', { note: '已清理干净' }, unit);
    await act(a.url, one.id, 'verify');
    assert.equal((await api(a.url, 'POST', `/api/v1/track/${one.tracking_code}/rate`,
      { solved: true, satisfaction: 'basically_satisfied' })).status, 200);
    const two = await reportAt(a.url, '垃圾桶满溢, "很臭"\n两天没人管');
    await act(a.url, two.id, 'accept');
    await act(a.url, two.id, 'dispatch');
    await act(a.url, two.id, 'return', { reason: '不属于本单位' }, unit);
    await act(a.url, two.id, 'dispatch');
    await act(a.url, two.id, 'claim', {}, unit);
    await act(a.url, two.id, 'resolve', { note: '已处理' }, unit);
    await act(a.url, two.id, 'verify');
    assert.equal((await api(a.url, 'POST', `/api/v1/track/${two.tracking_code}/rate`,
      { solved: true, satisfaction: 'satisfied' })).status, 200);
    const three = await reportAt(a.url, '咨询：不属于城管');
    await act(a.url, three.id, 'reject', { reason: 'out_of_scope' });
    const exported = await exportFinished(a.url);
    const finished = exported.length - 1;
    assert.equal(finished, 3, exported.join('\n'));

    // On B, a fresh platform: the file goes in whole.
    b = await startServer({ db: tmpB.db });
    const csv = '\ufeff' + exported.join('\r\n') + '\r\n';
    const r = await api(b.url, 'POST', '/api/v1/cases/import', csv, { 'content-type': 'text/csv', ...ADMIN });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.imported, finished);
    const again = await exportFinished(b.url);
    assert.deepEqual(again.map(withoutId), exported.map(withoutId), 'the same rows, ids aside');
    // The same figures for the unit and the same township ranking.
    for (const path of [`/api/v1/assessment?subject=unit:${d.unit_id}&${around()}`,
      `/api/v1/assessment/ranking?group=township&${around()}`]) {
      const fa = (await api(a.url, 'GET', path, undefined, LEADER)).json, fb = (await api(b.url, 'GET', path, undefined, LEADER)).json;
      assert.deepEqual(fb, fa, path);
    }
    const figures = (await api(b.url, 'GET', `/api/v1/assessment?subject=unit:${d.unit_id}&${around()}`, undefined, LEADER)).json.figures;
    assert.equal(figures.rates.rework.numerator, 1);
    assert.equal(figures.rates.return.numerator, 1);

    // A bad row anywhere: named by line and column, nothing of the file written.
    const before = (await api(b.url, 'GET', '/api/v1/cases?limit=500', undefined, { 'X-Gongzhi-Actor': 'system' })).json.items.length;
    const header = exported[0];
    const cols = header.split(',');
    const good = exported.slice(1).find((row) => !row.includes('\n'));  // one line, so the bad row is line 3
    const setCol = (row, name, value) => {
      // Split on fields (quoted ones may hold commas), replace one, join again.
      const fields = row.match(/("([^"]|"")*"|[^,]*)(,|$)/g).map((f) => f.replace(/,$/, ''));
      fields[cols.indexOf(name)] = value;
      return fields.slice(0, cols.length).join(',');
    };
    const cases = [
      [setCol(good, 'reported_at', 'yesterday'), 'line 3.reported_at'],
      [setCol(good, 'category_code', 'ZZ99'), 'line 3.category_code'],
      [setCol(good, 'state', 'handling'), 'line 3.state'],
      [setCol(good, 'unit_id', '999999'), 'line 3.unit_id'],
      [setCol(good, 'closed_at', '2020-01-01T00:00:00+08:00'), 'line 3.closed_at'],
      [setCol(good, 'rating_satisfaction', 'meh'), 'line 3.rating_satisfaction'],
      [setCol(good, 'region_code', '999999999'), 'line 3.region_code'],
    ];
    for (const [bad, field] of cases) {
      const body = [header, good, bad].join('\n');
      const res = await api(b.url, 'POST', '/api/v1/cases/import', body, { 'content-type': 'text/csv', ...ADMIN });
      assert.equal(res.status, 400, `${field}: ${res.text}`);
      assert.equal(res.json.error.field, field, res.text);
    }
    const noHeader = await api(b.url, 'POST', '/api/v1/cases/import', 'state,colour\nclosed,red\n', { 'content-type': 'text/csv', ...ADMIN });
    assert.equal(noHeader.json.error.field, 'line 1');
    const after = (await api(b.url, 'GET', '/api/v1/cases?limit=500', undefined, { 'X-Gongzhi-Actor': 'system' })).json.items.length;
    assert.equal(after, before, 'refused files wrote nothing');
  } finally {
    await a.stop();
    if (b) await b.stop();
    // The audit chain of imported cases verifies like any other.
    const v = cli(['audit', 'verify', '--db', tmpB.db]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    tmpA.cleanup();
    tmpB.cleanup();
  }
});
