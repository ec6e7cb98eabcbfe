// End-to-end scale-out (issue #8): two nodes behind nginx (deploy/nginx/gongzhi.conf itself) on a
// PostgreSQL of this test's own. Sessions and sign-in lockouts are shared; a case reported on node A
// is pushed through nginx to a dispatcher streaming from the pool; a grid imported on A is located
// by B; PostgreSQL restarted under load: refusals are 503 with Retry-After, the service recovers and
// every case acknowledged to a client is in the database; the leader killed under load: the other
// node takes the deadline sweep within 10 s and each deadline passing is warned and marked overdue
// exactly once. (About 80 s: the drill deadlines are one minute.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import { api, cli, ROOT, startServer, tempDir } from './helpers.mjs';

const NGINX = '/usr/sbin/nginx';
const PG_SH = join(ROOT, 'scripts/pg.sh');

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// nginx running deploy/nginx/gongzhi.conf with the nodes' ports and a port of its own.
async function startNginx(dir, nodes) {
  const port = await freePort();
  let site = readFileSync(join(ROOT, 'deploy/nginx/gongzhi.conf'), 'utf8');
  site = site.replace(/^\s*server 127\.0\.0\.1:\d+ .*;\n/gm, '');
  site = site.replace('least_conn;', 'least_conn;\n' + nodes.map((n) => `    server ${new URL(n).host} max_fails=2 fail_timeout=5s;`).join('\n'));
  site = site.replace('listen 80;', `listen 127.0.0.1:${port};`);
  assert.equal((site.match(/server 127\.0\.0\.1:\d+/g) ?? []).length, nodes.length, 'upstream rewritten');
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  writeFileSync(join(dir, 'site.conf'), site);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${dir}/tmp/${k};`).join(' ');
  writeFileSync(join(dir, 'nginx.conf'), `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 1024; }
