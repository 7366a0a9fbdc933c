import { startVsCode, freePort, waitFor, REPO, E2E_ROOT, Workbench } from './lib/harness.mjs';
import { makeHome, makeSsoCache } from './lib/fixtures.mjs';
import { join } from 'node:path';
import { mkdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
const tmp = join(E2E_ROOT, 'runs', `fixtures-${Date.now()}`);
mkdirSync(tmp, { recursive: true });
const port = await freePort();
const home = makeHome(tmp);
const vs = await startVsCode({ name: 'scratch', vsix: join(REPO, 'kiro-proxy.vsix'),
  settings: { 'kiroProxy.port': port, 'kiroProxy.importSsoCache': 'never' },
  env: { KIRO_SSO_CACHE: makeSsoCache(tmp).dir, KIRO_MOCK_MODE: 'true', KIRO_PROXY_HOME: home } });
const health = async () => { try { const r = await fetch(`http://127.0.0.1:${port}/health`); return r.ok ? await r.json() : r.status; } catch { return 0; } };
const sb = async (p) => (await p.locator('#workbench\\.parts\\.statusbar').innerText()).split('\n').filter(l => /Kiro/.test(l)).join('|');
try {
  const w1 = vs.vscode;
  await w1.openContainer('Kiro');
  await sleep(2000);
  await w1.runCommand('Kiro: Start Proxy');
  await waitFor(async () => (await health()) !== 0, { timeout: 45000 });
  await w1.runCommand('Kiro: Scan Tokens');
  await w1.quickPickRows(); await vs.page.keyboard.press('Enter');
  await sleep(2000);
  console.log('w1 tree', await w1.treeItems(), await sb(vs.page));
  const page2 = await vs.browser.newPage();
  await page2.goto(vs.page.url());
  await page2.waitForSelector('.activitybar a.action-label[aria-label^="Explorer"]', { timeout: 60000 });
  const w2 = new Workbench(page2, vs.runDir);
  await w2.openContainer('Kiro');
  await waitFor(async () => /Kiro :/.test(await sb(page2)), { timeout: 30000 }).catch(() => {});
  console.log('w2 status', await sb(page2), 'tree', await w2.treeItems());
  await page2.screenshot({ path: join(REPO, 'test-results/e2e/scratch-w2.png') });
  await w2.runCommand('Kiro: Stop Proxy');
  await sleep(6000);
  console.log('after stop in w2: health', JSON.stringify(await health()), 'w1', await sb(vs.page), 'w2', await sb(page2), 'toasts1', await w1.notifications());
  await w1.runCommand('Kiro: Start Proxy');
  await sleep(4000);
  console.log('restart w1: health', (await health()).instance, 'w2', await sb(page2));
  const intent = JSON.parse(readFileSync(join(home, 'vscode-serving.json'), 'utf8'));
  console.log('intent', intent);
  const accountsBefore = (await health()).accounts;
  process.kill(intent.pid, 'SIGKILL');
  await waitFor(async () => { const h = await health(); return h && h.instance && h.instance !== intent.instance; }, { timeout: 20000 }).catch(e => console.log('no takeover', e.message));
  const h2 = await health();
  console.log('after crash: health', h2.instance, 'accounts before', JSON.stringify(accountsBefore), 'after', JSON.stringify(h2.accounts), 'w2', await sb(page2), 'toasts2', await w2.notifications(), 'tree2', await w2.treeItems());
  await page2.screenshot({ path: join(REPO, 'test-results/e2e/scratch-w2-takeover.png') });
} finally { await vs.stop(); }
