// End-to-end: live push over Server-Sent Events. A township console follows its cases live, sees
// nothing of another township, loses its connection, comes back with Last-Event-ID and gets
// exactly what it missed; on PostgreSQL, a console on one node sees what another node wrote, and
// exactly one node runs the periodic jobs, another taking over when it dies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act, api, startServer, tempDir } from './helpers.mjs';

const TOWNSHIP = { 'X-Gongzhi-Actor': 'dispatcher:130404001' };

// Opens an SSE stream and collects its messages; `next(pred)` waits for one that matches.
async function follow(url, path, headers = {}) {
  const ctrl = new AbortController();
  const res = await fetch(url + path, { headers: { accept: 'text/event-stream', ...headers }, signal: ctrl.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const messages = [];
  const waiters = [];
  const decoder = new TextDecoder();
  let buf = '';
  (async () => {
    try {
      for await (const chunk of res.body) {
        buf += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const m = {};
          for (const line of block.split('\n')) {
            const i = line.indexOf(': ');
            if (line.startsWith(':') || i < 0) continue;
            m[line.slice(0, i)] = line.slice(i + 2);
          }
          if (!m.event) continue;
          if (m.data) m.data = JSON.parse(m.data);
          messages.push(m);
          for (const w of [...waiters]) w();
        }
      }
    } catch { /* aborted */ }
  })();
  return {
    messages,
    close: () => ctrl.abort(),
    async next(pred, ms = 5000) {
      const started = Date.now();
      for (;;) {
        const hit = messages.find(pred);
        if (hit) return hit;
        if (Date.now() - started > ms) assert.fail('no such message within ' + ms + ' ms; got ' + JSON.stringify(messages));
        await new Promise((r) => { waiters.push(r); setTimeout(r, 50); });
        waiters.length = 0;
      }
    },
  };
}

async function report(url, community, description) {
  const g = (await api(url, 'GET', `/api/v1/grids?community=${community}`)).json.features[0];
  const ring = g.geometry.coordinates[0];
  const r = await api(url, 'POST', '/api/v1/cases', {
    category_code: '0101', description, lng: (ring[0][0] + ring[2][0]) / 2, lat: (ring[0][1] + ring[2][1]) / 2,
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function caseIdOf(url, tracking) {
  const list = (await api(url, 'GET', '/api/v1/cases?limit=500', undefined, { 'X-Gongzhi-Actor': 'system' })).json.items;
  return list.find((c) => c.tracking_code === tracking).id;
}


test('live push: scope, reconnect with Last-Event-ID, polling, bad input', async () => {
  const tmp = tempDir();
  const srv = await startServer({ db: tmp.db });
  const { url } = srv;
  const streams = [];
  try {
    const mine = await follow(url, '/api/v1/feed/stream', TOWNSHIP);
    const other = await follow(url, '/api/v1/feed/stream?actor=dispatcher:130404002');  // header-less, as EventSource
    streams.push(mine, other);
    const started = Date.now();
    const a = await report(url, '130404001008', '路灯不亮');
    const id = await caseIdOf(url, a.tracking_code);
    const first = await mine.next((m) => m.event === 'case' && m.data.case_id === id);
    assert.ok(Date.now() - started < 2000, 'pushed within a second or two');
    assert.equal(first.data.action, 'report');
    assert.equal(first.data.to_state, 'reported');
    assert.equal(first.data.region_code, '130404001008');
    assert.equal(first.data.tracking_code, undefined, 'the tracking code is the reporter\'s, never pushed');
    await act(url, id, 'accept');
    await mine.next((m) => m.data?.case_id === id && m.data.action === 'accept');

    // The console drops; three changes happen meanwhile; it comes back with the last id it saw.
    const lastId = mine.messages.at(-1).id;
    mine.close();
    const d = await act(url, id, 'dispatch');
    await act(url, id, 'claim', {}, { 'X-Gongzhi-Actor': `unit:${d.unit_id}` });
    const b = await report(url, '130404001008', '井盖松动');
    const idB = await caseIdOf(url, b.tracking_code);
    const back = await follow(url, '/api/v1/feed/stream', { ...TOWNSHIP, 'Last-Event-ID': lastId });
    streams.push(back);
    await back.next((m) => m.data?.case_id === idB);
    const got = back.messages.filter((m) => m.event === 'case').map((m) => `${m.data.case_id}:${m.data.action}`);
    assert.deepEqual(got, [`${id}:dispatch`, `${id}:claim`, `${idB}:report`], 'exactly what was missed, in order');
    // The unit's console sees the case it handles, not the other one.
    const unit = await follow(url, `/api/v1/feed/stream?actor=unit:${d.unit_id}&last_event_id=0`);
    streams.push(unit);
    await unit.next((m) => m.data?.action === 'claim');
    assert.ok(unit.messages.every((m) => m.event !== 'case' || m.data.case_id === id));

    // Another township's console saw none of it.
    assert.equal(other.messages.filter((m) => m.event === 'case').length, 0);

    // Polling gives the same entries, page by page.
    const p1 = await api(url, 'GET', '/api/v1/feed?after=0&limit=2', undefined, TOWNSHIP);
    assert.equal(p1.status, 200);
    assert.equal(p1.json.entries.length, 2);
    const p2 = await api(url, 'GET', `/api/v1/feed?after=${p1.json.through}`, undefined, TOWNSHIP);
    assert.deepEqual([...p1.json.entries, ...p2.json.entries].map((e) => `${e.case_id}:${e.action}`),
      [`${id}:report`, `${id}:accept`, `${id}:dispatch`, `${id}:claim`, `${idB}:report`]);

    // Bad input: named field, 4xx, nothing opened.
    let r = await api(url, 'GET', '/api/v1/feed/stream', undefined, { ...TOWNSHIP, 'Last-Event-ID': '-3' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, 'Last-Event-ID');
    r = await api(url, 'GET', '/api/v1/feed/stream');
    assert.equal(r.status, 401);
    r = await api(url, 'GET', '/api/v1/feed?actor=nobody:1');
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, 'actor');
    r = await api(url, 'GET', '/api/v1/feed?after=abc', undefined, TOWNSHIP);
    assert.equal(r.json.error.field, 'after');
  } finally {
    for (const s of streams) s.close();
    await srv.stop();
    tmp.cleanup();
  }
});

test('two nodes on one PostgreSQL: push across nodes, one leader, fail-over', async (t) => {
  const pg = process.env.GONGZHI_TEST_PG_E2E_FEED;
  if (!pg) {
    if (process.env.GONGZHI_REQUIRE_PG) assert.fail('GONGZHI_REQUIRE_PG is set but GONGZHI_TEST_PG_E2E_FEED is not');
    t.skip('set GONGZHI_TEST_PG_E2E_FEED to run against PostgreSQL');
    return;
  }
  const nodeA = await startServer({ pg });
  const nodeB = await startServer({ pg, demo: false });
  let console_;
  try {
    console_ = await follow(nodeB.url, '/api/v1/feed/stream', TOWNSHIP);
    const started = Date.now();
    const a = await report(nodeA.url, '130404001008', '两个节点');
    const id = await caseIdOf(nodeA.url, a.tracking_code);
    await console_.next((m) => m.data?.case_id === id && m.data.action === 'report');
    assert.ok(Date.now() - started < 2000, `seen on node B ${Date.now() - started} ms after the report on node A`);

    // Exactly one node runs the periodic jobs (deadline sweep, pruning); when it dies, the other
    // takes over within seconds (PostgreSQL releases the advisory lock with the dead session).
    const leaders = async () => Promise.all([nodeA, nodeB].map(async (n) =>
      n.proc.exitCode === null && n.proc.signalCode === null ? (await api(n.url, 'GET', '/healthz')).json.leader : null));
    assert.deepEqual((await leaders()).filter((x) => x === true).length, 1, JSON.stringify(await leaders()));
    const [aLeads] = await leaders();
    const leader = aLeads ? nodeA : nodeB, follower = aLeads ? nodeB : nodeA;
    await leader.stop('SIGKILL');
    const killed = Date.now();
    while (!(await api(follower.url, 'GET', '/healthz')).json.leader) {
      assert.ok(Date.now() - killed < 10000, 'the other node did not take the lead within 10 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(follower.stderr(), /this node now runs the periodic jobs/);
  } finally {
    console_?.close();
    await nodeA.stop();
    await nodeB.stop();
  }
});
