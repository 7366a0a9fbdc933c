// Team mode from the editor, as a user meets it (issue 16), on the proxy suite's VS Code (no second
// code-server): a redis-server of our own and `kiroProxy.redisUrl` typed into the Settings
// editor; Start without a key says to run "Kiro: Set Team State Key"; that command refuses
// a passphrase (keeps nothing) and keeps a random 32-byte key; Start then serves in team mode
// (/health: team, Redis up) and survives a Restart. The key is nowhere on disk in clear (settings,
// the output channel's log, the browser profile), nor in the dashboard's page.
/* global document -- used inside page.evaluate() callbacks, which run in the browser */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from './harness.mjs';
import { startRedisServer, redisSkip } from '../../helpers/redis.ts';

const SKIP = redisSkip || (process.env.KIRO_PROXY_SKIP_REDIS_TESTS === '1' && 'redis-server is not installed');
const PASSPHRASE = 'correct horse battery staple';
const KEY = randomBytes(32).toString('base64');

/** Every file under `dir` whose bytes contain `needle` (as UTF-8 or UTF-16LE). */
function filesContaining(dir, needle) {
  const hits = [];
  const forms = [Buffer.from(needle, 'utf8'), Buffer.from(needle, 'utf16le')];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && statSync(p).size < 64 * 1024 * 1024) {
        const bytes = readFileSync(p);
        if (forms.some((f) => bytes.includes(f))) hits.push(p);
      }
    }
  };
  walk(dir);
  return hits;
}

/** The "Kiro Proxy" output channel, as VS Code writes it to the window's log folder. */
function outputChannelLog(userData) {
  const found = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name === 'Kiro Proxy.log') found.push(join(d, e.name));
    }
  };
  walk(join(userData, 'logs'));
  return found.map((f) => readFileSync(f, 'utf8')).join('\n');
}

/**
 * Registers the team-mode tests after the caller's. `ctx()` gives the running suite's
 * `{ vs, port, home }` (home: the KIRO_PROXY_HOME given to the extension host).
 */
