// End-to-end hardening (issue #6): the public intake limit per address (429 + Retry-After), and a
// corpus of hostile inputs — injection strings in structured fields, oversize bodies, broken UTF-8,
// deep JSON, wrong types, path traversal, forged tokens — each answered 4xx, none 5xx, and the
// database unchanged afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { api, startServer, tempDir } from './helpers.mjs';

const ADMIN = { 'X-Gongzhi-Actor': 'system' };
const TOWNSHIP = { 'X-Gongzhi-Actor': 'dispatcher:130404001' };

async function pointIn(url, community) {
  const g = (await api(url, 'GET', `/api/v1/grids?community=${community}`)).json.features[0].geometry.coordinates[0];
  return { lng: (g[0][0] + g[2][0]) / 2, lat: (g[0][1] + g[2][1]) / 2 };
}

test('public intake is limited per address; accounts and other addresses are not held up', async () => {
  const tmp = tempDir();
  const srv = await startServer({
    db: tmp.db, trustActor: false, intakeLimit: true,
    extra: ['--intake-per-minute', '2', '--intake-burst', '3', '--trusted-proxy', '127.0.0.1'],
  });
  try {
    const { url } = srv;
    const body = { category_code: '0101', description: '垃圾', ...await pointIn(url, '130404001008') };
    for (let i = 0; i < 3; i++) assert.equal((await api(url, 'POST', '/api/v1/cases', body)).status, 201, `report ${i}`);
    const limited = await api(url, 'POST', '/api/v1/cases', body);
    assert.equal(limited.status, 429);
    assert.equal(limited.json.error.code, 'too_many_requests');
    const wait = Number(limited.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 30, `Retry-After ${wait}`);
    assert.match(limited.json.error.message, /try again in \d+ seconds/);
    // Uploads and ratings by tracking code count too; a made-up cookie is not an account.
    assert.equal((await api(url, 'POST', '/api/v1/track/ABCDEFGHJKLM/rate', {})).status, 429);
    assert.equal((await api(url, 'POST', '/api/v1/cases', body, { cookie: 'gz_session=gzs_' + 'a'.repeat(64) })).status, 429);
    // Behind the trusted proxy, the client is the address it names.
    assert.equal((await api(url, 'POST', '/api/v1/cases', body, { 'X-Forwarded-For': '203.0.113.7' })).status, 201);
    assert.equal((await api(url, 'POST', '/api/v1/cases', body, { 'X-Forwarded-For': '2001:db8:1:2::1' })).status, 201);
    // A hotline operator or dispatcher with an account reports on behalf of callers without limit.
    const res = await fetch(url + '/api/v1/session', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'slq.dispatch', password: 'gongzhi-demo-2026' }),
    });
    const cookie = res.headers.get('set-cookie').split(';')[0];
    const csrf = { 'X-CSRF-Token': (await res.json()).csrf_token };
    for (let i = 0; i < 5; i++) assert.equal((await api(url, 'POST', '/api/v1/cases', body, { cookie, ...csrf })).status, 201);
    // Refused reports were not written: 3 + 2 + 5.
    assert.equal((await api(url, 'GET', '/api/v1/cases?limit=500', undefined, { cookie })).json.items.length, 10);
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});

// Sends raw bytes (for what fetch will not send: broken request lines, huge headers).
function raw(url, text) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(port), hostname, () => s.end(text));
    let out = '';
    s.on('data', (d) => { out += d; });
    s.on('error', () => resolve(out));
    s.on('close', () => resolve(out));
  });
}

