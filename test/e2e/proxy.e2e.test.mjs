// The scenario in a real VS Code (code-server + headless Chromium), on the built VSIX:
// Start Proxy from the palette → /health 200; an account from a temp SSO cache in the Accounts
// tree; a chat request visible in the Dashboard logs; an aborted stream counted as aborted, not as
// an account error; Restart ×10; the side bar at its default width; Stop Proxy; the error state;
// Configure a client with the diff and Undo; team mode (lib/team-mode.mjs). Screenshots: test-results/e2e/.
/* global document, window -- used inside page.evaluate() callbacks, which run in the browser */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { startVsCode, freePort, waitFor, REPO, E2E_ROOT, ARTIFACTS } from './lib/harness.mjs';
import { makeHome, makeSsoCache } from './lib/fixtures.mjs';
import { teamModeTests } from './lib/team-mode.mjs';

const VSIX = process.env.E2E_VSIX ?? join(REPO, 'kiro-proxy.vsix');
let vs;
let port;
let sso;
let key;
let claudeDir;
let home;
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
  claudeDir = join(tmp, 'claude');
  port = await freePort();
  vs = await startVsCode({
    name: 'proxy',
    vsix: VSIX,
    settings: { 'kiroProxy.port': port, 'kiroProxy.importSsoCache': 'never' },
    env: {
      KIRO_SSO_CACHE: sso.dir,
      KIRO_MOCK_MODE: 'true',
      KIRO_PROXY_HOME: (home = makeHome(tmp)),
      CLAUDE_CONFIG_DIR: claudeDir,
      // Team mode only from the settings and "Kiro: Set Team State Key" (lib/team-mode.mjs).
      KIRO_PROXY_REDIS_URL: '',
      KIRO_PROXY_STATE_KEY: '',
    },
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
  assert.ok(
    entries.some((e) => e.includes('Kiro: Start Proxy')),
    `palette rows: ${entries.join(' | ')}`,
  );
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
  await waitFor(
    async () => {
      rows = await vs.vscode.quickPickRows();
      return rows.some((r) => r.includes(sso.provider));
    },
    { timeout: 20_000, what: 'the token file in the Scan Tokens pick' },
  ).catch(() => assert.fail(`scan rows: ${rows.join(' | ')}; toasts: ${''}`));
  await vs.vscode.screenshot('03-scan-tokens');
  await vs.page.keyboard.press('Enter');
  await vs.vscode.openContainer('Kiro');
  const items = await waitFor(
    async () => {
      const list = await vs.vscode.treeItems();
      return list.some((l) => l.includes(sso.provider)) && list;
    },
    { timeout: 20_000, what: 'the account in the Accounts tree' },
  );
  assert.ok(items.length >= 1);
  await vs.vscode.screenshot('04-accounts-tree');
});