export function teamModeTests(ctx) {
  let redis;
  after(async () => redis?.dispose());

  const health = async () => {
    try {
      const res = await fetch(`http://127.0.0.1:${ctx().port}/health`, { signal: AbortSignal.timeout(2000) });
      return res.ok ? await res.json() : undefined;
    } catch {
      return undefined;
    }
  };
  const clearToasts = async () => {
    const { vs } = ctx();
    await vs.vscode.runCommand('Notifications: Clear All Notifications');
    await waitFor(async () => (await vs.vscode.notifications()).length === 0, { timeout: 10_000, what: 'no toast left' });
  };
  const missingKeyToast = () => ctx().vs.page.locator('.notifications-toasts .notification-toast', { hasText: 'Kiro: Set Team State Key' }).first();

  /** Waits for the missing-key error and shows its buttons (a long message's toast starts collapsed). */
  const expectMissingKey = async (shot) => {
    const { vs } = ctx();
    const toast = missingKeyToast();
    await toast.waitFor({ timeout: 30_000 }).catch(async (err) => {
      await vs.vscode.screenshot(`${shot}-FAILED`);
      throw new Error(`${err.message}; toasts: ${(await vs.vscode.notifications()).join(' | ')}; /health: ${JSON.stringify(await health())}`);
    });
    await toast.hover();
    const expand = toast.locator('.codicon-notifications-expand');
    if (await expand.count()) await expand.first().click();
    assert.match(await toast.innerText(), /Team mode \(kiroProxy\.redisUrl\) needs the team's state key/);
    await toast
      .locator('.monaco-button', { hasText: /^Set Team State Key$/ })
      .first()
      .waitFor({ timeout: 10_000 });
    assert.equal(await health(), undefined, 'nothing serves without the key');
    assert.match(await vs.vscode.kiroStatusLabel(), /Set Team State Key/, 'the status bar says it too');
    await vs.vscode.screenshot(shot);
    return toast;
  };

  test(
    'team mode: kiroProxy.redisUrl set while the proxy runs, no key kept: it stops and says to run "Kiro: Set Team State Key"; so does Start',
    { skip: SKIP },
    async () => {
      const { vs } = ctx();
      redis = await startRedisServer();
      await vs.vscode.runCommand('Kiro: Start Proxy');
      await waitFor(health, { timeout: 45_000, what: 'the proxy (not in team mode yet)' });
      await clearToasts();
      // In the Settings editor, as a user would (a settings.json written behind VS Code's back is
      // picked up only when code-server's file watcher notices, which took from 2 s to never). The
      // running proxy applies the change: a restart into team mode.
      await vs.vscode.runCommand('Preferences: Open Settings (UI)');
      await vs.page.locator('.settings-editor').waitFor({ timeout: 30_000 });
      await vs.page.keyboard.type('kiroProxy.redisUrl');
      const field = vs.page.locator('.settings-editor .setting-item-text', { hasText: 'Redis Url' }).locator('.setting-item-control input').first();
      await field.waitFor({ timeout: 30_000 }).catch(async (err) => {
        await vs.vscode.screenshot('15-team-settings-FAILED');
        throw err;
      });
      await field.fill(redis.url);
      const file = join(vs.dirs.userData, 'User', 'settings.json');
      await waitFor(() => readFileSync(file, 'utf8').includes(redis.url), { timeout: 15_000, what: 'kiroProxy.redisUrl in settings.json' });
      await vs.vscode.screenshot('15a-team-redis-url-setting');
      await expectMissingKey('15-team-no-key');
      await clearToasts();
      await vs.vscode.runCommand('Kiro: Start Proxy');
      await expectMissingKey('15b-team-no-key-start');
    },
  );

  test(
    'team mode: "Kiro: Set Team State Key" (from the error\'s button) refuses a passphrase with a clear message and keeps nothing',
    { skip: SKIP },
    async () => {
      const { vs } = ctx();
      await missingKeyToast()
        .locator('.monaco-button', { hasText: /^Set Team State Key$/ })
        .first()
        .click();
      const input = vs.page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal(await input.getAttribute('type'), 'password', 'the key is not shown while typed');
      await input.fill(PASSPHRASE);
      const message = vs.page.locator('.quick-input-widget .quick-input-message');
      await waitFor(async () => /not a 32-byte key/.test(await message.innerText()), { timeout: 10_000, what: 'the validation message' }).catch(async (err) => {
        await vs.vscode.screenshot('16-team-passphrase-FAILED');
        throw err;
      });
      const text = await message.innerText();
      assert.match(text, /openssl rand -base64 32/, 'says how to make a key');
      assert.ok(!text.includes(PASSPHRASE), 'the value is not echoed');
      await vs.vscode.screenshot('16-team-passphrase-refused');
      await vs.page.keyboard.press('Enter');
      await sleep(500);
      assert.ok(await input.isVisible(), 'Enter does not accept a refused value');
      await vs.page.keyboard.press('Escape');
      await input.waitFor({ state: 'hidden', timeout: 10_000 });
      await clearToasts();
      await vs.vscode.runCommand('Kiro: Start Proxy');
      await expectMissingKey('16b-team-still-no-key'); // nothing was kept
    },
  );

  test(
    'team mode: a random 32-byte key is kept; Start and Restart serve in team mode (/health: redis up); the key is in no file, log or page',
    { skip: SKIP },
    async () => {
      const { vs, home } = ctx();
      await clearToasts();
      await vs.vscode.runCommand('Kiro: Set Team State Key');
      const input = vs.page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill(KEY);
      await sleep(300); // validation runs on input
      await vs.page.keyboard.press('Enter');
      await waitFor(async () => (await vs.vscode.notifications()).some((n) => /team state key kept in SecretStorage/.test(n)), {
        timeout: 15_000,
        what: 'the "kept" notification',
      });
      await vs.vscode.runCommand('Kiro: Start Proxy');
      let h = await waitFor(async () => (await health())?.team, { timeout: 45_000, what: '/health in team mode' }).then(health);
      assert.equal(h.status, 'ok');
      assert.equal(h.team.mode, 'redis');
      assert.equal(h.team.redis, 'up');
      const instance = h.instance;
      await vs.vscode.screenshot('17-team-mode-running');

      await vs.vscode.runCommand('Kiro: Restart Proxy');
      h = await waitFor(
        async () => {
          const now = await health();
          return now?.team && now.uptimeSeconds !== undefined && now;
        },
        { timeout: 45_000, what: '/health back after Restart' },
      );
      assert.equal(h.team.redis, 'up', 'still team mode after Restart');
      assert.equal(h.instance, instance, 'the same window serves');
      await waitFor(async () => (await health())?.team?.instances === 1, { timeout: 20_000, what: 'the team to count this instance' });

      // The output channel says team mode (with the key's id, never the key).
      const log = await waitFor(
        async () => {
          const l = outputChannelLog(vs.dirs.userData);
          return /\[team\] team mode: key prefix/.test(l) && l;
        },
        { timeout: 15_000, what: 'the team-mode line in the output channel' },
      );
      assert.ok(!log.includes(KEY), 'the key is not in the output channel');
      // The dashboard's pages (the editor panel, and the side-bar view when open).
      await vs.vscode.runCommand('Kiro: Open Dashboard');
      await vs.vscode.webviewFrame(-1).locator('button[data-tab="monitor"]').click({ timeout: 30_000 });
      // Team mode is visible in the editor: the dashboard's Team row and the status bar's tooltip.
      await vs.vscode.webviewFrame(-1).locator('dd', { hasText: 'Redis up · 1 instance' }).waitFor({ timeout: 15_000 });
      await waitFor(async () => /Team mode: Redis up · 1 instance\./.test(await vs.vscode.kiroStatusLabel()), {
        timeout: 15_000,
        what: 'the status bar tooltip to say team mode, Redis up',
      });
      const views = await vs.page.locator('iframe.webview.ready').count();
      for (let i = 0; i < views; i++) {
        const html = await vs.vscode
          .webviewFrame(i)
          .locator('html')
          .evaluate(() => document.documentElement.outerHTML);
        assert.ok(!html.includes(KEY), `the key is not in webview ${i + 1} of ${views}`);
      }
      // Nothing on disk holds it in clear: user settings, logs, the browser profile (SecretStorage
      // seals it), the extension's home.
      assert.ok(!readFileSync(join(vs.dirs.userData, 'User', 'settings.json'), 'utf8').includes(KEY), 'not in settings.json');
      assert.deepEqual([...filesContaining(vs.runDir, KEY), ...filesContaining(home, KEY)], [], 'files holding the key in clear');

      await vs.vscode.runCommand('Kiro: Stop Proxy');
      await waitFor(async () => (await health()) === undefined, { timeout: 20_000, what: 'the proxy to stop' });
    },
  );
}