function hostileCorpus(grid, code) {
  const cases = [];  // [name, method, path, body, headers]
  const injections = [
    "' OR '1'='1", "1; DROP TABLE cases; --", "\" OR \"\"=\"", "0101' --", "*/ SELECT * FROM accounts /*",
    "1 UNION SELECT password_hash FROM accounts", "%27%20OR%201%3D1", "${7*7}", "{{7*7}}", "<script>alert(1)</script>",
    '../../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', 'a\u0000b', '\u202e0101', 'x'.repeat(5000), '０１０１', '-1', '1e99',
    "'; SELECT pg_sleep(10); --", 'NULL',
  ];
  // Structured fields of intake: each injection string is refused there.
  for (const s of injections) {
    cases.push([`intake category_code ${s.slice(0, 20)}`, 'POST', '/api/v1/cases', { category_code: s, description: 'x', ...grid }]);
    cases.push([`intake region_code ${s.slice(0, 20)}`, 'POST', '/api/v1/cases', { description: 'x', region_code: s }]);
    cases.push([`intake channel ${s.slice(0, 20)}`, 'POST', '/api/v1/cases', { description: 'x', channel: s, ...grid }]);
    cases.push([`query region ${s.slice(0, 20)}`, 'GET', `/api/v1/cases?region=${encodeURIComponent(s)}`]);
    cases.push([`query state ${s.slice(0, 20)}`, 'GET', `/api/v1/cases?state=${encodeURIComponent(s)}`]);
    cases.push([`dashboard by ${s.slice(0, 20)}`, 'GET', `/api/v1/dashboard/counts?by=${encodeURIComponent(s)}`]);
    cases.push([`case id ${s.slice(0, 20)}`, 'GET', `/api/v1/cases/${encodeURIComponent(s)}`]);
    cases.push([`unit region ${s.slice(0, 20)}`, 'POST', '/api/v1/units', { kind: 'department', name: 'x', region_code: s }]);
    cases.push([`login ${s.slice(0, 20)}`, 'POST', '/api/v1/session', { login: s, password: 'whatever-long-enough' }]);
  }
  // Wrong types, field by field.
  // (null stands for "not given" throughout the API, and an empty reporter is no reporter: not hostile.)
  const wrong = [1, -1, 1.5, true, [], ['x'], { a: 1 }];
  for (const v of wrong) {
    if (typeof v !== 'string') cases.push([`description ${JSON.stringify(v)}`, 'POST', '/api/v1/cases', { description: v, ...grid }]);
    if (typeof v !== 'number') cases.push([`lng ${JSON.stringify(v)}`, 'POST', '/api/v1/cases', { description: 'x', lng: v, lat: grid.lat }]);
    if (!(typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0))
      cases.push([`reporter ${JSON.stringify(v)}`, 'POST', '/api/v1/cases', { description: 'x', reporter: v, ...grid }]);
    cases.push([`version ${JSON.stringify(v)}`, 'POST', '/api/v1/cases/1/accept', { version: v }]);
    cases.push([`capacity ${JSON.stringify(v)}`, 'POST', '/api/v1/grid-workers', { name: 'x', capacity: typeof v === 'number' && v > 0 && v < 1000 && Number.isInteger(v) ? 'x' : v }]);
  }
  for (const [k, v] of [['lng', 1e309], ['lng', 200], ['lat', -91], ['lng', '114.4'], ['lat', 'NaN']])
    cases.push([`${k} ${v}`, 'POST', '/api/v1/cases', { description: 'x', ...grid, [k]: v }]);
  // Bodies that are not the JSON object asked for.
  for (const b of ['', '{', '[]', '"x"', '1', 'null', '{"description":"x",}', "{'description':'x'}", '{"description":"x"}{"a":1}',
    '\ufeff{"description":"x"}', '{"description":"x","description":"y"}'])
    cases.push([`body ${b.slice(0, 20)}`, 'POST', '/api/v1/cases', b]);
  cases.push(['unknown field', 'POST', '/api/v1/cases', { description: 'x', ...grid, is_admin: true }]);
  cases.push(['description too long', 'POST', '/api/v1/cases', { description: '字'.repeat(4001), ...grid }]);
  // Deep JSON.
  for (const depth of [40, 100, 1000, 20000]) {
    cases.push([`deep array ${depth}`, 'POST', '/api/v1/cases', '['.repeat(depth) + ']'.repeat(depth)]);
    cases.push([`deep object ${depth}`, 'POST', '/api/v1/cases', '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)]);
    cases.push([`deep in field ${depth}`, 'POST', '/api/v1/units', `{"kind":"department","name":${'['.repeat(depth)}${']'.repeat(depth)}}`]);
  }
  // Broken UTF-8 inside JSON strings and CSV imports.
  for (const bytes of [[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]]) {
    const bad = Buffer.concat([Buffer.from('{"description":"'), Buffer.from(bytes), Buffer.from(`","lng":${grid.lng},"lat":${grid.lat}}`)]);
    cases.push([`utf8 ${bytes}`, 'POST', '/api/v1/cases', bad]);
    cases.push([`utf8 unit ${bytes}`, 'POST', '/api/v1/units', Buffer.concat([Buffer.from('{"kind":"department","name":"'), Buffer.from(bytes), Buffer.from('","region_code":"130404"}')])]);
    cases.push([`utf8 csv ${bytes}`, 'POST', '/api/v1/cases/import', Buffer.concat([Buffer.from('state,description\nclosed,'), Buffer.from(bytes), Buffer.from('\n')]), { 'content-type': 'text/csv' }]);
  }
  // Oversize bodies.
  cases.push(['2 MiB intake', 'POST', '/api/v1/cases', JSON.stringify({ description: 'x'.repeat(2 << 20), ...grid })]);
  cases.push(['2 MiB import', 'POST', '/api/v1/grids/import', 'x'.repeat(2 << 20)]);
  cases.push(['6 MiB photo', 'POST', `/api/v1/track/${code}/photos`, Buffer.alloc(6 << 20, 0x89), { 'content-type': 'image/png' }]);
  // Path traversal and odd names.
  for (const p of ['/api/v1/photos/..%2F..%2Fetc%2Fpasswd', '/api/v1/photos/../../etc/passwd', '/api/v1/photos/%00',
    '/api/v1/photos/' + 'a'.repeat(64), '/api/v1/grids/..%2F130404001008001', '/api/v1/track/..%2F..%2Fcases',
    '/api/v1/regions/%2e%2e', '/open311/v2/requests/..%2F1.json', '/open311/v2/services.exe', '/api/v1/cases/1/..%2F..%2Fsession',
    '/api/v1/track/' + code + '%00/rate'])
    cases.push([`path ${p}`, p.includes('rate') ? 'POST' : 'GET', p]);
  cases.push(['photo named ../', 'POST', `/api/v1/track/${code}/photos`, 'GIF89a', { 'content-type': 'image/gif; name=../../x' }]);
  cases.push(['svg as png', 'POST', `/api/v1/track/${code}/photos`, '<svg onload="alert(1)"/>', { 'content-type': 'image/png' }]);
  // Forged credentials.
  for (const auth of ['Bearer gzt_' + '0'.repeat(64), 'Bearer gzs_' + 'f'.repeat(64), 'Bearer ', 'Bearer x', 'Basic YWRtaW46YWRtaW4=',
    'Bearer ' + 'gzt_' + 'z'.repeat(64), 'Bearer gzt_' + '0'.repeat(10000).slice(0, 200)])
    cases.push([`auth ${auth.slice(0, 24)}`, 'GET', '/api/v1/cases', undefined, { authorization: auth }]);
  for (const cookie of ['gz_session=gzs_' + '0'.repeat(64), 'gz_session=', 'gz_session=../../etc', 'gz_session=' + 'x'.repeat(3000)])
    cases.push([`cookie ${cookie.slice(0, 24)}`, 'GET', '/api/v1/session', undefined, { cookie }]);
  cases.push(['forged actor header, signed out', 'GET', '/api/v1/cases', undefined, { 'X-Gongzhi-Actor': 'root' }]);
  cases.push(['actor header garbage', 'GET', '/api/v1/cases', undefined, { 'X-Gongzhi-Actor': 'dispatcher:../..' }]);
  cases.push(['tokens without session', 'POST', '/api/v1/tokens', { name: 'x' }, {}]);
  // Open311 forms.
  for (const form of ['', 'api_key=wrong&service_code=0101&lat=36.6&long=114.4&description=x', 'api_key=demo-open311-key',
    'api_key=demo-open311-key&service_code=0101&lat=999&long=114.4&description=x',
    'api_key=demo-open311-key&service_code=%27--&lat=36.6&long=114.4&description=x',
    'api_key=demo-open311-key&service_code=0101&lat=36.6&long=114.4&description=%ff%fe',
    'api_key=demo-open311-key&service_code=0101&lat=36.6&long=114.4&description=x&email=' + 'a'.repeat(5000)])
    cases.push([`open311 ${form.slice(0, 40)}`, 'POST', '/open311/v2/requests.json', form, { 'content-type': 'application/x-www-form-urlencoded' }]);
  for (const q of ['start_date=yesterday', 'status=lost', 'start_date=2020-01-01T00:00:00Z&end_date=2026-01-01T00:00:00Z', 'service_request_id=%27'])
    cases.push([`open311 query ${q}`, 'GET', `/open311/v2/requests.json?${q}`]);
  // Query strings.
  for (const q of ['limit=-1', 'limit=0', 'limit=100000', 'limit=1e3', 'limit=abc', 'cursor=-5', 'cursor=abc', 'from=2026-02-30&to=2026-03-01',
    'from=2026-13-01&to=2026-13-02', 'period=2026-W60', 'period=9999999999', 'category=' + 'x'.repeat(100)])
    cases.push([`query ${q}`, 'GET', q.startsWith('period') || q.startsWith('category') ? `/api/v1/assessment?${q}` : q.startsWith('from') ? `/api/v1/dashboard/counts?${q}` : `/api/v1/cases?${q}`]);
  cases.push(['feed after=-1', 'GET', '/api/v1/feed?after=-1']);
  cases.push(['feed after=abc', 'GET', '/api/v1/feed?after=abc']);
  cases.push(['locate NaN', 'GET', '/api/v1/locate?lng=NaN&lat=36.6']);
  cases.push(['locate inf', 'GET', '/api/v1/locate?lng=Infinity&lat=36.6']);
  cases.push(['locate missing', 'GET', '/api/v1/locate']);
  cases.push(['method PATCH', 'PATCH', '/api/v1/cases']);
  cases.push(['method DELETE on list', 'DELETE', '/api/v1/cases']);
  cases.push(['rate with bad satisfaction', 'POST', `/api/v1/track/${code}/rate`, { solved: 'yes', satisfaction: 'ecstatic' }]);
  cases.push(['contact without reason', 'POST', '/api/v1/cases/1/contact', { reason: '' }]);
  cases.push(['summon units wrong', 'POST', '/api/v1/cases/1/summon', { version: 1, units: ['1; DROP'] }]);
  cases.push(['calendar garbage', 'POST', '/api/v1/calendar/import', 'date,kind\n2026-02-30,holiday\n', { 'content-type': 'text/csv' }]);
  cases.push(['rules garbage', 'POST', '/api/v1/responsibility-rules', { category_code: '0101', region_code: '130404', unit_id: -1 }]);
  cases.push(['admission garbage', 'PUT', '/api/v1/grid-admission', { categories: [1, 2] }]);
  cases.push(['grid geojson garbage', 'POST', '/api/v1/grids/import', { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: "'; --" }, geometry: { type: 'Polygon', coordinates: [[[0, 0]]] } }] }]);
  return cases;
}

