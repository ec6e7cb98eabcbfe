// End-to-end: residents' personal information (issue #6, PIPL). Contacts sealed at rest with a key
// outside the database, masked for handlers, revealed only with a reason and on record, exported to
// and deleted for the reporter by tracking code; a different key is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, cli, startServer, tempDir } from './helpers.mjs';

const PASSWORD = 'gongzhi-demo-2026';
const NAME = '张三丰', PHONE = '13912345678';

async function login(url, name) {
  const res = await fetch(url + '/api/v1/session', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: name, password: PASSWORD }),
  });
  assert.equal(res.status, 201);
  return { cookie: res.headers.get('set-cookie').split(';')[0], 'X-CSRF-Token': (await res.json()).csrf_token };
}

// Every file of the database (main file, WAL) as bytes, to look for plaintext.
function databaseBytes(db) {
  return Buffer.concat([db, db + '-wal'].filter(existsSync).map((f) => readFileSync(f)));
}

test('reporter contacts: sealed, masked, revealed on record, exported and deleted by the reporter', async () => {
  const tmp = tempDir();
  let srv = await startServer({ db: tmp.db, trustActor: false });
  try {
    const { url } = srv;
    const g = (await api(url, 'GET', '/api/v1/grids?community=130404001008')).json.features[0].geometry.coordinates[0];
    const rep = await api(url, 'POST', '/api/v1/cases', {
      category_code: '0101', description: '楼道里堆满杂物', lng: (g[0][0] + g[2][0]) / 2, lat: (g[0][1] + g[2][1]) / 2,
      reporter: { name: NAME, phone: PHONE },
    });
    assert.equal(rep.status, 201, rep.text);
    const code = rep.json.tracking_code;
    const dispatcher = await login(url, 'slq.dispatch');
    // A second report of the same problem: the anonymous reporter learns that it is known, not
    // what the other resident wrote; a dispatcher taking a call sees the words.
    const again = { category_code: '0101', description: '又看到杂物了', lng: (g[0][0] + g[2][0]) / 2, lat: (g[0][1] + g[2][1]) / 2 };
    const anon = await api(url, 'POST', '/api/v1/cases', again);
    assert.equal(anon.json.duplicate_candidates.length, 1);
    assert.equal(anon.json.duplicate_candidates[0].description, undefined);
    const staff = await api(url, 'POST', '/api/v1/cases', again, dispatcher);
    assert.ok(staff.json.duplicate_candidates.some((d) => d.description === '楼道里堆满杂物'), staff.text);
    const c = (await api(url, 'GET', '/api/v1/cases?limit=500', undefined, dispatcher)).json.items.find((x) => x.description === '楼道里堆满杂物');

    // Handlers see the contact masked, in the list and in the case.
    assert.deepEqual(c.reporter, { name: '张**', phone: '139****5678' });
    const view = (await api(url, 'GET', `/api/v1/cases/${c.id}`, undefined, dispatcher)).json;
    assert.deepEqual(view.reporter, { name: '张**', phone: '139****5678' });

    // At rest: sealed; the key is a file of its own, readable by its owner only.
    const key = tmp.db + '.key';
    assert.equal(statSync(key).mode & 0o777, 0o600);
    assert.match(readFileSync(key, 'utf8'), /^[0-9a-f]{64}\n$/);
    const bytes = databaseBytes(tmp.db);
    assert.ok(bytes.length > 0);
    for (const plain of [PHONE, NAME]) assert.equal(bytes.indexOf(Buffer.from(plain)), -1, `${plain} in the database files`);

    // Unmasked only with a reason, and on record before it is shown.
    const noReason = await api(url, 'POST', `/api/v1/cases/${c.id}/contact`, {}, dispatcher);
    assert.equal(noReason.status, 400);
    assert.equal(noReason.json.error.field, 'reason');
    const revealed = await api(url, 'POST', `/api/v1/cases/${c.id}/contact`, { reason: '回访核实情况' }, dispatcher);
    assert.equal(revealed.status, 200, revealed.text);
    assert.deepEqual(revealed.json, { name: NAME, phone: PHONE });
    const views = (await api(url, 'GET', `/api/v1/cases/${c.id}/contact-views`, undefined, dispatcher)).json.items;
    assert.equal(views.length, 1);
    assert.equal(views[0].account, 'slq.dispatch');
    assert.equal(views[0].actor, 'dispatcher:130404001');
    assert.equal(views[0].reason, '回访核实情况');
    // A grid worker (verifier of the grid, not its handler) and another township: no.
    const worker = await login(url, 'grid.worker');
    const w = await api(url, 'POST', `/api/v1/cases/${c.id}/contact`, { reason: '想看看' }, worker);
    assert.ok([403, 404].includes(w.status), w.text);
    assert.equal((await api(url, 'GET', `/api/v1/cases/${c.id}/contact-views`, undefined, dispatcher)).json.items.length, 1,
      'a refused view is not a view');

    // The reporter, by tracking code: everything held, including who looked at the contact.
    const mine = await api(url, 'GET', `/api/v1/track/${code}/personal-data`);
    assert.equal(mine.status, 200);
    assert.equal(mine.headers.get('cache-control'), 'no-store');
    assert.deepEqual(mine.json.contact, { name: NAME, phone: PHONE });
    assert.equal(mine.json.description, '楼道里堆满杂物');
    assert.deepEqual(mine.json.contact_views.map((v) => v.reason), ['回访核实情况']);
    assert.equal((await api(url, 'GET', '/api/v1/track/NOSUCHCODE00/personal-data')).status, 404);

    // Deletion: personal fields gone; the case, its history and tracking stay.
    assert.equal((await api(url, 'DELETE', `/api/v1/track/${code}/personal-data`)).status, 204);
    assert.deepEqual((await api(url, 'GET', `/api/v1/track/${code}/personal-data`)).json.contact, { name: '', phone: '' });
    const after = (await api(url, 'GET', `/api/v1/cases/${c.id}`, undefined, dispatcher)).json;
    assert.deepEqual(after.reporter, { name: '', phone: '' });
    assert.equal(after.description, '楼道里堆满杂物');
    assert.equal(after.events.at(-1).action, 'forget_reporter');
    assert.equal((await api(url, 'GET', `/api/v1/track/${code}`)).status, 200);
    assert.equal((await api(url, 'DELETE', `/api/v1/track/${code}/personal-data`)).status, 204, 'again: nothing left');
    assert.ok(!srv.stderr().includes(PHONE), 'no phone number in the log');
    await srv.stop();

    const audit = cli(['audit', 'verify', '--db', tmp.db]);
    assert.equal(audit.code, 0, audit.stderr + audit.stdout);

    // Another key is refused: the database keeps the id of the key its contacts were sealed with.
    const other = join(tmp.dir, 'other.key');
    writeFileSync(other, 'ab'.repeat(32) + '\n', { mode: 0o600 });
    const refused = cli(['serve', '--db', tmp.db, '--key-file', other, '--listen', '127.0.0.1:0']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /key_file/);
    srv = await startServer({ db: tmp.db, trustActor: false });  // the right key, found beside the file
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