http { access_log off; ${temp} include ${dir}/site.conf; }
`);
  const proc = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error('nginx exited: ' + err + readFileSync(join(dir, 'error.log'), 'utf8'));
    try {
      if ((await fetch(url + '/healthz')).status === 200) return { url, proc };
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('nginx did not answer: ' + err);
}

async function pointIn(url, community) {
  const g = (await api(url, 'GET', `/api/v1/grids?community=${community}`)).json.features[0].geometry.coordinates[0];
  return { lng: (g[0][0] + g[2][0]) / 2, lat: (g[0][1] + g[2][1]) / 2 };
}

test('two nodes behind nginx: shared sessions, push through the proxy, PostgreSQL restarted and the leader killed under load lose nothing',
  { skip: !existsSync(NGINX) && !process.env.GONGZHI_REQUIRE_PG && 'nginx is not installed (scripts/deps.sh --test installs it)' },
  async () => {
    const tmp = tempDir();
    const pgDir = mkdtempSync(join(tmpdir(), 'gz-pg-'));  // not under tmp.dir: postgres must reach it
    const started = spawnSync(PG_SH, ['start', pgDir], { encoding: 'utf8' });
    assert.equal(started.status, 0, started.stderr);
    const pg = /GONGZHI_TEST_PG_E2E='([^']+)'/.exec(started.stdout)[1];
    const nodes = [];
    let nginx;
    try {
      const extra = ['--trusted-proxy', '127.0.0.1', '--sweep-seconds', '1'];
      nodes.push(await startServer({ pg, trustActor: false, extra }));
      nodes.push(await startServer({ pg, trustActor: false, demo: false, extra }));
      const [a, b] = nodes;
      nginx = await startNginx(join(tmp.dir, 'nginx'), nodes.map((n) => n.url));
      const url = nginx.url;

      // A session made on node A is valid on node B (sessions live in PostgreSQL).
      const res = await fetch(a.url + '/api/v1/session', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'slq.dispatch', password: 'gongzhi-demo-2026' }),
      });
      assert.equal(res.status, 201);
      const me = { cookie: res.headers.get('set-cookie').split(';')[0], 'X-CSRF-Token': (await res.json()).csrf_token };
      assert.equal((await api(b.url, 'GET', '/api/v1/session', undefined, me)).json.account.login, 'slq.dispatch');

      // The assessment is not rebuilt under running nodes: their writes would cross its steps.
      const rebuild = cli(['rollup', 'rebuild', '--pg', pg]);
      assert.equal(rebuild.code, 1, rebuild.stdout);
      assert.match(rebuild.stderr, /sessions of servers are connected to this database \(pid \d+ from 127\.0\.0\.1.*stop every server on it/);
      // A node started while the assessment is being rebuilt elsewhere (its mark set; node A holds
      // the lead, so the rebuild is not this node's to redo) waits for it to end before it serves.
      const sql = (q) => {
        const r = spawnSync('psql', ['-qAt', pg, '-c', q], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
      };
      sql("INSERT INTO settings (key, value) VALUES ('assessment_rebuild', 'e2e')");
      const late = startServer({ pg, trustActor: false, demo: false, extra });
      const early = await Promise.race([late.then(() => 'serving'), new Promise((r) => setTimeout(() => r('waiting'), 3000))]);
      assert.equal(early, 'waiting');
      sql("DELETE FROM settings WHERE key = 'assessment_rebuild'");
      const c = await late;
      assert.match(c.stderr(), /another process is rebuilding the assessment: waiting for it to finish/);
      assert.equal((await fetch(c.url + '/healthz')).status, 200);
      await c.stop();
      // A rebuild holds its database from before it sets its mark until its process ends (the
      // advisory lock a rebuild takes exclusively, which A and B hold shared here: so on a database
      // of its own, held by psql for four seconds): a node started meanwhile waits, then serves.
      sql('CREATE DATABASE gongzhi_e2e_claim');
      const claimDb = pg.replace(/\/[^/?]+(\?|$)/, '/gongzhi_e2e_claim$1');
      const holder = spawn('psql', ['-qAt', claimDb, '-c', 'SELECT pg_advisory_lock(113775619699318), pg_sleep(4)'],
        { stdio: 'ignore' });
      const held = new Promise((resolve) => holder.on('exit', resolve));
      await new Promise((r) => setTimeout(r, 500));
      const during = startServer({ pg: claimDb, trustActor: false, extra });
      const soon = await Promise.race([during.then(() => 'serving'), new Promise((r) => setTimeout(() => r('waiting'), 2500))]);
      assert.equal(soon, 'waiting');
      assert.equal(await held, 0);
      const d = await during;
      assert.match(d.stderr(), /a rebuild of the assessment holds the database: waiting for it to finish/);
      assert.equal((await fetch(d.url + '/healthz')).status, 200);
      // The database restarts (every session of the node ends) and a rebuild takes it before the
      // node's next lead check: the node's reports are refused (503) until the rebuild has ended,
      // instead of crossing its steps; then they go in.
      const report = { category_code: '0101', description: '重建期间的报告', ...(await pointIn(d.url, '130404001008')) };
      assert.equal((await api(d.url, 'POST', '/api/v1/cases', report)).status, 201);
      const rebuilder = spawn('psql', ['-qAt', claimDb,
        '-c', 'SELECT pg_advisory_lock(113775619699318) FROM (SELECT count(pg_terminate_backend(pid)) FROM ' +
          'pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()) AS ended',
        '-c', 'SELECT pg_sleep(3)'], { stdio: 'ignore' });
      const rebuilt = new Promise((resolve) => rebuilder.on('exit', resolve));
      await new Promise((r) => setTimeout(r, 300));
      let outcome = 'no answer';
      for (let i = 0; i < 20 && outcome === 'no answer'; i++) {
        const r = await api(d.url, 'POST', '/api/v1/cases', report);
        if (r.status === 201) outcome = 'written beside the rebuild';
        else if (/a rebuild of the assessment holds the database: writes resume/.test(d.stderr())) outcome = 'refused';
        else await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(outcome, 'refused');
      assert.equal(await rebuilt, 0);
      let after = 0;
      for (let i = 0; i < 50 && after !== 201; i++) {
        after = (await api(d.url, 'POST', '/api/v1/cases', report)).status;
        if (after !== 201) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(after, 201);
      await d.stop();

      // Failed sign-ins count on every node: five on A lock the login on B too.
      const signIn = (node, password) => fetch(node.url + '/api/v1/session', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'leader', password }) });
      for (let i = 0; i < 5; i++) assert.equal((await signIn(a, 'wrong-password-' + i)).status, 401);
      const lockedOnB = await signIn(b, 'gongzhi-demo-2026');
      assert.equal(lockedOnB.status, 429);
      assert.ok(Number(lockedOnB.headers.get('retry-after')) > 0);

      // Live push through nginx: a stream from the pool sees a case reported on node A at once.
      const ctl = new AbortController();
      const stream = await fetch(url + '/api/v1/feed/stream', { headers: me, signal: ctl.signal });
      assert.equal(stream.status, 200);
      const reader = stream.body.getReader();
      const point = await pointIn(url, '130404001008');
      const t0 = Date.now();
      const first = await api(a.url, 'POST', '/api/v1/cases', { category_code: '0101', description: '经过代理推送', ...point });
      assert.equal(first.status, 201);
      let text = '';
      while (!text.includes('"action":"report"')) {
        const { value, done } = await Promise.race([reader.read(), new Promise((_, rej) => setTimeout(() => rej(new Error('no push within 3 s: ' + text)), 3000))]);
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      assert.ok(Date.now() - t0 < 3000);
      ctl.abort();

      // Caches follow the database on every node: a grid imported through node A is found by node B.
      const adm = await fetch(a.url + '/api/v1/session', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'admin', password: 'gongzhi-demo-2026' }),
      });
      const asAdmin = { cookie: adm.headers.get('set-cookie').split(';')[0], 'X-CSRF-Token': (await adm.json()).csrf_token };
      const square = [[114.50, 36.70], [114.51, 36.70], [114.51, 36.71], [114.50, 36.71], [114.50, 36.70]];
      const imported = await api(a.url, 'POST', '/api/v1/grids/import', { type: 'FeatureCollection', features: [{ type: 'Feature',
        properties: { code: '130404001008901', name: '新划网格' }, geometry: { type: 'Polygon', coordinates: [square] } }] }, asAdmin);
      assert.equal(imported.status, 200, imported.text);
      const t1 = Date.now();
      while ((await api(b.url, 'GET', '/api/v1/locate?lng=114.505&lat=36.705')).status !== 200) {
        assert.ok(Date.now() - t1 < 5000, 'node B did not see the new grid within 5 s');
        await new Promise((r) => setTimeout(r, 200));
      }

      // Load through nginx while PostgreSQL restarts (down for 2 s): clients keep the codes acknowledged.
      const acked = [], refused = [];
      let stop = false;
      const worker = async (w) => {
        for (let i = 0; !stop; i++) {
          try {
            const r = await api(url, 'POST', '/api/v1/cases', { category_code: '0101', description: `负载 ${w}-${i}`, ...point });
            if (r.status === 201) acked.push(r.json.tracking_code);
            else {
              refused.push(`${r.status} ${r.headers.get('retry-after')} ${r.text.slice(0, 100)}`);
              await new Promise((res2) => setTimeout(res2, 100));
            }
          } catch (e) {
            refused.push('network ' + e.message);
            await new Promise((res2) => setTimeout(res2, 100));
          }
        }
      };
      const load = Array.from({ length: 16 }, (_, w) => worker(w));
      await new Promise((r) => setTimeout(r, 1500));
      const ackedBefore = acked.length;
      const restart = spawn(PG_SH, ['restart', pgDir, '2'], { stdio: 'ignore' });
      const restarted = await new Promise((r) => restart.once('exit', r));
      assert.equal(restarted, 0, 'pg.sh restart');
      const back = Date.now();
      // Recovery: a report goes through again within 10 s of PostgreSQL being back.
      let recovered = false;
      while (!recovered && Date.now() - back < 10000) {
        const before = acked.length;
        await new Promise((r) => setTimeout(r, 200));
        recovered = acked.length > before;
      }
      await new Promise((r) => setTimeout(r, 1000));
      stop = true;
      await Promise.all(load);
      assert.ok(ackedBefore > 0, 'load before the restart');
      assert.ok(recovered, `no report accepted within 10 s of PostgreSQL's return; refused: ${refused.slice(-5).join(' | ')}`);
      assert.ok(refused.length > 0, 'the outage was noticed');
      const bad = refused.filter((r) => !/^503 \d+ /.test(r) || /postgres|connection/i.test(r));
      assert.deepEqual(bad, [], 'refusals during the outage are 503 with Retry-After, in words that name no internals');
      // Every acknowledged case is there (asked as a client would: a 503 is retried after a pause).
      const missing = [];
      const deadline = Date.now() + 10000;
      for (const code of acked) {
        let r = await api(url, 'GET', `/api/v1/track/${code}`);
        while (r.status === 503 && Date.now() < deadline) {
          await new Promise((res2) => setTimeout(res2, 200));
          r = await api(url, 'GET', `/api/v1/track/${code}`);
        }
        if (r.status !== 200) missing.push(`${code}: ${r.status}`);
      }
      assert.deepEqual(missing, [], `${acked.length} acknowledged`);
      if (process.env.GONGZHI_VERBOSE) console.log({ acked: acked.length, ackedBefore, refused: refused.length, sample: refused.slice(0, 3) });
      for (const n of nodes) assert.equal(n.proc.exitCode, null, 'the nodes stayed up');

      // The leader killed under load: the other node takes the deadline sweep within 10 s, and
      // every deadline that passes is warned and marked overdue exactly once. A drill category
      // with a one-minute response limit (natural time) makes deadlines pass during the test.
      const drill = await api(url, 'POST', '/api/v1/categories',
        { code: '99', name: '演练', urgency: 'emergency', response_minutes: 1, handling_minutes: 2 }, asAdmin);
      assert.equal(drill.status, 200, drill.text);
      await new Promise((r) => setTimeout(r, 2500));  // every node reloads its configuration within 2 s
      const unit = (await api(url, 'GET', '/api/v1/units?under=130404&kind=department')).json.items[0].id;
      const drillIds = [];
      for (let i = 0; i < 4; i++) {
        const r = await api(url, 'POST', '/api/v1/cases', { category_code: '99', description: `演练 ${i}`, ...point }, me);
        assert.equal(r.status, 201, r.text);
        const id = (await api(url, 'GET', '/api/v1/cases?category=99&limit=10', undefined, me)).json.items
          .find((c) => c.description === `演练 ${i}`).id;
        for (const [action, body] of [['accept', {}], ['dispatch', { unit_id: unit }]]) {
          const v = (await api(url, 'GET', `/api/v1/cases/${id}`, undefined, me)).json.version;
          const done = await api(url, 'POST', `/api/v1/cases/${id}/${action}`, { version: v, ...body }, me);
          assert.equal(done.status, 200, done.text);
        }
        drillIds.push(id);
      }
      const dispatched = Date.now();
      stop = false;
      const light = Array.from({ length: 2 }, (_, w) => worker(100 + w));
      await new Promise((r) => setTimeout(r, 10000));
      const leads = await Promise.all(nodes.map(async (n) => (await api(n.url, 'GET', '/healthz')).json.leader));
      assert.equal(leads.filter(Boolean).length, 1, JSON.stringify(leads));
      const leader = nodes[leads.indexOf(true)], follower = nodes[1 - leads.indexOf(true)];
      await leader.stop('SIGKILL');
      const killed = Date.now();
      while (!(await api(follower.url, 'GET', '/healthz')).json.leader) {
        assert.ok(Date.now() - killed < 10000, 'the other node did not take the sweep within 10 s');
        await new Promise((r) => setTimeout(r, 200));
      }
      // The response deadlines (dispatch + 60 s) pass; the sweep runs every second.
      await new Promise((r) => setTimeout(r, Math.max(0, dispatched + 64000 - Date.now())));
      stop = true;
      await Promise.all(light);
      for (const id of drillIds) {
        const events = (await api(follower.url, 'GET', `/api/v1/cases/${id}`, undefined, me)).json.events;
        const fired = (action) => events.filter((e) => e.action === action && e.payload.deadline === 'response').length;
        assert.equal(fired('warn'), 1, `case ${id}: ${events.map((e) => e.action)}`);
        assert.equal(fired('overdue'), 1, `case ${id}: ${events.map((e) => e.action)}`);
      }
    } finally {
      nginx?.proc.kill('SIGTERM');
      for (const n of nodes) await n.stop();
      spawnSync(PG_SH, ['stop', pgDir]);
      tmp.cleanup();
    }
  });
