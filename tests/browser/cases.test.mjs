// Browser test of the case engine's screens (Debian's headless Chromium, playwright-core, the real
// binary): a resident reports at a map point on a phone → the case appears live in the township
// console → the dispatcher accepts and dispatches it to the suggested unit → the unit handles it
// (API) → the dispatcher verifies → the resident rates it by tracking code. Each screen axe-clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act, api } from '../e2e/helpers.mjs';
import { axeViolations, useBrowser, watchErrors } from './support.mjs';

const ctx = useBrowser();

test('a report travels live from a resident\'s phone to the township console and back to the resident', async (t) => {
  const { browser, srv } = ctx;
  if (!browser) return t.skip('no Chromium');
  // The township dispatcher's console is open first (胜利桥街道, desktop).
  const desk = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const deskErrors = watchErrors(desk);
  await desk.goto(srv.url + '/#/console?township=130404001');
  await desk.getByTestId('console-live').getByText('实时').waitFor();
  const before = await desk.getByTestId('console-queue').locator('tbody tr').count();

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
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the report screen is ${overflow}px wider than the phone`);
  await phone.getByTestId('report-submit').click();
  const code = (await phone.getByTestId('tracking-code').innerText()).trim();
  assert.match(code, /^[0-9A-Z]{12}$/);

  // The console shows it without a reload.
  const row = desk.getByTestId('console-queue').locator('tbody tr', { hasText: '楼道口垃圾堆了两天没人清运' });
  await row.waitFor({ timeout: 5000 });
  assert.equal(await desk.getByTestId('console-queue').locator('tbody tr').count(), before + 1);
  await row.click();
  const detail = desk.getByTestId('console-detail');
  await detail.getByTestId('detail-suggested').getByText('复兴区城市管理综合行政执法局').waitFor();
  assert.match(await detail.innerText(), /权责清单/);
  await detail.getByTestId('act-accept').click();
  await detail.getByTestId('detail-state').getByText('已立案').waitFor();
  await detail.getByTestId('act-dispatch').click();
  await detail.getByTestId('detail-state').getByText('已派遣').waitFor();
  assert.deepEqual(await axeViolations(desk), [], 'axe on the console');

  // The unit handles it (its screens come later); the console follows live.
  const id = Number((await detail.innerText()).match(/#(\d+)/)[1]);
  const view = (await api(srv.url, 'GET', `/api/v1/cases/${id}`, undefined, { 'X-Gongzhi-Actor': 'system' })).json;
  const unit = { 'X-Gongzhi-Actor': `unit:${view.unit_id}` };
  await act(srv.url, id, 'claim', {}, unit);
  await act(srv.url, id, 'resolve', { note: '已清运' }, unit);
  await detail.getByTestId('detail-state').getByText('已办结').waitFor({ timeout: 5000 });
  await detail.getByTestId('act-verify').click();
  await detail.getByTestId('detail-state').getByText('已核查').waitFor();

  // Back on the phone: progress by tracking code, then the rating; the case closes.
  await phone.getByRole('link', { name: '查看进度' }).click();
  await phone.getByTestId('track-state').getByText('已核查').waitFor();
  assert.deepEqual(await axeViolations(phone), [], 'axe on the tracking screen');
  await phone.getByText('基本满意').click();
  await phone.getByTestId('rate-submit').click();
  await phone.getByTestId('track-state').getByText('已结案').waitFor();
  // Closed cases leave the console's queue.
  await row.waitFor({ state: 'detached', timeout: 5000 });
  assert.deepEqual(deskErrors, []);
  assert.deepEqual(phoneErrors, []);
  await desk.close();
  await phone.close();
});
