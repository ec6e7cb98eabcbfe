// `gongzhi bench gen` as someone preparing a benchmark uses it: a small district is generated and
// served, its figures are there; bad arguments are refused by name and create no database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { api, cli, startServer, tempDir } from './helpers.mjs';

test('bench gen builds a served district; bad arguments are refused and create nothing', async () => {
  const tmp = tempDir();
  let srv;
  try {
    for (const [args, field] of [
      [['--cases', '-5'], '--cases'],
      [['--days', '0'], '--days'],
      [['--scale', 'town'], '--scale'],
      [['--scale', 'city'], '--divisions'],
    ]) {
      const r = cli(['bench', 'gen', ...args, '--db', tmp.db]);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, new RegExp(field), args.join(' '));
      assert.equal(existsSync(tmp.db), false, `${args.join(' ')} created a database`);
    }
    const made = cli(['bench', 'gen', '--cases', '600', '--days', '30', '--seed', '3', '--db', tmp.db]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /126 regions, 460 grids, 14 units, 37 rules, 115 grid workers, 600 cases/);
    srv = await startServer({ db: tmp.db, demo: false });
    const system = { 'X-Gongzhi-Actor': 'system' };
    const listed = await api(srv.url, 'GET', '/api/v1/cases?limit=500&state=closed', undefined, system);
    assert.equal(listed.status, 200);
    assert.ok(listed.json.items.length > 400, `closed cases: ${listed.json.items.length}`);
    const to = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    const from = new Date(Date.now() + 8 * 3600e3 - 40 * 86400e3).toISOString().slice(0, 10);
    const ranking = await api(srv.url, 'GET', `/api/v1/assessment/ranking?group=township&from=${from}&to=${to}`, undefined, system);
    assert.equal(ranking.status, 200, ranking.text);
    assert.equal(ranking.json.rows.length, 10, 'every township of 复兴区 ranked');
    // A generated point is in a grid: the intake load script reports there.
    const r = await api(srv.url, 'POST', '/api/v1/cases', { category_code: '0101', description: 'bench', lng: 114.35, lat: 36.60 });
    assert.equal(r.status, 201, r.text);
  } finally {
    await srv?.stop();
    tmp.cleanup();
  }
});