test('a chat request is answered and shows in the Dashboard logs', async () => {
  await vs.vscode.runCommand('Kiro: Copy API Key');
  key = await waitFor(() => vs.page.evaluate(() => navigator.clipboard.readText()).then((k) => k.startsWith('kp-') && k), {
    timeout: 10_000,
    what: 'the API key on the clipboard',
  });
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

test('an aborted streaming request is "499 aborted" in Logs and "aborted", not an error, on its account, the Service card and in /metrics', async () => {
  const ac = new AbortController();
  const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({
      model: 'claude-sonnet-4.5',
      stream: true,
      messages: [{ role: 'user', content: '[[mock:chunk-delay 50]] [[mock:text-events 200]]' }],
    }),
    signal: ac.signal,
  });
  assert.equal(res.status, 200, 'the stream started');
  const reader = res.body.getReader();
  await reader.read();
  await reader.read();
  ac.abort();
  await reader.cancel().catch(() => undefined);

  const frame = vs.vscode.webviewFrame(-1);
  await frame.locator('button[data-tab="logs"]').click();
  const row = frame.locator('table.logs tbody tr.row', { hasText: '499 aborted' }).first();
  await row.waitFor({ timeout: 30_000 });
  await frame.locator('button[data-tab="monitor"]').click();
  const accounts = frame.locator('.monitor-view table.accounts');
  await accounts.locator('td.num', { hasText: '1 aborted' }).first().waitFor({ timeout: 15_000 });
  const text = await accounts.innerText();
  assert.match(text, /0 errors · 1 aborted/);
  assert.doesNotMatch(text, /Last error/);
  const service = await frame.locator('.monitor-view .card').first().innerText();
  assert.match(service, /Errors\s+0/);
  assert.match(service, /Aborted by client\s+1/);
  const instances = await (await fetch(`http://127.0.0.1:${port}/loadbalancer/instances`, { headers: { authorization: `Bearer ${key}` } })).json();
  const sum = (k) => instances.reduce((n, a) => n + (a.counters[k] ?? 0), 0);
  assert.deepEqual([sum('errors'), sum('aborted')], [0, 1], 'the same counts in /loadbalancer/instances');
  // Prometheus: the request is counted under 499, and no upstream error was recorded for it.
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${key}` } })).text();
  const requests = metrics.split('\n').filter((l) => l.startsWith('kiro_proxy_requests_total{'));
  assert.ok(
    requests.some((l) => /status="499"/.test(l) && / 1$/.test(l)),
    `499 counted once in /metrics: ${requests.join(' | ')}`,
  );
  assert.ok(!requests.some((l) => /status="5\d\d"/.test(l)), `no 5xx in /metrics: ${requests.join(' | ')}`);
  assert.ok(!metrics.split('\n').some((l) => l.startsWith('kiro_proxy_upstream_errors_total{')), 'no upstream error in /metrics');
  await vs.vscode.screenshot('06b-aborted-request');
});

test('Restart Proxy ×10 from the palette: back on the same port every time, never "used by another program"', async () => {
  const startedAtOfServer = async () => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/status`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: '{}',
      });
      return (await res.json()).result?.startedAt;
    } catch {
      return undefined;
    }
  };
  const t0 = Date.now();
  const instance = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()).instance;
  for (let i = 0; i < 10; i++) {
    const previous = await startedAtOfServer();
    assert.ok(previous, `restart ${i + 1}: running before`);
    await vs.vscode.runCommand('Kiro: Restart Proxy');
    await waitFor(
      async () => {
        const now = await startedAtOfServer();
        return now !== undefined && now !== previous;
      },
      { timeout: 30_000, what: `restart ${i + 1} to come back` },
    );
    const toasts = await vs.vscode.notifications();
    assert.ok(!toasts.some((n) => /used by another program|did not start|Error/.test(n)), `restart ${i + 1}: ${toasts.join(' | ')}`);
  }
  timings.restart10Ms = Date.now() - t0;
  assert.equal((await (await fetch(`http://127.0.0.1:${port}/health`)).json()).instance, instance, 'the same window serves');
  await waitFor(async () => new RegExp(`Kiro :${port}`).test(await vs.vscode.kiroStatus()), { timeout: 15_000, what: 'the status bar to show the port' });
  await vs.vscode.screenshot('07a-after-ten-restarts');
});

