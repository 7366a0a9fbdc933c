// Files and homes are shared: the Kiro IDE refreshes (and rotates) the same token in the SSO
// cache file without any lock, and two proxies may run on one KIRO_PROXY_HOME. The proxy serves
// every request through it with zero accounts expired. KIRO_SOAK_MS sets the length of each run
// (default 20 s in `npm test`; the soak is KIRO_SOAK_MS=300000).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startMockKiro } from '../../../src/core/kiro-mock/index.ts';
import { sandbox, startProxy, tokenFile, writeJson, chat } from './durability-harness.ts';

const SOAK_MS = Number(process.env['KIRO_SOAK_MS'] ?? 20_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Requests in two lanes for `ms`, and on until `enough()` (bounded): a starved machine still sees rotations. */
async function drive(urls: string[], ms: number, enough: () => boolean = () => true): Promise<{ ok: number; failed: number[] }> {
  const end = Date.now() + ms;
  const hardEnd = end + 60_000;
  let ok = 0;
  const failed: number[] = [];
  let n = 0;
  await Promise.all(
    [0, 1].map(async (lane) => {
      while (Date.now() < end || (!enough() && Date.now() < hardEnd)) {
        const status = await chat(urls[lane % urls.length]!, `lane ${lane} request ${n++}`).catch(() => 0);
        if (status === 200) ok++;
        else failed.push(status);
        await sleep(150);
      }
    }),
  );
  return { ok, failed };
}

test(`the Kiro IDE refreshes the shared SSO file every 3 s while the proxy serves (${SOAK_MS / 1000} s)`, { timeout: SOAK_MS + 180_000 }, async (t) => {
  const mock = await startMockKiro({ usageLimit: Number.MAX_SAFE_INTEGER });
  t.after(() => mock.close());
  const sb = await sandbox();
  t.after(() => sb.close());
  // 602 s: the proxy wants a new token ~2 s after each refresh (it refreshes 10 min ahead), so
  // it and the IDE keep rotating the same token.
  const a = mock.addAccount({ id: 'alice', rotateRefreshToken: true, accessTokenTtlSeconds: 602 });
  const file = join(sb.sso, 'kiro-auth-token.json');
  await writeJson(file, tokenFile(a));
  const p = await startProxy(mock, sb, { importSsoCacheOnStart: true });
  t.after(() => p.stop());
  const ide = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(import.meta.dirname, 'fake-kiro-ide.ts'), file, mock.url, '3000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let ideOut = '';
  ide.stdout.setEncoding('utf8').on('data', (d: string) => (ideOut += d));
  t.after(() => ide.kill('SIGKILL'));

  const ideRotations = () => mock.refreshLog.filter((q) => q.status === 200 && q.userAgent === 'fake-kiro-ide').length;
  const r = await drive([p.url], SOAK_MS, () => ideRotations() >= 2);
  const exited = new Promise((res) => ide.once('exit', res));
  ide.kill('SIGTERM');
  await exited;
  const ideStats = JSON.parse(ideOut.trim() || '{}') as { refreshes?: number; rejected?: number };
  const byProxy = mock.refreshLog.filter((q) => q.userAgent?.startsWith('KiroIDE-'));
  const proxyRejected = byProxy.filter((q) => q.status !== 200).length;
  const accounts = p.proxy.accounts.list();
  t.diagnostic(
    `requests ok=${r.ok} failed=${r.failed.length}; IDE refreshes=${ideStats.refreshes} rejected=${ideStats.rejected}; proxy refreshes=${byProxy.length} rejected=${proxyRejected}; adoptions=${(p.logger.text().match(/adopted/g) ?? []).length}`,
  );
  assert.deepEqual(r.failed, [], 'every request answered');
  assert.ok(r.ok > 0);
  assert.ok((ideStats.refreshes ?? 0) >= 2, `the IDE rotated the token meanwhile (${ideStats.refreshes})`);
  assert.equal(accounts.length, 1, "the IDE's rotations were recognised as the same account");
  assert.equal(accounts[0]!.state, 'active');
  assert.doesNotMatch(p.logger.text(), /log in again/);
  // A refresh the IDE's unlocked write raced is re-read and recovered; it must stay rare.
  assert.ok(proxyRejected <= Math.max(1, byProxy.length / 10), `proxy refreshes rejected: ${proxyRejected} of ${byProxy.length}`);
});

test(`two proxies on one KIRO_PROXY_HOME never use the same refresh token twice (${SOAK_MS / 1000} s)`, { timeout: SOAK_MS + 180_000 }, async (t) => {
  const mock = await startMockKiro({ usageLimit: Number.MAX_SAFE_INTEGER });
  t.after(() => mock.close());
  const sb = await sandbox();
  t.after(() => sb.close());
  const a = mock.addAccount({ id: 'alice', rotateRefreshToken: true, accessTokenTtlSeconds: 602 });
  const b = mock.addAccount({ id: 'bob', rotateRefreshToken: true, accessTokenTtlSeconds: 602 });
  const p1 = await startProxy(mock, sb, { importSsoCacheOnStart: false });
  t.after(() => p1.stop());
  await p1.proxy.accounts.importJson(JSON.stringify([tokenFile(a), tokenFile(b)]), 'pasted');
  const p2 = await startProxy(mock, sb, { importSsoCacheOnStart: false });
  t.after(() => p2.stop());
  assert.equal(p2.proxy.accounts.list().length, 2, 'the second proxy serves the same stored accounts');

  const r = await drive([p1.url, p2.url], SOAK_MS, () => mock.refreshLog.length >= 2);
  const refreshes = mock.refreshLog;
  const rejected = refreshes.filter((x) => x.status !== 200).length;
  t.diagnostic(
    `requests ok=${r.ok} failed=${r.failed.length}; refreshes=${refreshes.length} rejected=${rejected}; adoptions=${(p1.logger.text().match(/adopted/g) ?? []).length + (p2.logger.text().match(/adopted/g) ?? []).length}`,
  );
  assert.deepEqual(r.failed, []);
  assert.ok(refreshes.length >= 2, `tokens rotated meanwhile (${refreshes.length})`);
  assert.equal(rejected, 0, 'no refresh token was used twice');
  for (const p of [p1, p2]) for (const acct of p.proxy.accounts.list()) assert.equal(acct.state, 'active', `${acct.label}: ${acct.stateReason ?? ''}`);
});
