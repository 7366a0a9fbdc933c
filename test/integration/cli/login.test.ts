// Headless online login: `kiro-proxy login builder-id|google` against the mock's OIDC and social
// auth endpoints; the account must then be served by a normal start with the same home.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockKiro } from '../../../src/core/kiro-mock/index.ts';

const MAIN = new URL('../../../src/cli/main.ts', import.meta.url).pathname;

function run(args: string[], onLine?: (line: string) => void): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KIRO_MOCK_MODE: '' } });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      for (const l of d.split('\n')) if (l.trim()) onLine?.(l.trim());
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

function tmpHome(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'kp-login-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sso = join(dir, 'sso');
  mkdirSync(sso);
  return { home: join(dir, 'home'), sso };
}

test('login builder-id (device code) stores an account that the next start serves', async (t) => {
  const mock = await startMockKiro({ autoApproveDevicesAfterPolls: 1, deviceIntervalSeconds: 1 });
  t.after(() => mock.close());
  const { home, sso } = tmpHome(t);
  const common = ['--home', home, '--sso-cache', sso, '--kiro-endpoint', mock.url, '--kiro-auth-endpoint', mock.url, '--kiro-oidc-endpoint', mock.url];
  const res = await run(['login', 'builder-id', ...common]);
  assert.equal(res.code, 0, res.err);
  assert.match(res.out, /confirm the code [A-Z0-9-]+/);
  assert.match(res.out, /Logged in: /);
  // secrets file is private and holds the account; config.json holds no token
  assert.equal(statSync(join(home, 'secrets.json')).mode & 0o777, 0o600);
  const meta = readFileSync(join(home, 'config.json'), 'utf8');
  const account = [...mock.accounts][0];
  assert.ok(account);
  assert.ok(!meta.includes(account.refreshToken), 'config.json must not hold the refresh token');

  // A normal start with the same home serves through that account.
  let url = '';
  const server = spawn(process.execPath, [MAIN, '--port', '0', ...common], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => server.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    server.stdout.setEncoding('utf8').on('data', (d: string) => {
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(d);
      if (m) {
        url = m[0];
        resolve();
      }
    });
    server.on('exit', (c) => reject(new Error(`proxy exited ${c}`)));
  });
  const inst = (await (await fetch(`${url}/loadbalancer/instances`)).json()) as { id: string; state: string; authMethod: string }[];
  assert.equal(inst.length, 1, JSON.stringify(inst.map((i) => [i.id, (i as unknown as { label: string }).label, (i as unknown as { source: string }).source])));
  assert.equal(inst[0]!.state, 'active');
  const chat = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-4.5', messages: [{ role: 'user', content: 'hello from a logged-in account' }] }),
  });
  assert.equal(chat.status, 200);
  const body = (await chat.json()) as { choices: { message: { content: string } }[] };
  assert.match(body.choices[0]!.message.content, /hello from a logged-in account/);
});

test('login google (social PKCE with a loopback redirect)', async (t) => {
  const mock = await startMockKiro({});
  t.after(() => mock.close());
  const { home, sso } = tmpHome(t);
  const common = ['--home', home, '--sso-cache', sso, '--kiro-endpoint', mock.url, '--kiro-auth-endpoint', mock.url, '--kiro-oidc-endpoint', mock.url];
  // Play the user's browser: open the printed login URL; the mock consents and redirects to our loopback.
  const res = await run(['login', 'google', ...common], (line) => {
    if (line.startsWith('http')) void fetch(line, { redirect: 'follow' }).then((r) => r.text());
  });
  assert.equal(res.code, 0, res.err);
  assert.match(res.out, /Logged in: Google/);
});

test('login with a bad method is a usage error', async () => {
  const res = await run(['login', 'facebook']);
  assert.equal(res.code, 2);
  assert.match(res.err, /usage: kiro-proxy login/);
});