test('the side bar at its default width: Logs, Monitor and Settings fit; "Saved." is visible', async () => {
  await vs.page.keyboard.press('Escape');
  const sidebar = await vs.vscode.openContainer('Kiro');
  const width = (await sidebar.boundingBox()).width;
  timings.sideBarWidthPx = Math.round(width);
  // The restarts began a new server run with an empty log: one request to show.
  const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'claude-sonnet-4.5', messages: [{ role: 'user', content: 'A row for the side bar' }] }),
  });
  assert.equal(res.status, 200);
  await res.json();
  const frame = vs.vscode.webviewFrame(0); // the side-bar view (created before the editor panel)
  await frame.locator('button[data-tab="logs"]').click();
  await frame.locator('table.logs tbody tr.row').first().waitFor({ timeout: 30_000 });
  const fits = () =>
    frame.locator('body').evaluate(() => {
      const vw = document.documentElement.clientWidth;
      const over = [...document.querySelectorAll('main *')].filter((el) => el.offsetParent !== null && el.getBoundingClientRect().right > vw + 1);
      return { vw, scroll: document.documentElement.scrollWidth, over: over.slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${el.className}`) };
    });
  let f = await fits();
  assert.deepEqual(f.over, [], `Logs overflow the side bar (${f.vw}px): ${f.over.join(', ')}`);
  const duration = frame.locator('table.logs tbody tr.row td:nth-child(6)').first();
  assert.ok(await duration.isVisible(), 'the duration is shown');
  assert.match(await duration.innerText(), /\d+(\.\d+)? (ms|s)/);
  await vs.vscode.screenshot('08-sidebar-logs');
  await frame.locator('button[data-tab="monitor"]').click();
  await frame.locator('.monitor-view table.accounts').waitFor({ timeout: 15_000 });
  f = await fits();
  assert.deepEqual(f.over, [], `Monitor overflows the side bar: ${f.over.join(', ')}`);
  assert.doesNotMatch(await frame.locator('.monitor-view table.accounts').innerText(), /mock:mock/, 'the account subtitle is a label, not a raw source id');
  await vs.vscode.screenshot('09-sidebar-monitor');
  await frame.locator('button[data-tab="settings"]').click();
  const selection = frame.locator('#set-selection');
  assert.deepEqual(await selection.locator('option').allInnerTexts(), ['Least used (default)', 'Round robin', 'Most quota left']);
  await frame.locator('#set-cooldown').fill('301');
  await frame.locator('form.settings button[type="submit"]').click();
  const saved = frame.locator('.settings-view [role="status"]', { hasText: 'Saved.' });
  await saved.waitFor({ timeout: 15_000 });
  const inView = await saved.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  });
  assert.ok(inView, '"Saved." is inside the visible area');
  f = await fits();
  assert.deepEqual(f.over, [], `Settings overflow the side bar: ${f.over.join(', ')}`);
  await vs.vscode.screenshot('10-sidebar-settings');
});

test('"Kiro: Stop Proxy" stops the server', async () => {
  await vs.vscode.runCommand('Kiro: Stop Proxy');
  await waitFor(async () => (await health()) === 0, { timeout: 20_000, what: 'the proxy to stop listening' });
  await waitFor(async () => /Kiro/.test(await vs.page.locator('#workbench\\.parts\\.statusbar').innerText()), { what: 'status bar' });
  await vs.vscode.screenshot('07-proxy-stopped');
});

test('in the error state the Accounts view says error, not "stopped"', async () => {
  const foreign = createServer((req, res) => {
    res.writeHead(404);
    res.end('not kiro');
  });
  await new Promise((ok) => foreign.listen(port, '127.0.0.1', ok));
  try {
    await vs.vscode.runCommand('Kiro: Start Proxy');
    const sidebar = await vs.vscode.openContainer('Kiro');
    const text = await waitFor(
      async () => {
        const t = await sidebar.innerText();
        return /Error: Port \d+ on 127\.0\.0\.1 is used by another program/.test(t) && t;
      },
      { timeout: 30_000, what: 'the error in the Accounts view' },
    ).catch(async (err) => {
      await vs.vscode.screenshot('11-accounts-error-state-FAILED');
      throw err;
    });
    assert.doesNotMatch(text, /The Kiro proxy is stopped/);
    assert.match(await vs.vscode.kiroStatusLabel(), /used by another program/);
    // The dashboard (editor panel, Monitor tab) does not claim the user has no account.
    const monitor = vs.vscode.webviewFrame(-1).locator('.monitor-view');
    await monitor.locator('.empty', { hasText: 'The proxy is not running' }).waitFor({ timeout: 15_000 });
    assert.doesNotMatch(await monitor.innerText(), /No account yet/);
    await vs.vscode.screenshot('11-accounts-error-state');
  } finally {
    foreign.closeAllConnections();
    await new Promise((ok) => foreign.close(ok));
  }
});

test('"Kiro: Configure a client…" shows a masked diff, warns that the proxy is not running, applies only its keys; Undo restores bytes and mode', async () => {
  mkdirSync(claudeDir, { recursive: true });
  const file = join(claudeDir, 'settings.json');
  const original = '{\r\n    // mine — ünïcödé\r\n    "model": "opus",\r\n    "env": { "FOO": "bär" }\r\n}\r\n';
  writeFileSync(file, original);
  chmodSync(file, 0o644);
  await vs.page.keyboard.press('Escape');
  await vs.vscode.runCommand('Kiro: Configure a client…');
  await vs.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Claude Code' }).first().waitFor({ timeout: 15_000 });
  const rows = await vs.vscode.quickPickRows();
  assert.deepEqual(
    rows.map((r) => /^(Claude Code|Codex|opencode|Cline \(VS Code extension\)|Cline CLI|Continue)/.exec(r)?.[1]),
    ['Claude Code', 'Codex', 'opencode', 'Cline (VS Code extension)', 'Cline CLI', 'Continue'],
  );
  await vs.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Claude Code' }).first().click();
  const toast = vs.page.locator('.notifications-toasts .notification-toast', { hasText: 'Apply this change' });
  await toast.waitFor({ timeout: 30_000 });
  assert.match(await toast.innerText(), /not running/, 'warns that the proxy is stopped');
  const diff = vs.page.locator('.monaco-diff-editor');
  await diff.first().waitFor({ timeout: 15_000 });
  const shown = await diff.first().innerText();
  assert.match(shown, /ANTHROPIC_AUTH_TOKEN/);
  assert.ok(!shown.includes(key), 'the key is masked in the diff');
  assert.ok(await diff.first().isVisible(), 'nothing covers the diff');
  await vs.vscode.screenshot('12-configure-client-diff');
  await toast
    .locator('a.monaco-button, .monaco-button', { hasText: /^Apply$/ })
    .first()
    .click();
  await waitFor(() => readFileSync(file, 'utf8').includes(key), { timeout: 15_000, what: 'the file written' });
  const written = readFileSync(file, 'utf8');
  assert.ok(written.startsWith('{\r\n    // mine — ünïcödé\r\n    "model": "opus",\r\n    "env": { "FOO": "bär", "ANTHROPIC_BASE_URL": '), written);
  assert.equal(statSync(file).mode & 0o777, 0o644, 'mode kept');
  await vs.vscode.screenshot('12b-configure-client-applied');
  await vs.vscode.runCommand('Kiro: Undo Client Configuration').catch(async (err) => {
    await vs.vscode.screenshot('13-configure-client-undo-FAILED');
    throw err;
  });
  await waitFor(() => readFileSync(file, 'utf8') === original, { timeout: 15_000, what: 'the original bytes back' });
  assert.equal(statSync(file).mode & 0o777, 0o644, 'mode restored');
  await vs.vscode.screenshot('13-configure-client-undone');
});

const FIELD_ROW = /^(API Provider|Base URL|API Key|Model ID|Cline CLI command)/;

test('"Kiro: Configure a client…" → Cline (VS Code extension) shows the values to paste (key masked) and copies one', async () => {
  await vs.page.keyboard.press('Escape');
  await vs.vscode.runCommand('Kiro: Configure a client…');
  const cline = vs.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Cline (VS Code extension)' }).first();
  await cline.waitFor({ timeout: 15_000 });
  await cline.click();
  let rows = [];
  await waitFor(
    async () => {
      rows = await vs.vscode.quickPickRows();
      // The list is swapped in place: wait until no row of the previous pick (the clients) is left.
      return rows.some((r) => r.startsWith('Base URL')) && rows.every((r) => FIELD_ROW.test(r));
    },
    { timeout: 15_000, what: 'the Cline values, and only them' },
  ).catch(() => assert.fail(`rows: ${rows.join(' | ')}`));
  assert.deepEqual(
    rows.map((r) => FIELD_ROW.exec(r)?.[1]),
    ['API Provider', 'Base URL', 'API Key', 'Model ID', 'Cline CLI command'],
  );
  const text = rows.join('\n');
  assert.match(text, /OpenAI Compatible/);
  assert.ok(text.includes(`http://127.0.0.1:${port}/v1`), text);
  assert.ok(!text.includes(key), 'the key is masked in the list');
  await vs.vscode.screenshot('14-configure-cline-values');
  await vs.page.evaluate(() => navigator.clipboard.writeText(''));
  await vs.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Base URL' }).first().click();
  await waitFor(async () => (await vs.page.evaluate(() => navigator.clipboard.readText())) === `http://127.0.0.1:${port}/v1`, {
    timeout: 10_000,
    what: 'the base URL on the clipboard',
  });
  await vs.page.keyboard.press('Escape');
});

// Last: it sets kiroProxy.redisUrl for the rest of the session.
teamModeTests(() => ({ vs, port, home }));
