// End-to-end scale-out (issue #8): two nodes behind nginx (deploy/nginx/gongzhi.conf itself) on a
// PostgreSQL of this test's own. A session made through one node works on the other, a case
// reported on node A is pushed through nginx to a dispatcher streaming from the pool, and
// PostgreSQL restarted under load: the service recovers, refusals are 503 with Retry-After, and
// every case acknowledged to a client is in the database afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import { api, ROOT, startServer, tempDir } from './helpers.mjs';

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

test('two nodes behind nginx: shared sessions, push through the proxy, PostgreSQL restarted under load loses nothing',
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
      nodes.push(await startServer({ pg, trustActor: false, extra: ['--trusted-proxy', '127.0.0.1'] }));
      nodes.push(await startServer({ pg, trustActor: false, demo: false, extra: ['--trusted-proxy', '127.0.0.1'] }));
      const [a, b] = nodes;
      nginx = await startNginx(join(tmp.dir, 'nginx'), nodes.map((n) => n.url));
      const url = nginx.url;

      // A session made on node A is valid on node B (sessions live in PostgreSQL).
      const res = await fetch(a.url + '/api/v1/session', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'slq.dispatch', password: 'gongzhi-demo-2026' }),
      });
      assert.equal(res.status, 201);
      const me = { cookie: res.headers.get('set-cookie').split(';')[0] };
      assert.equal((await api(b.url, 'GET', '/api/v1/session', undefined, me)).json.account.login, 'slq.dispatch');

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
    } finally {
      nginx?.proc.kill('SIGTERM');
      for (const n of nodes) await n.stop();
      spawnSync(PG_SH, ['stop', pgDir]);
      tmp.cleanup();
    }
  });
