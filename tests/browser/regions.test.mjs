// Browser test: Debian's headless Chromium driven by playwright-core against the real binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, tempDir, ROOT } from '../e2e/helpers.mjs';

const require = createRequire(join(ROOT, 'web/package.json'));
const CHROMIUM = process.env.GONGZHI_CHROMIUM ?? '/usr/bin/chromium';

let tmp, srv, browser;
before(async () => {
  if (!existsSync(CHROMIUM)) {
    if (process.env.GONGZHI_REQUIRE_BROWSER) throw new Error(`no Chromium at ${CHROMIUM}`);
    return;
  }
  const { chromium } = require('playwright-core');
  tmp = tempDir();
  srv = await startServer({ db: tmp.db, extra: ['--web', join(ROOT, 'web/dist')] });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],  // playwright gives each launch a fresh profile
  });
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  tmp?.cleanup();
});

async function axeViolations(page) {
  // Evaluated through the DevTools protocol: the page's CSP (no inline scripts) stays in force.
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const result = await page.evaluate(async () => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

test('regions and grids: tree, map, click to locate, language switch', async (t) => {
  if (!browser) return t.skip('no Chromium');
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
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
  if (!browser) return t.skip('no Chromium');
  const page = await browser.newPage({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  await page.goto(srv.url + '/');
  await page.getByTestId('selected-region').getByText('复兴区').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
  await page.close();
});
