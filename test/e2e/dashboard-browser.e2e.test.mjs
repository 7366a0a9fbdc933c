// The same dashboard bundle, served by the headless proxy at /dashboard to a plain browser,
// behind the same API key: key prompt, then logs, monitor and account actions over /api/*.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { REPO, E2E_ROOT, CHROMIUM, ARTIFACTS, waitFor } from './lib/harness.mjs';

const KEY = 'kp-e2e-browser-key-0123456789';
let proc;
let base;
let browser;
let page;

before(async () => {
  mkdirSync(join(E2E_ROOT, 'runs'), { recursive: true });
  const home = mkdtempSync(join(E2E_ROOT, 'runs', 'headless-'));
  proc = spawn(process.execPath, [join(REPO, 'dist/cli.js'), '--mock', '--port', '0', '--api-key', KEY, '--home', home], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KIRO_SSO_CACHE: join(home, 'no-sso') },
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  base = await waitFor(() => /listening on (http:\/\/\S+)/.exec(out)?.[1], { what: 'the headless proxy', timeout: 20_000 });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
});

after(async () => {
  await browser?.close();
  proc?.kill('SIGTERM');
});

test('/dashboard asks for the API key, then shows requests made through the proxy', async () => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && /Content Security Policy/i.test(m.text()) && errors.push(m.text()));
  await page.goto(`${base}/dashboard`);
  const key = page.locator('#api-key');
  await key.waitFor({ timeout: 15_000 });
  const unauth = await fetch(`${base}/api/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(unauth.status, 401, 'the admin API needs the key');
  await unauth.body?.cancel();
  await key.fill(KEY);
  await page.keyboard.press('Enter');
  await page.locator('#service-state', { hasText: 'Running' }).waitFor({ timeout: 15_000 });

  const res = await fetch(`${base}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'claude-sonnet-4.5', max_tokens: 64, messages: [{ role: 'user', content: 'hi from the browser test' }] }),
  });
  assert.equal(res.status, 200);
  await res.body?.cancel();
  const row = page.locator('table.logs tbody tr.row', { hasText: '/v1/messages' }).first();
  await row.waitFor({ timeout: 15_000 });
  assert.ok(!(await page.content()).includes('hi from the browser test'), 'no prompt content without opting in');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, '10-browser-dashboard-logs.png') });

  await page.locator('button[data-tab="monitor"]').click();
  await page.locator('.monitor-view table.accounts tbody tr').first().waitFor({ timeout: 15_000 });
  await page.locator('.monitor-view svg.chart').first().waitFor({ timeout: 20_000 });
  await page.screenshot({ path: join(ARTIFACTS, '11-browser-dashboard-monitor.png') });
  await page.locator('button[data-tab="settings"]').click();
  await page.locator('#set-selection').waitFor();
  await page.screenshot({ path: join(ARTIFACTS, '12-browser-dashboard-settings.png') });
  assert.deepEqual(errors, [], 'no script errors or CSP violations');
});
