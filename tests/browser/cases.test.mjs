// Browser test of the case engine's screens (Debian's headless Chromium, playwright-core, the real
// binary): a resident reports at a map point on a phone → the case appears live in the township
// console → the dispatcher accepts it and dispatches it to the suggested unit (权责清单) → the unit
// claims and resolves it on its desk with a photo of the work, after a summons it acknowledges → the dispatcher verifies →
// the grid's worker verifies it with a photo → the resident rates it by tracking code → the leader's dashboard figures change by themselves.
// Also: a grid assignment outside the admission list refused in plain words; a duplicate merged
// from the console; language switch.
// Every screen is axe-clean; a screenshot of each is kept (GONGZHI_SCREENSHOTS, default
// build/screenshots, outside git).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, ROOT } from '../e2e/helpers.mjs';
import { axeViolations, signedInPage, useBrowser, watchErrors } from './support.mjs';

const SHOTS = process.env.GONGZHI_SCREENSHOTS ?? join(ROOT, 'build/screenshots');
mkdirSync(SHOTS, { recursive: true });
const shot = (page, name) => page.screenshot({ path: join(SHOTS, name + '.png'), fullPage: true });

const ctx = useBrowser({ trustActor: false });  // everyone signs in, as on a real server

test('a report travels live from a resident\'s phone to the township console and back to the resident', async (t) => {
  const { browser, srv } = ctx;
  if (!browser) return t.skip('no Chromium');
  // Signed out, a desk says to sign in; a wrong password is said next to the field.
  const anon = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await anon.goto(srv.url + '/#/console');
  await anon.getByTestId('desk-signin').waitFor();
  await anon.goto(srv.url + '/#/login');
  await anon.getByTestId('login-name').fill('slq.dispatch');
  await anon.getByTestId('login-password').fill('not-the-password');
  await anon.getByTestId('login-submit').click();
  await anon.getByText('账号或密码不正确').waitFor();
  assert.deepEqual(await axeViolations(anon), [], 'axe on the sign-in screen');
  await shot(anon, 'login');
  await anon.close();

  // The township dispatcher of 胜利桥街道 signs in and lands on the console (desktop).
  const desk = await signedInPage(browser, srv.url, 'slq.dispatch', { width: 1440, height: 900 });
  const deskErrors = watchErrors(desk);
  assert.equal(new URL(desk.url()).hash, '#/console');
  await desk.getByTestId('console-live').getByText('实时').waitFor();
  const before = await desk.getByTestId('console-queue').locator('tbody tr').count();
  // The leader's dashboard is open too: nothing rated yet.
  const boss = await signedInPage(browser, srv.url, 'leader', { width: 1440, height: 1000 });
  const bossErrors = watchErrors(boss);
  assert.equal(new URL(boss.url()).hash, '#/dashboard');
  const satisfaction = boss.getByTestId('fig-satisfaction');
  await satisfaction.getByText('0 / 0').waitFor();

  // A resident on a phone: picks a place on the map in 胜利桥街道, describes, sends.
  const phone = await browser.newPage({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  const phoneErrors = watchErrors(phone);
  await phone.goto(srv.url + '/#/report');
  await phone.locator('.leaflet-overlay-pane path').first().waitFor();
  // Sending without a place or a description: told next to each field, nothing sent.
  await phone.getByTestId('report-submit').click();
  await phone.getByText('请在地图上点击问题所在位置').first().waitFor();
  await phone.getByText('请填写问题描述').waitFor();
  // A grid of 胜利桥街道 (the first grids by code), away from the zoom buttons in the corner.
  const paths = phone.locator('.leaflet-overlay-pane path');
  let best = 0, far = -1;
  for (let i = 0; i < 30; i++) {
    const b = await paths.nth(i).boundingBox();
    if (b && b.x + b.y > far) { far = b.x + b.y; best = i; }
  }
  await paths.nth(best).click();
  await phone.getByTestId('report-place').getByText('胜利桥街道').waitFor();
  await phone.getByTestId('report-description').fill('楼道口垃圾堆了两天没人清运');
  await phone.getByTestId('report-category').click();
  await phone.getByRole('option', { name: /暴露垃圾/ }).click();
  await phone.locator('.el-select-dropdown').waitFor({ state: 'detached' });
  assert.deepEqual(await axeViolations(phone), [], 'axe on the report screen');
  await shot(phone, 'report');
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the report screen is ${overflow}px wider than the phone`);
  // A photo taken on the spot goes with the report.
  const png = join(SHOTS, 'upload-1x1.png');
  writeFileSync(png, Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082', 'hex'));
  await phone.getByTestId('report-photos').setInputFiles(png);
  await phone.getByTestId('report-submit').click();
  const code = (await phone.getByTestId('tracking-code').innerText()).trim();
  assert.match(code, /^[0-9A-Z]{12}$/);
  assert.match(await phone.getByTestId('photos-sent').innerText(), /1/);

  // The console shows it without a reload.
  const row = desk.getByTestId('console-queue').locator('tbody tr', { hasText: '楼道口垃圾堆了两天没人清运' });
  await row.waitFor({ timeout: 5000 });
  assert.equal(await desk.getByTestId('console-queue').locator('tbody tr').count(), before + 1);
  await row.click();
  const detail = desk.getByTestId('console-detail');
  await detail.getByTestId('detail-suggested').getByText('复兴区城市管理综合行政执法局').waitFor();
  await detail.getByTestId('grid-map').locator('.leaflet-overlay-pane path').nth(1).waitFor();  // its grid and the point
  assert.match(await detail.innerText(), /权责清单/);
  await detail.getByTestId('detail-photos').locator('img').first().waitFor();
  assert.ok(await detail.getByTestId('detail-photos').locator('img').evaluate((img) => img.complete && img.naturalWidth === 1),
    'the resident\'s photo is shown in the console');
  await detail.getByTestId('act-accept').click();
  await detail.getByTestId('detail-state').getByText('已立案').waitFor();
  await detail.getByTestId('act-dispatch').click();  // to the suggested unit, first in the list
  await detail.getByTestId('detail-state').getByText('已派遣').waitFor();
  // Until the unit claims it, the dispatcher may give it to someone else: the button says 改派.
  assert.equal((await detail.getByTestId('act-dispatch').innerText()).trim(), '改派');
  assert.deepEqual(await axeViolations(desk), [], 'axe on the console');
  await shot(desk, 'console');
  const id = Number((await detail.innerText()).match(/#(\d+)/)[1]);
  const admin = await fetch(srv.url + '/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'admin', password: 'gongzhi-demo-2026' }) });
  const asAdmin = { cookie: admin.headers.get('set-cookie').split(';')[0] };
  const view = (await api(srv.url, 'GET', `/api/v1/cases/${id}`, undefined, asAdmin)).json;
  assert.equal(view.unit_id, view.suggested_unit_id);
  const stages = async () => (await api(srv.url, 'GET', `/api/v1/cases/${id}`, undefined, asAdmin)).json.photos.map((p) => p.stage);
  // 吹哨: the dispatcher summons the township's police station to the case.
  const units = (await api(srv.url, 'GET', '/api/v1/units?under=130404&limit=100')).json.items;
  const police = units.find((u) => u.name === '胜利桥派出所');
  await detail.getByTestId('summon-units').click();
  await desk.getByRole('option', { name: '胜利桥派出所' }).click();
  await desk.keyboard.press('Escape');
  await detail.getByTestId('act-summon').click();
  await detail.getByTestId('detail-summons').getByText('待报到').waitFor();

  // The unit's desk: the case is there; it claims and resolves it.
  const unitPage = await signedInPage(browser, srv.url, 'chengguan');
  const unitErrors = watchErrors(unitPage);
  assert.equal(new URL(unitPage.url()).hash, '#/unit');
  const unitRow = unitPage.getByTestId('console-queue').locator('tbody tr', { hasText: '楼道口垃圾堆了两天没人清运' });
  await unitRow.click();
  const unitDetail = unitPage.getByTestId('console-detail');
  await unitDetail.getByTestId('act-claim').click();
  await unitDetail.getByTestId('detail-state').getByText('处置中').waitFor();
  // A photo of the work, from the unit's desk: shown beside the resident's.
  // The same picture again is refused in plain words; another one is taken (bytes after IEND).
  await unitDetail.getByTestId('desk-photos').setInputFiles(png);
  await unitDetail.getByTestId('act-error').getByText(/already attached/).waitFor();
  // A live update of the same case (the resident adds a photo) reloads it but keeps the error and
  // what the person was typing.
  await unitDetail.getByTestId('act-text').fill('正在清运');
  const late = await fetch(`${srv.url}/api/v1/track/${code}/photos`, { method: 'POST', headers: { 'content-type': 'image/png' },
    body: Buffer.concat([readFileSync(png), Buffer.from('resident, later')]) });
  assert.equal(late.status, 201);
  await unitDetail.getByTestId('detail-photos').locator('img').nth(1).waitFor();
  assert.equal(await unitDetail.getByTestId('act-text').inputValue(), '正在清运');
  assert.match(await unitDetail.getByTestId('act-error').innerText(), /already attached/);
  const png2 = join(SHOTS, 'upload-1x1-b.png');
  writeFileSync(png2, Buffer.concat([readFileSync(png), Buffer.from('handling')]));
  await unitDetail.getByTestId('desk-photos').setInputFiles(png2);
  await unitDetail.getByTestId('detail-photos').getByAltText(/处置/).waitFor();
  await unitDetail.getByTestId('act-text').fill('已清运，楼道已冲洗');
  await unitDetail.getByTestId('act-resolve').click();
  await unitDetail.getByTestId('detail-state').getByText('已办结').waitFor();
  assert.deepEqual(await axeViolations(unitPage), [], 'axe on the unit desk');
  await shot(unitPage, 'unit-desk');
  // The summoned police station reports in (报到) from its own desk.
  const policePage = await signedInPage(browser, srv.url, 'slq.police');
  await policePage.getByTestId('console-queue').locator('tbody tr', { hasText: '楼道口垃圾' }).click();
  await policePage.getByTestId('act-acknowledge').click();
  await detail.getByTestId('detail-summons').getByText('已报到').waitFor({ timeout: 5000 });  // live in the console

  // The console saw it resolved, live. The grid's own worker verifies it (核查) from the phone
  // desk, where it is listed among the cases to verify; the console sees that live too.
  await detail.getByTestId('detail-state').getByText('已办结').waitFor({ timeout: 5000 });
  const gridCode = (await api(srv.url, 'GET', `/api/v1/cases/${id}`, undefined, asAdmin)).json.grid_code;
  const adminSession = await (await fetch(srv.url + '/api/v1/session', { method: 'GET', headers: asAdmin })).json();
  const adminWrites = { ...asAdmin, 'X-CSRF-Token': adminSession.csrf_token };
  const gridWorker = (await api(srv.url, 'POST', '/api/v1/grid-workers', { name: '网格员小李', grids: [gridCode] }, adminWrites)).json;
  const made = await api(srv.url, 'POST', '/api/v1/accounts', { login: 'verifier', name: gridWorker.name, password: 'gongzhi-demo-2026',
    roles: [`grid_worker@worker:${gridWorker.id}`] }, adminWrites);
  assert.equal(made.status, 201, made.text);
  const workerPage = await signedInPage(browser, srv.url, 'verifier', { width: 375, height: 740 });
  const workerErrors = watchErrors(workerPage);
  assert.equal(new URL(workerPage.url()).hash, '#/worker');
  await workerPage.getByTestId('console-queue').locator('tbody tr', { hasText: '楼道口垃圾' }).click();
  // What the worker found, photographed on the spot, before verifying.
  const png3 = join(SHOTS, 'upload-1x1-c.png');
  writeFileSync(png3, Buffer.concat([readFileSync(png), Buffer.from('verification')]));
  await workerPage.getByTestId('desk-photos').setInputFiles(png3);
  await workerPage.getByTestId('detail-photos').getByAltText(/核查/).waitFor();
  await workerPage.getByTestId('act-verify').click();
  await workerPage.getByTestId('console-detail').getByTestId('detail-state').getByText('已核查').waitFor();
  assert.deepEqual(await axeViolations(workerPage), [], 'axe on the grid worker desk');
  await shot(workerPage, 'worker-desk');
  assert.deepEqual(await stages(), ['report', 'report', 'handling', 'verification']);
  assert.deepEqual(workerErrors, []);
  await detail.getByTestId('detail-state').getByText('已核查').waitFor({ timeout: 5000 });

  // A category outside the grid admission list cannot go to a grid worker: said in plain words.
  const g = (await api(srv.url, 'GET', '/api/v1/grids?community=130404001008')).json.features[0].geometry.coordinates[0];
  const other = await api(srv.url, 'POST', '/api/v1/cases', { category_code: '0301', description: '楼顶违法搭建',
    lng: (g[0][0] + g[2][0]) / 2, lat: (g[0][1] + g[2][1]) / 2 });
  assert.equal(other.status, 201);
  const otherRow = desk.getByTestId('console-queue').locator('tbody tr', { hasText: '楼顶违法搭建' });
  await otherRow.click();
  await detail.getByTestId('act-accept').click();
  await detail.getByTestId('detail-state').getByText('已立案').waitFor();
  await detail.getByTestId('dispatch-to').click();
  await desk.getByRole('option', { name: /网格员/ }).first().click();
  await detail.getByTestId('act-dispatch').click();
  await desk.getByTestId('act-error').getByText(/网格准入清单/).waitFor();
  assert.match(await desk.getByTestId('act-error').innerText(), /违法搭建/);
  await detail.getByTestId('detail-state').getByText('已立案').waitFor();  // nothing changed

  // The same problem reported again next door: the console offers the first as a duplicate, with
  // the distance; merged, it leaves the queue (its reporter follows the first).
  const again = await api(srv.url, 'POST', '/api/v1/cases', { category_code: '0301', description: '又有人在楼顶搭建',
    lng: (g[0][0] + g[2][0]) / 2 + 0.0002, lat: (g[0][1] + g[2][1]) / 2 });
  assert.equal(again.status, 201);
  const againRow = desk.getByTestId('console-queue').locator('tbody tr', { hasText: '又有人在楼顶搭建' });
  await againRow.click();
  const dups = detail.getByTestId('detail-duplicates');
  await dups.getByText(/楼顶违法搭建/).waitFor();
  assert.match(await dups.innerText(), /\d+ 米/);
  await dups.getByRole('button', { name: /合并到/ }).click();
  await detail.getByTestId('detail-state').getByText('已合并').waitFor();
  await againRow.waitFor({ state: 'detached', timeout: 5000 });

  // Back on the phone: progress by tracking code, then the rating; the case closes.
  await phone.getByRole('link', { name: '查看进度' }).click();
  await phone.getByTestId('track-state').getByText('已核查').waitFor();
  assert.deepEqual(await axeViolations(phone), [], 'axe on the tracking screen');
  await phone.getByText('基本满意').click();
  await phone.getByTestId('rate-submit').click();
  await phone.getByTestId('track-state').getByText('已结案').waitFor();
  await shot(phone, 'track');
  // Closed cases leave the console's queue.
  await row.waitFor({ state: 'detached', timeout: 5000 });

  // The leader's figures followed by themselves: one rated, satisfied; its drill-down is that case.
  await satisfaction.getByText('1 / 1').waitFor({ timeout: 5000 });
  await boss.getByTestId('fig-response').getByText('1 / 1').waitFor();  // one dispatch, claimed in time
  await satisfaction.click();
  await boss.getByTestId('dash-drill').locator('tbody tr').first().waitFor();
  assert.match(await boss.getByTestId('dash-drill').innerText(), new RegExp(`\\b${id}\\b`));
  assert.match(await boss.getByTestId('dash-ranking').innerText(), /胜利桥街道/);
  assert.deepEqual(await axeViolations(boss), [], 'axe on the dashboard');
  await shot(boss, 'dashboard');
  await boss.getByTestId('lang-switch').click();
  await boss.getByText('Satisfaction rate').waitFor();
  await boss.getByTestId('lang-switch').click();

  assert.deepEqual(deskErrors, []);
  assert.deepEqual(phoneErrors, []);
  assert.deepEqual(unitErrors, []);
  assert.deepEqual(bossErrors, []);
  for (const p of [desk, phone, unitPage, policePage, boss]) await p.close();
});
