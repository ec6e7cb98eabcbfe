// Shared by the browser tests: Debian's headless Chromium (never a downloaded browser) driven by
// playwright-core against the real binary with a temporary database, and the axe-core check.
import { before, after } from 'node:test';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, tempDir, ROOT } from '../e2e/helpers.mjs';

const require = createRequire(join(ROOT, 'web/package.json'));
const CHROMIUM = process.env.GONGZHI_CHROMIUM ?? '/usr/bin/chromium';

// Registers before/after hooks; the returned object's `srv` and `browser` are set once started
// (`browser` stays null when no Chromium is installed and GONGZHI_REQUIRE_BROWSER is not set).
// `trustActor` false: the server believes no X-Gongzhi-Actor header; people sign in. `extra`: more
// `gongzhi serve` arguments.
export function useBrowser({ trustActor = true, extra = [] } = {}) {
  const ctx = { srv: null, browser: null, tmp: null };
  before(async () => {
    if (!existsSync(CHROMIUM)) {
      if (process.env.GONGZHI_REQUIRE_BROWSER) throw new Error(`no Chromium at ${CHROMIUM}`);
      return;
    }
    const { chromium } = require('playwright-core');
    ctx.tmp = tempDir();
    ctx.srv = await startServer({ db: ctx.tmp.db, trustActor, extra: ['--web', join(ROOT, 'web/dist'), ...extra] });
    ctx.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],  // playwright gives each launch a fresh profile
    });
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.srv?.stop();
    ctx.tmp?.cleanup();
  });
  return ctx;
}

// Serious and critical axe-core violations of the page as it is once transitions have ended.
export async function axeViolations(page) {
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {}))));
  await page.waitForTimeout(350);
  // Evaluated through the DevTools protocol: the page's CSP (no inline scripts) stays in force.
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const result = await page.evaluate(async () => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

// Collects page errors and console errors. Refusals (4xx) the screens show to the person are the
// expected outcome of some steps, not errors; anything 5xx is.
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(m.text());
  });
  return errors;
}

// Signs in on the login screen of a fresh page (each page has its own cookies).
export async function signedInPage(browser, url, login, viewport = { width: 1280, height: 900 }) {
  const page = await browser.newPage({ viewport });
  await page.goto(url + '/#/login');
  await page.getByTestId('login-name').fill(login);
  await page.getByTestId('login-password').fill('gongzhi-demo-2026');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('signed-in').waitFor();
  return page;
}
