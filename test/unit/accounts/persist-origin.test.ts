import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile, readFile, stat, chmod, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OriginPersister } from '../../../src/core/accounts/persist-origin.ts';
import { loadCredsFile, loadSsoCache } from '../../../src/core/accounts/credential-sources.ts';
import { TokenManager } from '../../../src/core/accounts/token-manager.ts';
import { refreshSocial } from '../../../src/core/accounts/token-refresh.ts';
import { startStub, json } from './http-stub.ts';
import { RT, RT2, AT, AT2, CLIENT_SECRET } from './fixtures.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiro-persist-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const EXPIRES = Date.UTC(2026, 5, 1, 12, 0, 0, 250);
const readJson = async (p: string) => JSON.parse(await readFile(p, 'utf8'));

describe('OriginPersister', () => {
  test('SSO cache file: tokens updated in camelCase, every other field kept, mode preserved', async () => {
    const p = join(dir, 'kiro-auth-token.json');
    await writeFile(p, JSON.stringify({ accessToken: AT, refreshToken: RT, expiresAt: '2025-12-31T02:32:45.144Z', authMethod: 'IdC', provider: 'BuilderId', region: 'us-east-1', clientIdHash: 'abc', futureField: { x: 1 } }));
    await chmod(p, 0o600);
    const ok = await new OriginPersister().persist({ type: 'sso-cache', path: p }, { kind: 'idc', accessToken: AT2, refreshToken: RT2, expiresAt: EXPIRES, clientSecret: CLIENT_SECRET });
    assert.equal(ok, true);
    assert.deepEqual(await readJson(p), {
      accessToken: AT2,
      refreshToken: RT2,
      expiresAt: '2026-06-01T12:00:00.250Z',
      authMethod: 'IdC',
      provider: 'BuilderId',
      region: 'us-east-1',
      clientIdHash: 'abc',
      futureField: { x: 1 },
    });
    if (process.platform !== 'win32') assert.equal((await stat(p)).mode & 0o777, 0o600);
  });

  test('creds file array: the same position, in each entry’s own form', async () => {
    const p = join(dir, 'creds.json');
    const original = [
      { refreshToken: RT, authMethod: 'social', provider: 'Google' },
      { client_id: 'cid', client_secret: 's', token_url: 'https://auth.example.com/t', refresh_token: RT, scope: 'api.access' },
    ];
    await writeFile(p, JSON.stringify(original));
    const persister = new OriginPersister();
    // Both at once: the per-file queue must keep both updates.
    await Promise.all([
      persister.persist({ type: 'creds-file', path: p, index: 1 }, { kind: 'oauth', accessToken: AT2, refreshToken: RT2, expiresAt: EXPIRES }),
      persister.persist({ type: 'creds-file', path: p, index: 0 }, { kind: 'social', accessToken: AT, refreshToken: RT2, expiresAt: EXPIRES, profileArn: 'arn:aws:codewhisperer:us-east-1:1:profile/X' }),
    ]);
    assert.deepEqual(await readJson(p), [
      { refreshToken: RT2, authMethod: 'social', provider: 'Google', accessToken: AT, expiresAt: '2026-06-01T12:00:00.250Z', profileArn: 'arn:aws:codewhisperer:us-east-1:1:profile/X' },
      { client_id: 'cid', client_secret: 's', token_url: 'https://auth.example.com/t', refresh_token: RT2, scope: 'api.access', access_token: AT2, expires_at: '2026-06-01T12:00:00.250Z' },
    ]);
    // What we wrote loads back as the same credentials.
    const reloaded = await loadCredsFile(p);
    assert.deepEqual(reloaded.problems, []);
    assert.equal(reloaded.credentials[1]!.credential.accessToken, AT2);
    assert.equal(reloaded.credentials[1]!.credential.expiresAt, EXPIRES);
    assert.equal((await readdir(dir)).filter((n) => n.endsWith('.tmp')).length, 0);
  });

  test('base64, env, store and mock origins are not writable', async () => {
    const persister = new OriginPersister();
    const cred = { kind: 'social' as const, refreshToken: RT2 };
    assert.equal(await persister.persist({ type: 'base64', index: 0 }, cred), false);
    assert.equal(await persister.persist({ type: 'env', name: 'KIRO_OAUTH_CREDS_BASE64', index: null }, cred), false);
    assert.equal(await persister.persist({ type: 'store', key: 'k' }, cred), false);
  });

  test('an entry that vanished is an error naming the file, not a silent rewrite', async () => {
    const p = join(dir, 'short.json');
    await writeFile(p, JSON.stringify([{ refreshToken: RT, authMethod: 'social' }]));
    await assert.rejects(new OriginPersister().persist({ type: 'creds-file', path: p, index: 3 }, { kind: 'social', refreshToken: RT2 }), (e: unknown) => {
      assert.match(String((e as Error).message), /short\.json: \[3\] is no longer a credential object/);
      assert.ok(!String((e as Error).message).includes(RT2));
      return true;
    });
  });

  test('end to end: a rotation by the social endpoint lands in the SSO cache file', async () => {
    const cache = join(dir, 'sso');
    await mkdir(cache);
    await writeFile(join(cache, 'kiro-auth-token.json'), JSON.stringify({ accessToken: AT, refreshToken: RT, expiresAt: '2020-01-01T00:00:00.000Z', authMethod: 'social', provider: 'Github' }));
    const stub = await startStub((_req, res) => json(res, 200, { accessToken: AT2, refreshToken: RT2, expiresIn: 3600 }));
    try {
      const [loaded] = (await loadSsoCache(cache)).credentials;
      const persister = new OriginPersister();
      const tm = new TokenManager({
        credential: loaded!.credential,
        clock: { now: () => Date.UTC(2026, 0, 1) },
        refresh: (c, signal) => refreshSocial(stub.base, c, signal, { now: () => Date.UTC(2026, 0, 1) }),
        persist: async (c) => {
          assert.equal(await persister.persist(loaded!.origin, c), true);
        },
      });
      assert.equal(await tm.getAccessToken({ signal: new AbortController().signal }), AT2);
      const onDisk = await readJson(join(cache, 'kiro-auth-token.json'));
      assert.deepEqual(onDisk, { accessToken: AT2, refreshToken: RT2, expiresAt: '2026-01-01T01:00:00.000Z', authMethod: 'social', provider: 'Github' });
    } finally {
      await stub.close();
    }
  });
});
