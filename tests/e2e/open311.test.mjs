// End-to-end: Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) in JSON and XML, as
// another system would use it: discovery, services, POST a request (form-encoded, api_key), follow
// it by id and token, see its status and updates, errors as the specification writes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act, api, startServer, tempDir } from './helpers.mjs';

const KEY = 'demo-open311-key';  // the demo's key (printed by `gongzhi serve --demo`)

// The fields of a service request in GET requests, in the specification's order.
const REQUEST_FIELDS = ['service_request_id', 'status', 'status_notes', 'service_name', 'service_code', 'description',
  'agency_responsible', 'service_notice', 'requested_datetime', 'updated_datetime', 'expected_datetime', 'address',
  'address_id', 'zipcode', 'lat', 'long', 'media_url'];
const W3C = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/;

async function get(url, path) {
  const res = await fetch(url + '/open311/v2/' + path);
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), text, json: path.includes('.json') ? JSON.parse(text) : null };
}

async function post(url, format, fields) {
  const res = await fetch(`${url}/open311/v2/requests.${format}`, { method: 'POST', body: new URLSearchParams(fields) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), text, json: format === 'json' ? JSON.parse(text) : null };
}

function xmlValues(xml, tag) {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]);
}


test('Open311 GeoReport v2: discovery, services, requests, tokens, updates, errors', async () => {
  const tmp = tempDir();
  const srv = await startServer({ db: tmp.db });
  const { url } = srv;
  try {
    // Discovery, both formats.
    let r = await get(url, 'discovery.json');
    assert.equal(r.status, 200);
    assert.match(r.type, /^application\/json/);
    assert.equal(r.json.endpoints[0].specification, 'http://wiki.open311.org/GeoReport_v2');
    assert.deepEqual(r.json.endpoints[0].formats, ['application/json', 'text/xml']);
    r = await get(url, 'discovery.xml');
    assert.match(r.type, /^text\/xml/);
    assert.match(r.text, /^<\?xml version="1.0" encoding="utf-8"\?><discovery>.*<endpoints><endpoint><specification>/);

    // Services: our categories, with the specification's fields.
    const services = (await get(url, 'services.json')).json;
    const garbage = services.find((s) => s.service_code === '0101');
    assert.deepEqual(Object.keys(garbage), ['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group']);
    assert.equal(garbage.service_name, '暴露垃圾');
    assert.equal(garbage.group, '市容环境');
    assert.equal(garbage.metadata, false);
    assert.equal(garbage.type, 'realtime');
    const xml = await get(url, 'services.xml');
    assert.equal(xmlValues(xml.text, 'service_code').length, services.length);
    assert.match(xml.text, /^<\?xml[^>]*\?><services><service><service_code>/);
    // At a point: only what a responsibility rule routes there; outside every grid: nothing.
    const g = (await api(url, 'GET', '/api/v1/grids?community=130404001008')).json.features[0];
    const ring = g.geometry.coordinates[0];
    const lng = (ring[0][0] + ring[2][0]) / 2, lat = (ring[0][1] + ring[2][1]) / 2;
    const here = (await get(url, `services.json?lat=${lat}&long=${lng}`)).json;
    assert.ok(here.length > 0 && here.length < services.length, `${here.length} of ${services.length}`);
    assert.ok(here.some((s) => s.service_code === '0101'));
    assert.deepEqual((await get(url, 'services.json?lat=10&long=10')).json, []);
    r = await get(url, 'services/0101.json');
    assert.deepEqual(r.json, { service_code: '0101', attributes: [] });
    r = await get(url, 'services/0101.xml');
    assert.match(r.text, /<service_definition><service_code>0101<\/service_code><attributes><\/attributes><\/service_definition>/);

    // POST a request, form-encoded, in Chinese, with the reporter's contact.
    r = await post(url, 'json', { api_key: KEY, service_code: '0101', lat, long: lng, description: '小区门口垃圾堆积',
      first_name: '芳', last_name: '王', phone: '13912345678', email: 'wf@example.cn' });
    assert.equal(r.status, 200, r.text);
    const [created] = r.json;
    assert.match(created.service_request_id, /^\d+$/);
    assert.match(created.token, /^[0-9A-Z]{12}$/);
    const id = created.service_request_id;
    // XML, and by address only (the township's name in it).
    r = await post(url, 'xml', { api_key: KEY, service_code: '0101', address_string: '邯郸市复兴区胜利桥街道滏东北大街',
      description: '井边垃圾' });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /<service_requests><request><service_request_id>\d+<\/service_request_id><token>/);
    const byAddress = xmlValues(r.text, 'service_request_id')[0];

    // GET it back: the specification's fields, open, no personal data anywhere.
    r = await get(url, `requests/${id}.json`);
    assert.equal(r.status, 200);
    let [req] = r.json;
    assert.deepEqual(Object.keys(req), REQUEST_FIELDS);
    assert.equal(req.status, 'open');
    assert.equal(req.service_code, '0101');
    assert.equal(req.description, '小区门口垃圾堆积');
    assert.match(req.requested_datetime, W3C);
    assert.equal(req.address_id, '130404001008');
    assert.ok(Math.abs(req.lat - lat) < 1e-9 && Math.abs(req.long - lng) < 1e-9);
    assert.ok(!/1391234|王芳|wf@example/.test(r.text), 'no reporter data in GET');
    assert.ok(!r.text.includes(created.token), 'the token is the reporter\'s');
    const addrReq = (await get(url, `requests/${byAddress}.json`)).json[0];
    assert.equal(addrReq.address_id, '130404001');
    assert.equal(addrReq.address, '胜利桥街道');
    assert.deepEqual((await get(url, `tokens/${created.token}.json`)).json, [{ service_request_id: id, token: created.token }]);
    assert.match((await get(url, `tokens/${created.token}.xml`)).text, /<service_requests><request><service_request_id>/);

    // Handled inside the platform: the agency and the deadline appear, then closed.
    await act(url, id, 'accept');
    const d = await act(url, id, 'dispatch');
    req = (await get(url, `requests/${id}.json`)).json[0];
    assert.equal(req.agency_responsible, '复兴区城市管理综合行政执法局');
    assert.match(req.expected_datetime, W3C);
    assert.equal(req.status_notes, '已派遣，等待签收');
    const unit = { 'X-Gongzhi-Actor': `unit:${d.unit_id}` };
    await act(url, id, 'claim', {}, unit);
    await act(url, id, 'resolve', { note: '已清运' }, unit);
    await act(url, id, 'verify');
    assert.equal((await api(url, 'POST', `/api/v1/track/${created.token}/rate`, { solved: true, satisfaction: 'satisfied' })).status, 200);
    req = (await get(url, `requests/${id}.xml`)).text;
    assert.deepEqual(xmlValues(req, 'status'), ['closed']);

    // Lists and their filters.
    let list = (await get(url, 'requests.json')).json;
    assert.deepEqual(list.map((x) => x.service_request_id).sort(), [id, byAddress].sort());
    assert.deepEqual((await get(url, 'requests.json?status=closed')).json.map((x) => x.service_request_id), [id]);
    assert.deepEqual((await get(url, 'requests.json?status=open')).json.map((x) => x.service_request_id), [byAddress]);
    assert.equal((await get(url, 'requests.json?service_code=0102')).json.length, 0);
    assert.equal((await get(url, `requests.json?service_request_id=${id},${byAddress}`)).json.length, 2);
    assert.equal((await get(url, 'requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z')).json.length, 0);
    const xmlList = (await get(url, 'requests.xml?status=open,closed')).text;
    assert.equal(xmlValues(xmlList, 'service_request_id').length, 2);

    // Updates: each change of state, with the status it left the request in.
    const ups = (await get(url, 'servicerequestupdates.json')).json.filter((u) => u.service_request_id === id);
    assert.ok(ups.length >= 5, JSON.stringify(ups));
    assert.deepEqual(Object.keys(ups[0]), ['update_id', 'service_request_id', 'status', 'updated_datetime', 'description', 'media_url']);
    assert.equal(ups.at(-1).status, 'closed');
    assert.match(ups.at(-1).updated_datetime, W3C);

    // Errors exactly as the specification has them, nothing written by a refused POST.
    const errs = [
      [{ api_key: 'wrong', service_code: '0101', lat, long: lng, description: 'x' }, 403],
      [{ service_code: '0101', lat, long: lng, description: 'x' }, 403],
      [{ api_key: KEY, service_code: 'ZZ', lat, long: lng, description: 'x' }, 404],
      [{ api_key: KEY, lat, long: lng, description: 'x' }, 400],
      [{ api_key: KEY, service_code: '0101', lat, description: 'x' }, 400],
      [{ api_key: KEY, service_code: '0101', lat: 'north', long: lng, description: 'x' }, 400],
      [{ api_key: KEY, service_code: '0101', description: 'x' }, 400],
      [{ api_key: KEY, service_code: '0101', address_string: '火星基地', description: 'x' }, 400],
      [{ api_key: KEY, service_code: '0101', lat, long: lng, description: '' }, 400],
    ];
    for (const [fields, code] of errs) {
      for (const format of ['json', 'xml']) {
        const e = await post(url, format, fields);
        assert.equal(e.status, code, `${JSON.stringify(fields)} ${e.text}`);
        if (format === 'json') {
          assert.equal(e.json[0].code, code);
          assert.ok(e.json[0].description.length > 0);
        } else {
          assert.match(e.text, new RegExp(`<errors><error><code>${code}</code><description>[^<]+</description></error></errors>`));
        }
      }
    }
    assert.equal((await get(url, 'requests.json')).json.length, 2, 'refused POSTs wrote nothing');
    for (const [path, code] of [['requests/999999.json', 404], ['requests/abc.json', 404], ['services/ZZ.xml', 404],
      ['tokens/NOPE.json', 404], ['requests.json?status=pending', 400], ['requests.json?start_date=yesterday', 400],
      ['requests.json?start_date=2026-01-01&end_date=2026-06-01', 400], ['services.json?lat=1', 400], ['nothing.json', 404],
      ['requests.csv', 404]]) {
      const e = await get(url, path);
      assert.equal(e.status, code, `${path}: ${e.text}`);
    }
  } finally {
    await srv.stop();
    tmp.cleanup();
  }
});
