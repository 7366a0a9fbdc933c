import { startVsCode, freePort, waitFor, REPO, E2E_ROOT } from './lib/harness.mjs';
import { makeHome, makeSsoCache } from './lib/fixtures.mjs';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
const tmp = join(E2E_ROOT, 'runs', `fixtures-${Date.now()}`);
mkdirSync(tmp, { recursive: true });
const port = await freePort();
const vs = await startVsCode({ name: 'scratch', vsix: join(REPO, 'kiro-proxy.vsix'),
  settings: { 'kiroProxy.port': port, 'kiroProxy.importSsoCache': 'never' },
  env: { KIRO_SSO_CACHE: makeSsoCache(tmp).dir, KIRO_MOCK_MODE: 'true', KIRO_PROXY_HOME: makeHome(tmp) } });
const health = async () => { try { const r = await fetch(`http://127.0.0.1:${port}/health`); await r.body?.cancel(); return r.status; } catch { return 0; } };
try {
  await vs.vscode.openContainer('Kiro');
  await sleep(3000);
  await vs.vscode.runCommand('Kiro: Start Proxy');
  await waitFor(async () => (await health()) === 200, { timeout: 45000 });
  await vs.vscode.runCommand('Kiro: Open Dashboard');
  await sleep(3000);
  let fails = 0;
  for (let i = 0; i < 10; i++) {
    await vs.vscode.runCommand('Kiro: Restart Proxy');
    await sleep(3000 + Math.random() * 2000);
    const sb = await vs.page.locator('#workbench\\.parts\\.statusbar').innerText();
    const n = await vs.vscode.notifications();
    const ok = (await health()) === 200;
    console.log(i, ok, JSON.stringify(sb.split('\n').filter(l => /Kiro/.test(l))), JSON.stringify(n.slice(-1)));
    if (!ok) { fails++; await vs.vscode.screenshot(`scratch-restart-fail-${i}`); await vs.vscode.runCommand('Kiro: Start Proxy'); await sleep(2000); }
  }
  console.log('fails', fails);
} finally { await vs.stop(); }