test('a corpus of hostile inputs: every one 4xx, none 5xx, database unchanged', async () => {
  const tmp = tempDir();
  const srv = await startServer({ db: tmp.db });
  try {
    const { url } = srv;
    const grid = await pointIn(url, '130404001008');
    const first = await api(url, 'POST', '/api/v1/cases', { category_code: '0101', description: '原有的案件', ...grid, reporter: { name: '王五', phone: '13700001111' } });
    assert.equal(first.status, 201);
    const corpus = hostileCorpus(grid, first.json.tracking_code);
    assert.ok(corpus.length >= 200, `${corpus.length} hostile inputs`);
    const snapshot = async () => Promise.all(['/api/v1/cases/export.csv', '/api/v1/units?under=130404&limit=500',
      '/api/v1/grid-workers?under=130404&limit=500', '/api/v1/categories', '/api/v1/responsibility-rules',
      '/api/v1/grid-admission', '/api/v1/calendar', '/api/v1/grids?under=130404', `/api/v1/track/${first.json.tracking_code}`,
      '/api/v1/feed?after=0&limit=1000',
    ].map(async (p) => (await api(url, 'GET', p, undefined, ADMIN)).text));
    const before = await snapshot();
    const failures = [];
    for (const [name, method, path, body, headers = {}] of corpus) {
      // Structured writes as an administrator, so that validation (not the role check) answers.
      const h = { ...(headers.authorization || headers.cookie || 'X-Gongzhi-Actor' in headers ? {} : ADMIN), ...headers };
      let r;
      try {
        r = await api(url, method, path, body, h);
      } catch (e) {
        failures.push(`${name}: ${e.message}`);
        continue;
      }
      if (r.status < 400 || r.status >= 500) failures.push(`${name}: ${r.status} ${r.text.slice(0, 160)}`);
      else if (r.headers.get('content-type')?.startsWith('application/json') &&
        !(r.json?.error?.message || (path.startsWith('/open311/') && r.json?.[0]?.description)))
        failures.push(`${name}: ${r.status} without an error message`);
    }
    // What fetch cannot send: a broken request line, huge headers, a bad Content-Length.
    for (const [name, text] of [
      ['request line', 'GARBAGE\r\n\r\n'],
      ['huge header', `GET /api/v1/cases HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 << 10)}\r\n\r\n`],
      ['bad length', 'POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n'],
      ['huge length', 'POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n'],
      ['NUL in path', 'GET /api/v1/cases/\0 HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['absolute traversal', 'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n'],
    ]) {
      const out = await raw(url, text);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(out)?.[1] ?? 0);
      if (!(status >= 400 && status < 500) && !(out === '' && name !== 'absolute traversal')) failures.push(`raw ${name}: ${out.slice(0, 80)}`);
      if (out.includes('root:')) failures.push(`raw ${name}: served a system file`);
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(await snapshot(), before, 'the database is as it was');
    assert.equal((await api(url, 'GET', '/healthz')).status, 200, 'still serving');
    assert.ok(!/AddressSanitizer|runtime error/.test(srv.stderr()), srv.stderr().slice(-2000));
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
