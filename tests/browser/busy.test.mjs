// Browser: a busy township. With 5,000 open cases the console loads them all (page by page from the
// API, 20 a page on screen), a new report still arrives live at the top, and the last page opens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api } from '../e2e/helpers.mjs';
import { signedInPage, useBrowser, watchErrors } from './support.mjs';

const ctx = useBrowser({ trustActor: false });
const OPEN = 5000;

test('the console with 5,000 open cases', async (t) => {
  if (!ctx.browser) return t.skip('no Chromium');
  const { url } = ctx.srv;
  const grids = (await api(url, 'GET', '/api/v1/grids?community=130404001008')).json.features;
  const centre = (g) => { const r = g.geometry.coordinates[0]; return { lng: (r[0][0] + r[2][0]) / 2, lat: (r[0][1] + r[2][1]) / 2 }; };
  let n = 0;
  const seed = async () => {
    while (n < OPEN) {
      const i = n++;
      const r = await api(url, 'POST', '/api/v1/cases', { description: `积压案件 ${i}`, ...centre(grids[i % grids.length]) });
      assert.equal(r.status, 201, r.text);
    }
  };
  await Promise.all(Array.from({ length: 32 }, seed));

  const desk = await signedInPage(ctx.browser, url, 'slq.dispatch', { width: 1920, height: 1080 });
  const errors = watchErrors(desk);
  await desk.getByTestId('console-live').getByText('实时').waitFor();
  await desk.getByText(`共 ${OPEN} 条`).waitFor({ timeout: 30000 });
  // Live on top of thousands.
  const r = await api(url, 'POST', '/api/v1/cases', { description: '第五千零一件', ...centre(grids[0]) });
  assert.equal(r.status, 201);
  await desk.getByTestId('console-queue').locator('tbody tr', { hasText: '第五千零一件' }).waitFor({ timeout: 5000 });
  await desk.getByText(`共 ${OPEN + 1} 条`).waitFor();
  // The last page: the oldest case, which opens.
  await desk.locator('.el-pager li').last().click();
  const oldest = desk.getByTestId('console-queue').locator('tbody tr', { hasText: /积压案件 \d+$/ }).last();
  await oldest.click();
  await desk.getByTestId('console-detail').getByTestId('detail-state').getByText('待受理').waitFor();
  assert.match(await desk.getByTestId('console-detail').innerText(), /积压案件 \d+/);
  assert.deepEqual(errors, []);
});
