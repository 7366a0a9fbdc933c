// Runs the built VSIX in a real VS Code: code-server (npm) on Node 24 + Debian Chromium driven by
// playwright-core. Fresh folders per run under .e2e/runs/; code-server runs in its own process
// group, killed as a whole at the end. Recipe: docs/vscode-e2e.md.
/* global document -- used inside page.evaluate() callbacks, which run in the browser */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, openSync, writeFileSync, closeSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const E2E_ROOT = process.env.E2E_ROOT ?? join(REPO, '.e2e');
const NODE24 = join(E2E_ROOT, 'node24/package/bin/node');
const CODE_SERVER = join(E2E_ROOT, 'cs/node_modules/code-server/out/node/entry.js');
export const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(REPO, 'test-results/e2e');

/** Settings that keep the workbench quiet and deterministic (no Welcome tab, no chat side bar, no updates). */
const BASE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'window.confirmBeforeClose': 'never',
  'terminal.integrated.gpuAcceleration': 'off',
  // The run folders live inside the repo checkout: no "open the parent repository?" toast.
  'git.openRepositoryInParentFolders': 'never',
  'git.enabled': false,
};

function assertSetUp() {
  const missing = [NODE24, CODE_SERVER, CHROMIUM].filter((p) => !existsSync(p));
  if (missing.length) throw new Error(`e2e prerequisites missing (${missing.join(', ')}); run: bash test/e2e/setup.sh`);
}

