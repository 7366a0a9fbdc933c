// Import / export / label / enable / remove through the proxy's account API, persisted in
// KIRO_PROXY_HOME (config.json for metadata, the secret store for tokens).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProxy } from '../../../src/core/proxy.ts';
import { defaultConfig } from '../../../src/core/config.ts';
import { startMockKiro } from '../../../src/core/kiro-mock/index.ts';
import type { Logger, SecretStore } from '../../../src/core/proxy-types.ts';

const silent: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function memorySecrets(): SecretStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    get: async (k) => map.get(k),
    set: async (k, v) => void map.set(k, v),
    delete: async (k) => void map.delete(k),
  };
}

test('imported accounts persist across restarts; export hides secrets unless asked; remove forgets them', async (t) => {
  const mock = await startMockKiro({});
  t.after(() => mock.close());
  const dir = mkdtempSync(join(tmpdir(), 'kp-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'sso'));
  const acct = mock.addAccount({ authMethod: 'social' });
  const config = defaultConfig({
    port: 0,
    home: join(dir, 'home'),
    ssoCache: join(dir, 'sso'),
    importSsoCacheOnStart: false,
    endpoints: { ...mock.endpoints },
  });
  const secrets = memorySecrets();

  const p1 = createProxy(config, { logger: silent, secrets });
  await p1.start();
  const [view] = await p1.accounts.importJson(
    JSON.stringify({ refreshToken: acct.refreshToken, authMethod: 'social', provider: 'Github', profileArn: acct.profileArn }),
    'pasted JSON',
  );
  assert.ok(view);
  await p1.accounts.setLabel(view.id, 'work account');
  await p1.accounts.setEnabled(view.id, false);

  const meta = readFileSync(join(config.home, 'config.json'), 'utf8');
  assert.ok(!meta.includes(acct.refreshToken), 'config.json holds no token');
  assert.ok(
    [...secrets.map.values()].some((v) => v.includes(acct.refreshToken)),
    'the secret store holds the token',
  );

  const exported = await p1.accounts.exportJson(false);
  assert.ok(!exported.includes(acct.refreshToken));
  assert.match(exported, /work account/);
  assert.ok((await p1.accounts.exportJson(true)).includes(acct.refreshToken));
  await p1.stop();

  const p2 = createProxy(config, { logger: silent, secrets });
  await p2.start();
  t.after(() => p2.stop());
  const again = p2.accounts.list().find((a) => a.id === view.id);
  assert.ok(again, 'the imported account comes back');
  assert.equal(again.label, 'work account');
  assert.equal(again.enabled, false);
  assert.equal(again.state, 'disabled');

  await p2.accounts.setEnabled(view.id, true);
  const url = p2.status().url!;
  const res = await fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'ping' }] }),
  });
  assert.equal(res.status, 200);

  await p2.accounts.remove(view.id);
  assert.equal(p2.accounts.list().length, 0);
  assert.ok(![...secrets.map.values()].some((v) => v.includes(acct.refreshToken)), 'remove deletes the secret');
  assert.ok(!readFileSync(join(config.home, 'config.json'), 'utf8').includes(view.id));
});

test('a broken creds file is reported with file and field, and the proxy still starts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kp-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'sso'));
  const credsFile = join(dir, 'creds.json');
  writeFileSync(credsFile, JSON.stringify([{ authMethod: 'social' }]));
  const warnings: string[] = [];
  const logger: Logger = { ...silent, warn: (m) => void warnings.push(m) };
  const p = createProxy(defaultConfig({ port: 0, home: join(dir, 'home'), ssoCache: join(dir, 'sso'), credsFile }), { logger, secrets: memorySecrets() });
  await p.start();
  t.after(() => p.stop());
  assert.ok(
    warnings.some((w) => w.includes('creds.json') && /refreshToken/.test(w)),
    warnings.join('\n'),
  );
  const res = await fetch(`${p.status().url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.equal(res.status, 503);
  const body = (await res.json()) as { error: { message: string } };
  assert.match(body.error.message, /account/i);
});

test('in mock mode an imported token file is served by the simulated Kiro too (refresh included)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kp-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sso = join(dir, 'sso');
  mkdirSync(sso);
  // An expired access token forces a refresh against the mock's /refreshToken.
  writeFileSync(
    join(sso, 'kiro-auth-token.json'),
    JSON.stringify({
      accessToken: 'fake-access-token-value',
      refreshToken: 'fake-refresh-token-value',
      expiresAt: '2020-01-01T00:00:00.000Z',
      authMethod: 'social',
      provider: 'Github',
    }),
  );
  const p = createProxy(defaultConfig({ port: 0, mock: true, home: join(dir, 'home'), ssoCache: sso }), { logger: silent, secrets: memorySecrets() });
  await p.start();
  t.after(() => p.stop());
  const [found] = await p.accounts.scanSsoCache();
  assert.ok(found);
  const view = await p.accounts.importSsoFile(found.path);
  const mockAccount = p.accounts.list().find((a) => a.id !== view.id);
  assert.ok(mockAccount);
  await p.accounts.setEnabled(mockAccount.id, false); // only the imported account can serve
  const res = await fetch(`${p.status().url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'through the imported account' }] }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const after = p.accounts.list().find((a) => a.id === view.id)!;
  assert.equal(after.state, 'active');
  assert.equal(after.counters.requests, 1);
  assert.ok((after.tokenExpiresAt ?? 0) > Date.now(), 'the expired token was refreshed');
});
