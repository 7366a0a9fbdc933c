// The scenario in a real VS Code (code-server + headless Chromium), on the built VSIX:
// Start Proxy from the palette → /health 200; an account from a temp SSO cache in the Accounts
// tree; a chat request visible in the Dashboard logs; Stop Proxy. Screenshots: test-results/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startVsCode, freePort, waitFor, REPO, E2E_ROOT, ARTIFACTS } from './lib/harness.mjs';
import { makeHome, makeSsoCache } from './lib/fixtures.mjs';

const VSIX = process.env.E2E_VSIX ?? join(REPO, 'kiro-proxy.vsix');
let vs;
let port;
let sso;
const timings = {};
const startedAt = Date.now();

async function health() {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.status;
  } catch {
    return 0;
  }
}

before(async () => {
  assert.ok(existsSync(VSIX), `${VSIX} is missing: run npm run package first`);
  const tmp = join(E2E_ROOT, 'runs', `fixtures-${Date.now()}`);
  mkdirSync(tmp, { recursive: true });
  sso = makeSsoCache(tmp);
  port = await freePort();
  vs = await startVsCode({
    name: 'proxy',
    vsix: VSIX,
    settings: { 'kiroProxy.port': port, 'kiroProxy.importSsoCache': 'never' },
    env: { KIRO_SSO_CACHE: sso.dir, KIRO_MOCK_MODE: 'true', KIRO_PROXY_HOME: makeHome(tmp) },
  });
  Object.assign(timings, vs.timings);
  // Reading the API key through "Kiro: Copy API Key" needs clipboard access in the page.
  await vs.browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: vs.base });
});

after(async () => {
  timings.totalMs = Date.now() - startedAt;
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, 'timings.json'), JSON.stringify(timings, null, 2));
  if (vs) writeFileSync(join(ARTIFACTS, 'browser-console.log'), vs.consoleLines.join('\n'));
  await vs?.stop();
});

test('the Kiro container and the "Kiro: Start Proxy" command are contributed', async () => {
  const sidebar = await vs.vscode.openContainer('Kiro');
  await sidebar.locator('.composite.title h2', { hasText: 'Kiro' }).waitFor({ timeout: 30_000 });
  const entries = await vs.vscode.paletteEntries('Kiro: Start Proxy');
  assert.ok(entries.some((e) => e.includes('Kiro: Start Proxy')), `palette rows: ${entries.join(' | ')}`);
  await vs.vscode.screenshot('01-kiro-container');
});

test('"Kiro: Start Proxy" from the palette starts the proxy: /health answers 200', async () => {
  assert.equal(await health(), 0, 'nothing listens before Start');
  const t = Date.now();
  await vs.vscode.runCommand('Kiro: Start Proxy');
  await waitFor(async () => (await health()) === 200, { timeout: 45_000, what: `/health on port ${port}` });
  timings.startToHealthMs = Date.now() - t;
  await waitFor(async () => (await vs.vscode.notifications()).some((n) => n.includes(`:${port}`)), { timeout: 15_000, what: 'the "listening" notification' });
  const status = await vs.page.locator('#workbench\\.parts\\.statusbar').innerText();
  assert.match(status, new RegExp(`Kiro :${port}`), 'status bar shows the port');
  await vs.vscode.screenshot('02-proxy-started');
});

test('an account from the temp SSO cache shows in the Accounts tree', async () => {
  await vs.vscode.runCommand('Kiro: Scan Tokens');
  let rows = [];
  await waitFor(async () => {
    rows = await vs.vscode.quickPickRows();
    return rows.some((r) => r.includes(sso.provider));
  }, { timeout: 20_000, what: 'the token file in the Scan Tokens pick' }).catch(() => assert.fail(`scan rows: ${rows.join(' | ')}; toasts: ${'' }`));
  await vs.vscode.screenshot('03-scan-tokens');
  await vs.page.keyboard.press('Enter');
  await vs.vscode.openContainer('Kiro');
  const items = await waitFor(async () => {
    const list = await vs.vscode.treeItems();
    return list.some((l) => l.includes(sso.provider)) && list;
  }, { timeout: 20_000, what: 'the account in the Accounts tree' });
  assert.ok(items.length >= 1);
  await vs.vscode.screenshot('04-accounts-tree');
});

test('a chat request is answered and shows in the Dashboard logs', async () => {
  await vs.vscode.runCommand('Kiro: Copy API Key');
  const key = await waitFor(() => vs.page.evaluate(() => navigator.clipboard.readText()).then((k) => k.startsWith('kp-') && k), { timeout: 10_000, what: 'the API key on the clipboard' });
  const unauth = await fetch(`http://127.0.0.1:${port}/v1/models`);
  await unauth.body?.cancel();
  assert.equal(unauth.status, 401, 'the API key is required');
  const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'claude-sonnet-4.5', messages: [{ role: 'user', content: 'Say hello from the e2e test' }] }),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.ok(body.choices?.[0]?.message?.content, 'a completion came back');

  await vs.vscode.runCommand('Kiro: Open Dashboard');
  const frame = vs.vscode.webviewFrame(-1); // the editor panel (the side-bar view was created first)
  const row = frame.locator('table.logs tbody tr.row', { hasText: '/v1/chat/completions' }).first();
  await row.waitFor({ timeout: 30_000 });
  const text = await row.innerText();
  assert.match(text, /200/);
  assert.match(text, /claude/i);
  await vs.vscode.screenshot('05-dashboard-logs');
  await frame.locator('button[data-tab="monitor"]').click();
  await frame.locator('.monitor-view table.accounts').waitFor({ timeout: 15_000 });
  await vs.vscode.screenshot('06-dashboard-monitor');
});

test('"Kiro: Stop Proxy" stops the server', async () => {
  await vs.vscode.runCommand('Kiro: Stop Proxy');
  await waitFor(async () => (await health()) === 0, { timeout: 20_000, what: 'the proxy to stop listening' });
  await waitFor(async () => /Kiro/.test(await vs.page.locator('#workbench\\.parts\\.statusbar').innerText()), { what: 'status bar' });
  await vs.vscode.screenshot('07-proxy-stopped');
});
