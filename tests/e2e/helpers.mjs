// Helpers for end-to-end tests: start the real gongzhi binary on port 0 with a temporary
// database, talk to it over HTTP, stop it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after } from 'node:test';

export const BIN = process.env.GONGZHI_BIN;
if (!BIN) throw new Error('GONGZHI_BIN must point at the gongzhi binary');
export const ROOT = new URL('../..', import.meta.url).pathname;

export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'gz-e2e-'));
  return { dir, db: join(dir, 'gongzhi.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// Nodes on one PostgreSQL share the key that seals residents' contacts: the tests keep it in one
// file (a node with another key is refused by the database).
export const PG_KEY = join(tmpdir(), 'gongzhi-e2e-pg.key');

// Runs a gongzhi subcommand to completion (with --pg: with the tests' shared contact key).
export function cli(args, opts = {}) {
  if (args.includes('--pg') && !args.includes('--key-file')) args = [...args, '--key-file', PG_KEY];
  const r = spawnSync(BIN, args, { encoding: 'utf8', ...opts });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Servers still running when a test file's tests are over (a test that failed before it stopped
// its server): killed then, or they would hold the test process open until ctest's timeout.
const running = new Set();
after(() => {
  for (const proc of running) proc.kill('SIGKILL');
});

// Starts `gongzhi serve` and resolves once it printed "listening on URL".
// `trustActor`: believe X-Gongzhi-Actor without a session (most tests act through it; the
// sign-in tests turn it off to see the server as it runs for real).
// `intakeLimit`: keep the production limit on reports per address (most tests report from one
// address faster than a person would, so it is off unless a test asks for it).
export async function startServer({ db, pg, demo = true, extra = [], files, trustActor = true, intakeLimit = false } = {}) {
  const ownFiles = files ? null : mkdtempSync(join(tmpdir(), 'gz-files-'));
  files ??= join(ownFiles, 'files');
  const args = ['serve', '--listen', '127.0.0.1:0', ...(pg ? ['--pg', pg, '--key-file', PG_KEY] : ['--db', db]), ...(demo ? ['--demo'] : []),
    '--files', files, ...(trustActor ? ['--trust-actor-header'] : []), ...(intakeLimit ? [] : ['--intake-per-minute', '0']),
    ...extra];
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const lines = createInterface({ input: proc.stdout });
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start: ' + stderr)), 60000);
    lines.once('line', (l) => { clearTimeout(timer); resolve(l); });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${stderr}`)); });
  });
  const m = /^listening on (http:\/\/\S+)$/.exec(first);
  if (!m) throw new Error('unexpected first line: ' + first);
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => {
    if (ownFiles) rmSync(ownFiles, { recursive: true, force: true });
    resolve({ code, signal });
  }));
  return {
    url: m[1],
    proc,
    stderr: () => stderr,
    exited,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

export async function api(base, method, path, body, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: res.status, json, text, headers: res.headers };
}

// Takes a case action as `headers`' actor with the version the case has now; asserts it was taken.
export async function act(url, id, action, body = {}, headers = { 'X-Gongzhi-Actor': 'dispatcher:130404001' }) {
  const cur = (await api(url, 'GET', `/api/v1/cases/${id}`, undefined, { 'X-Gongzhi-Actor': 'system' })).json;
  const r = await api(url, 'POST', `/api/v1/cases/${id}/${action}`, { version: cur.version, ...body }, headers);
  if (r.status !== 200) throw new Error(`${action}: ${r.status} ${r.text}`);
  return r.json;
}
