// Browser: 督办 and the command-centre screens at 1920 px. A drill category with a one-minute
// response limit (natural time) is dispatched; nobody claims it; the sweep (every second here)
// marks it overdue and records a supervision. The township console, open at 1920 px, shows it in
// its supervision list without a reload, the row opens the case, and the queue shows it red.
// While the minute passes the leader's dashboard is checked at 1920 px: nothing wider than the
// screen, axe-clean, the grid workers' load shown; its map, set to overdue cases, then shows the grid. (About 70 s: the limit is a minute.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, api } from '../e2e/helpers.mjs';
import { axeViolations, signedInPage, useBrowser, watchErrors } from './support.mjs';

const SHOTS = process.env.GONGZHI_SCREENSHOTS ?? join(ROOT, 'build/screenshots');
mkdirSync(SHOTS, { recursive: true });
const shot = (page, name) => page.screenshot({ path: join(SHOTS, name + '.png'), fullPage: true });
const ctx = useBrowser({ trustActor: false, extra: ['--sweep-seconds', '1'] });
const WIDE = { width: 1920, height: 1080 };

async function signIn(url, login) {
  const r = await fetch(url + '/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: 'gongzhi-demo-2026' }) });
  assert.equal(r.status, 201);
  return { cookie: r.headers.get('set-cookie').split(';')[0], 'X-CSRF-Token': (await r.json()).csrf_token };
}

const overflowOf = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test('an unclaimed case goes overdue and appears in the console\'s supervision list; wide screens', async (t) => {
  if (!ctx.browser) return t.skip('no Chromium');
  const { url } = ctx.srv;
  const admin = await signIn(url, 'admin');
  const dispatcher = await signIn(url, 'slq.dispatch');
  const drill = await api(url, 'POST', '/api/v1/categories',
    { code: '98', name: '督办演练', urgency: 'emergency', response_minutes: 1, handling_minutes: 2 }, admin);
  assert.equal(drill.status, 200, drill.text);

  const desk = await signedInPage(ctx.browser, url, 'slq.dispatch', WIDE);
  const errors = watchErrors(desk);
  await desk.getByTestId('console-live').getByText('实时').waitFor();
  await desk.getByRole('tab', { name: /督办/ }).click();
  await desk.getByTestId('supervision-list').getByText('暂无督办').waitFor();

  // Reported in 胜利桥街道, accepted and dispatched to the city management bureau; not claimed.
  const g = (await api(url, 'GET', '/api/v1/grids?community=130404001008')).json.features[0].geometry.coordinates[0];
  const made = await api(url, 'POST', '/api/v1/cases', { category_code: '98', description: '演练：井盖缺失无人签收',
    lng: (g[0][0] + g[2][0]) / 2, lat: (g[0][1] + g[2][1]) / 2 });
  assert.equal(made.status, 201, made.text);
  const id = (await api(url, 'GET', '/api/v1/cases?limit=1', undefined, dispatcher)).json.items[0].id;  // newest first
  const unit = (await api(url, 'GET', '/api/v1/units?under=130404&limit=100')).json.items
    .find((u) => u.name === '复兴区城市管理综合行政执法局');
  let v = await api(url, 'POST', `/api/v1/cases/${id}/accept`, { version: 1 }, dispatcher);
  assert.equal(v.status, 200, v.text);
  v = await api(url, 'POST', `/api/v1/cases/${id}/dispatch`, { version: v.json.version, unit_id: unit.id }, dispatcher);
  assert.equal(v.status, 200, v.text);
  const dispatchedAt = Date.now();

  // Meanwhile, the leader's dashboard on a command-centre screen, with the load of a community's
  // grid workers (the demo's first community with workers; none has open tasks yet).
  const boss = await signedInPage(ctx.browser, url, 'leader', WIDE);
  const bossErrors = watchErrors(boss);
  await boss.getByTestId('fig-satisfaction').waitFor();
  await boss.getByTestId('dash-ranking').getByText('胜利桥街道').waitFor();
  await boss.getByTestId('dash-load-workers').getByText('王芳').waitFor();
  assert.match(await boss.getByTestId('dash-load-figures').innerText(), /最多 0 件.*基尼系数 0\.00/);
  assert.ok(await overflowOf(boss) <= 0, 'the dashboard is wider than a 1920 px screen');
  assert.deepEqual(await axeViolations(boss), [], 'axe on the dashboard at 1920 px');
  await shot(boss, 'dashboard-1920');
  // The map counts overdue cases now: none yet.
  await boss.getByTestId('dash-measure').getByText('当前超期').click();
  await boss.getByTestId('dash-hotspots-max').getByText(/最多的网格：0 件（当前超期/).waitFor();

  // The minute passes; the sweep marks the case overdue and the supervision arrives by itself.
  const row = desk.getByTestId('supervision-list').locator('tbody tr', { hasText: `#${id}` });
  await row.waitFor({ timeout: 90000 });
  assert.ok(Date.now() - dispatchedAt >= 55000, 'a supervision before the limit passed');
  assert.match(await row.innerText(), /超时未签收/);
  assert.match(await row.innerText(), /城市管理综合行政执法局/);
  await row.click();
  await desk.getByTestId('console-detail').getByText('演练：井盖缺失无人签收').waitFor();
  const sup = (await api(url, 'GET', '/api/v1/supervisions', undefined, dispatcher)).json.items;
  assert.deepEqual(sup.map((s) => [s.case_id, s.kind, s.unit_id]), [[id, 'response', unit.id]]);
  // Addressed to the level above the district bureau (the city); the township sees it because the
  // case is in its area.
  assert.equal(sup[0].region_code, '1304');
  assert.ok(await overflowOf(desk) <= 0, 'the console is wider than a 1920 px screen');
  assert.deepEqual(await axeViolations(desk), [], 'axe on the supervision list');
  await shot(desk, 'console-supervision');
  // The leader's map, on overdue, now has that grid; the figures follow the feed by themselves.
  await boss.getByTestId('dash-hotspots-max').getByText(/最多的网格：1 件（当前超期/).waitFor({ timeout: 5000 });
  const hot = (await api(url, 'GET', '/api/v1/dashboard/hotspots?region=130404001&measure=overdue', undefined, admin)).json;
  assert.deepEqual(hot.features.filter((f) => f.properties.cases > 0).map((f) => [f.properties.code, f.properties.cases]),
    [[made.json.grid_code, 1]]);
  assert.deepEqual(bossErrors, []);
  await boss.close();
  // The queue shows the case red.
  await desk.getByRole('tab', { name: /待办队列/ }).click();
  const queued = desk.getByTestId('console-queue').locator('tbody tr', { hasText: '演练：井盖缺失无人签收' });
  await queued.getByText('超期').waitFor();
  assert.deepEqual(errors, []);
  await desk.close();
});
