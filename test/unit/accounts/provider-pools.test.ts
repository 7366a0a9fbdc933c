// provider_pools.json (seed 004 / AIClient-2-API) as a credentials source: entries by creds file
// (written back on rotation, like --creds-file), base64, or inline; disabled and foreign entries.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProviderPoolsFile } from '../../../src/core/accounts/credentials/provider-pools.ts';
import { discoverCredentials } from '../../../src/core/accounts/credentials/discover.ts';
import { writeEntryTokens } from '../../../src/core/accounts/credentials/credential-file.ts';
import { RT, RT2, AT, assertNoSecrets } from './fixtures.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'kiro-pools-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const social = (rt: string) => ({ refreshToken: rt, accessToken: AT, expiresAt: '2030-01-01T00:00:00.000Z', authMethod: 'social', provider: 'Google' });

describe('provider pools file', () => {
  test("AIClient-2-API's shape: creds file paths (relative to the working dir), base64, inline; disabled skipped; other providers named", async () => {
    const dir = join(root, 'a');
    await mkdir(join(dir, 'configs', 'kiro'), { recursive: true });
    await writeFile(join(dir, 'configs', 'kiro', 'account-01.json'), JSON.stringify(social(RT)));
    const pools = join(dir, 'configs', 'provider_pools.json');
    await writeFile(
      pools,
      JSON.stringify({
        'claude-kiro-oauth': [
          { customName: 'one', uuid: 'u1', KIRO_OAUTH_CREDS_FILE_PATH: './configs/kiro/account-01.json', isHealthy: true, usageCount: 3 },
          { uuid: 'u2', KIRO_OAUTH_CREDS_BASE64: Buffer.from(JSON.stringify(social(RT2))).toString('base64') },
          { uuid: 'u3', refresh_token: `${RT}-inline`, client_id: 'c', client_secret: 's', token_url: 'https://auth.example/oauth/token' },
          { uuid: 'u4', KIRO_OAUTH_CREDS_FILE_PATH: './missing.json', isDisabled: true },
        ],
        'gemini-cli-oauth': [{ uuid: 'g1' }],
      }),
    );
    const r = await loadProviderPoolsFile(pools, dir);
    assert.equal(r.credentials.length, 3, JSON.stringify(r.problems));
    assert.deepEqual(
      r.credentials.map((c) => c.origin.type),
      ['creds-file', 'base64', 'base64'],
    );
    assert.equal((r.credentials[0]!.origin as { path: string }).path, join(dir, 'configs', 'kiro', 'account-01.json'));
    assert.equal(r.credentials[1]!.credential.refreshToken, RT2);
    assert.equal(r.credentials[2]!.credential.kind, 'oauth');
    assert.equal(new Set(r.credentials.map((c) => c.id)).size, 3);
    assert.deepEqual(
      r.problems.map((p) => [p.severity, p.field]),
      [['warning', 'gemini-cli-oauth']],
    );
    assertNoSecrets(JSON.stringify(r.problems));
  });

  test('a path relative to the pools file itself also works; broken entries are reported with their place', async () => {
    const dir = join(root, 'b');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'acct.json'), JSON.stringify(social(RT)));
    const pools = join(dir, 'pools.json');
    await writeFile(
      pools,
      JSON.stringify({ 'kiro-api': [{ KIRO_OAUTH_CREDS_FILE_PATH: 'acct.json' }, { KIRO_OAUTH_CREDS_FILE_PATH: 'nope.json' }, { uuid: 'x' }, 'str'] }),
    );
    const r = await loadProviderPoolsFile(pools, join(root, 'elsewhere'));
    assert.equal(r.credentials.length, 1);
    const messages = r.problems.map((p) => p.message);
    assert.match(messages[0]!, /pools\.json: kiro-api\[1\]\.KIRO_OAUTH_CREDS_FILE_PATH: .*nope\.json: file not found/);
    assert.match(messages[1]!, /kiro-api\[2\]: names no credentials/);
    assert.match(messages[2]!, /kiro-api\[3\]: must be an object/);
    const bad = await loadProviderPoolsFile(join(dir, 'absent.json'));
    assert.match(bad.problems[0]!.message, /absent\.json: file not found/);
  });

  test('discovery includes the pools file, and a rotated token is written back to the creds file the entry names', async () => {
    const dir = join(root, 'c');
    await mkdir(dir, { recursive: true });
    const creds = join(dir, 'kiro-creds.json');
    await writeFile(creds, JSON.stringify([social(RT)]));
    const pools = join(dir, 'provider_pools.json');
    await writeFile(pools, JSON.stringify({ 'claude-kiro-oauth': [{ uuid: 'u1', KIRO_OAUTH_CREDS_FILE_PATH: creds }] }));
    const found = await discoverCredentials({ ssoCache: join(dir, 'no-sso'), credsFile: undefined, credsBase64: undefined, providerPoolsFile: pools });
    assert.equal(found.count, 1);
    const c = found.credentials[0]!;
    assert.deepEqual(c.origin, { type: 'creds-file', path: creds, index: 0 });
    // The write-back the pool does for a --creds-file entry works on it as it is.
    await writeEntryTokens(creds, 0, RT, { ...c.credential, refreshToken: RT2 });
    assert.equal((JSON.parse(await readFile(creds, 'utf8')) as { refreshToken: string }[])[0]!.refreshToken, RT2);
  });
});