export function freePort() {
  return new Promise((ok, ko) => {
    const srv = createServer();
    srv.once('error', ko);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

export async function waitFor(fn, { timeout = 30_000, interval = 200, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await sleep(interval);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/** Keeps .e2e/runs/ from growing without bound: the newest `keep` entries stay for post-mortems. */
function pruneRuns(keep = 8) {
  const dir = join(E2E_ROOT, 'runs');
  if (!existsSync(dir)) return;
  const entries = readdirSync(dir)
    .map((name) => ({ name, t: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const e of entries.slice(keep)) rmSync(join(dir, e.name), { recursive: true, force: true });
}

/**
 * Starts code-server with the VSIX installed and a Chromium page on the workbench.
 * `env` reaches the extension host (code-server passes its environment through).
 */
export async function startVsCode({
  name,
  vsix,
  settings = {},
  env = {},
  files = {},
  serverArgs = [],
  workspace,
  query = '',
  beforeGoto,
  waitForWorkbench = true,
}) {
  assertSetUp();
  pruneRuns();
  const t0 = Date.now();
  const timings = {};
  const runDir = join(E2E_ROOT, 'runs', `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const dirs = {
    userData: join(runDir, 'user-data'),
    extensions: join(runDir, 'extensions'),
    workspace: workspace ?? join(runDir, 'workspace'),
    profile: join(runDir, 'chromium-profile'),
    xdg: join(runDir, 'xdg'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify({ ...BASE_SETTINGS, ...settings }, null, 2));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dirs.workspace, rel)), { recursive: true });
    writeFileSync(join(dirs.workspace, rel), content);
  }
  // code-server writes config and logs under XDG dirs (and HOME without them): keep them in the run.
  const baseEnv = {
    ...process.env,
    XDG_CONFIG_HOME: join(dirs.xdg, 'config'),
    XDG_DATA_HOME: join(dirs.xdg, 'data'),
    XDG_CACHE_HOME: join(dirs.xdg, 'cache'),
  };
  const csArgs = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];

  if (vsix) {
    const install = spawnSync(NODE24, [CODE_SERVER, ...csArgs, '--install-extension', vsix], { env: baseEnv, encoding: 'utf8' });
    if (install.status !== 0 || !/successfully installed/i.test(install.stdout)) {
      throw new Error(`VSIX install failed (${install.status}): ${install.stdout}\n${install.stderr}`);
    }
    timings.installVsixMs = Date.now() - t0;
  }

  const port = await freePort();
  const logFd = openSync(join(runDir, 'code-server.log'), 'a');
  const server = spawn(
    NODE24,
    [
      CODE_SERVER,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      ...csArgs,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      ...serverArgs,
      dirs.workspace,
    ],
    { env: { ...baseEnv, ...env }, detached: true, stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  const base = `http://127.0.0.1:${port}`;
  let browser;
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    await killGroup(server);
  };
  try {
    await waitFor(async () => (await fetch(`${base}/healthz`)).ok, { what: 'code-server /healthz', timeout: 30_000 });
    timings.serverListeningMs = Date.now() - t0;
    browser = await chromium.launchPersistentContext(dirs.profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
      env: { ...process.env, XDG_CONFIG_HOME: join(dirs.xdg, 'chromium-config'), XDG_CACHE_HOME: join(dirs.xdg, 'chromium-cache') },
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    const consoleLines = [];
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    await beforeGoto?.(page, { base, port, dirs });
    const q = typeof query === 'function' ? query({ base, port, dirs }) : query;
    // The workbench's own readiness is awaited below; a loaded CI machine needs more than 30 s for "load".
    await page.goto(`${base}/?folder=${encodeURIComponent(dirs.workspace)}${q}`, { waitUntil: 'domcontentloaded', timeout: 120_000 });
    if (waitForWorkbench) {
      await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
      await page.waitForSelector('.activitybar a.action-label[aria-label^="Explorer"]', { timeout: 60_000 });
      timings.workbenchReadyMs = Date.now() - t0;
    }
    const vscode = new Workbench(page, runDir);
    /**
     * Another window on the same code-server: a second page in the same browser profile (so the
     * same SecretStorage), with its own extension host — what a second VS Code window is.
     */
    const openWindow = async () => {
      const other = await browser.newPage();
      other.on('console', (m) => consoleLines.push(`[window ${browser.pages().indexOf(other) + 1}] [${m.type()}] ${m.text()}`));
      await other.goto(page.url(), { waitUntil: 'domcontentloaded', timeout: 120_000 });
      await other.waitForSelector('.activitybar a.action-label[aria-label^="Explorer"]', { timeout: 60_000 });
      return { page: other, vscode: new Workbench(other, runDir) };
    };
    return { base, port, runDir, dirs, page, browser, vscode, timings, consoleLines, stop, openWindow };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function killGroup(child) {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
  if (!done) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // Children (agent host, extension host) may outlive the leader for a moment.
  await sleep(300);
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // group is empty
  }
}

/** Workbench actions with selectors verified on VS Code 1.139 (web). */
class Workbench {
  constructor(page, runDir) {
    this.page = page;
    this.runDir = runDir;
  }

  async focus() {
    await this.page.mouse.click(700, 450);
  }

  /**
   * Runs a command from the palette. The palette closes when something else takes the focus
   * meanwhile (an editor closing, a view appearing): then it is opened again, up to three times.
   */
  async runCommand(title) {
    const page = this.page;
    for (let attempt = 1; ; attempt++) {
      try {
        await page.keyboard.press('Escape');
        // Keys typed while a webview (an iframe) has the focus never reach the workbench.
        await page.evaluate(() => document.activeElement?.blur?.());
        await page.keyboard.press('F1');
        const input = page.locator('.quick-input-widget .quick-input-box input');
        await input.waitFor({ state: 'visible', timeout: 15_000 });
        await input.fill(`>${title}`, { timeout: 5_000 });
        const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: title }).first();
        await row.waitFor({ state: 'visible', timeout: 15_000 });
        await page.keyboard.press('Enter');
        return;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  }

  /** The palette rows for a query, as text. */
  async paletteEntries(query) {
    const page = this.page;
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill(`>${query}`);
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor({ timeout: 15_000 });
    const rows = await page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name').allInnerTexts();
    await page.keyboard.press('Escape');
    return rows;
  }

  async quickPickRows() {
    const rows = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: 15_000 });
    return rows.allInnerTexts();
  }

  async openContainer(title) {
    const icon = this.page.locator(`.activitybar a.action-label[aria-label^="${title}"]`);
    await icon.waitFor({ timeout: 30_000 });
    const sidebar = this.page.locator('#workbench\\.parts\\.sidebar');
    if (!(await sidebar.isVisible()) || !(await sidebar.locator('.composite.title h2', { hasText: title }).count())) await icon.click();
    await sidebar.waitFor({ state: 'visible' });
    return sidebar;
  }

  async treeItems() {
    return this.page.locator('#workbench\\.parts\\.sidebar .monaco-list-row[role="treeitem"] .label-name').allInnerTexts();
  }

  async notifications() {
    return this.page.locator('.notifications-toasts .notification-toast .notification-list-item-message').allInnerTexts();
  }

  /** The Kiro status-bar entry's text, e.g. "Kiro :8080 · 3" (empty when absent). */
  async kiroStatus() {
    const text = await this.page.locator('#workbench\\.parts\\.statusbar').innerText();
    return (
      text
        .split('\n')
        .find((l) => /Kiro/.test(l))
        ?.trim() ?? ''
    );
  }

  /** The Kiro status-bar entry's accessible label (its tooltip): says who serves. */
  async kiroStatusLabel() {
    const item = this.page.locator('#workbench\\.parts\\.statusbar [aria-label^="Kiro Proxy"]').first();
    return (await item.count()) ? ((await item.getAttribute('aria-label')) ?? '') : '';
  }

  async statusBarText(nameStart) {
    const item = this.page
      .locator(
        `#workbench\\.parts\\.statusbar .statusbar-item[aria-label^="${nameStart}"], #workbench\\.parts\\.statusbar .statusbar-item[id$="kiroProxy.status"]`,
      )
      .first();
    return (await item.count()) ? item.innerText() : '';
  }

  /** The inner frame of a webview: `index` counts ready webviews in creation order; -1 is the newest. */
  webviewFrame(index = 0) {
    const outer = this.page.locator('iframe.webview.ready');
    return (index < 0 ? outer.last() : outer.nth(index)).contentFrame().frameLocator('iframe#active-frame');
  }

  async screenshot(name) {
    mkdirSync(ARTIFACTS, { recursive: true });
    const path = join(ARTIFACTS, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }
}
