// Browser test: Debian's headless Chromium driven by playwright-core against the real binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, useBrowser, watchErrors } from './support.mjs';

const ctx = useBrowser();

test('regions and grids: tree, map, click to locate, language switch', async (t) => {
  const { browser, srv } = ctx;
  if (!browser) return t.skip('no Chromium');
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors = watchErrors(page);
  await page.goto(srv.url + '/');
  const selected = page.getByTestId('selected-region');
  await selected.getByText('复兴区').waitFor();
  assert.match(await selected.innerText(), /网格 460 个/);
  assert.match(await page.getByTestId('synthetic-note').innerText(), /合成/);
  assert.ok(await page.locator('.leaflet-overlay-pane path').count() >= 460);

  // Down the tree to one township: its grids only.
  await page.getByTestId('region-tree').getByText('胜利桥街道', { exact: true }).click();
  await selected.getByText('胜利桥街道').waitFor();
  const n = await page.locator('.leaflet-overlay-pane path').count();
  assert.ok(n > 0 && n < 460, `paths drawn: ${n}`);
  assert.match(await selected.innerText(), new RegExp(`网格 ${n} 个`));

  // Click a grid on the map: the location panel names its township.
  await page.locator('.leaflet-overlay-pane path').nth(1).click();
  await page.getByTestId('locate-township').getByText('胜利桥街道').waitFor();
  assert.match(await page.getByTestId('locate-result').innerText(), /复兴区/);

  // Units and grid workers of the region are listed.
  assert.match(await page.getByTestId('units').innerText(), /胜利桥派出所/);

  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], 'axe: serious or critical accessibility violations');

  await page.getByTestId('lang-switch').click();
  await page.getByText('Grid map', { exact: false }).first().waitFor();
  assert.match(await page.getByTestId('locate-result').innerText(), /Township\/street/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('works at phone width', async (t) => {
  const { browser, srv } = ctx;
  if (!browser) return t.skip('no Chromium');
  const page = await browser.newPage({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  await page.goto(srv.url + '/');
  await page.getByTestId('selected-region').getByText('复兴区').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
  await page.close();
});
