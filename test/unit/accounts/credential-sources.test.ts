import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadSsoCache,
  loadSsoTokenFile,
  loadCredsFile,
  loadCredsBase64,
  loadFromEnv,
  loadCredsJsonText,
} from '../../../src/core/accounts/credentials/credential-sources.ts';
import { RT, RT2, AT, CLIENT_SECRET, assertNoSecrets } from './fixtures.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'kiro-sources-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function dirWith(name: string, files: Record<string, unknown>): Promise<string> {
  const d = join(root, name);
  await mkdir(d, { recursive: true });
  for (const [f, content] of Object.entries(files)) await writeFile(join(d, f), typeof content === 'string' ? content : JSON.stringify(content));
  return d;
}

const HASH = '9a3f1c0e5b7d2468ace013579bdf02468ace0135';

describe('SSO cache scan', () => {
  test('finds every Kiro token file, merges the companion registration, skips everything else', async () => {
    const d = await dirWith('sso', {
      'kiro-auth-token.json': {
        accessToken: AT,
        refreshToken: RT,
        expiresAt: '2026-01-23T15:55:14.153Z',
        authMethod: 'IdC',
        provider: 'BuilderId',
        region: 'us-east-1',
        clientIdHash: HASH,
      },
      [`${HASH}.json`]: { clientId: 'builder-client', clientSecret: CLIENT_SECRET, expiresAt: '2026-04-01T00:00:00.000Z' },
      'kiro-auth-token-work.json': {
        refreshToken: RT2,
        authMethod: 'social',
        provider: 'Google',
        profileArn: 'arn:aws:codewhisperer:eu-central-1:111122223333:profile/ABC',
      },
      // An AWS CLI sso cache entry: has tokens but no authMethod/provider — not ours.
      'aws-cli-token.json': { startUrl: 'https://x.awsapps.com/start', accessToken: AT, refreshToken: RT, region: 'us-east-1' },
      'README.txt': 'not json at all',
    });
    const r = await loadSsoCache(d);
    assert.deepEqual(r.problems, []);
    assert.equal(r.credentials.length, 2);
    const [idc, social] = r.credentials;
    assert.equal(idc!.origin.type, 'sso-cache');
    assert.deepEqual(idc!.origin, { type: 'sso-cache', path: join(d, 'kiro-auth-token.json') });
    assert.equal(idc!.credential.kind, 'idc');
    assert.equal(idc!.credential.clientId, 'builder-client');
    assert.equal(idc!.credential.clientSecret, CLIENT_SECRET);
    assert.equal(idc!.credential.registrationExpiresAt, Date.UTC(2026, 3, 1));
    assert.equal(idc!.credential.expiresAt, Date.UTC(2026, 0, 23, 15, 55, 14, 153));
    assert.equal(idc!.credential.oidcRegion, 'us-east-1');
    assert.equal(social!.credential.kind, 'social');
    assert.equal(social!.credential.region, 'eu-central-1');
    assert.match(idc!.label, /BuilderId \(kiro-auth-token\.json\)/);
    // ids are stable and reveal nothing
    assert.equal((await loadSsoCache(d)).credentials[0]!.id, idc!.id);
    assert.notEqual(idc!.id, social!.id);
    assertNoSecrets(idc!.id + idc!.label);
  });

  test('a missing companion or a broken token file is reported, a missing dir is not', async () => {
    const d = await dirWith('sso-broken', {
      'kiro-auth-token.json': { refreshToken: RT, authMethod: 'IdC', clientIdHash: HASH },
      'kiro-other.json': '{"refreshToken": "' + RT,
    });
    const r = await loadSsoCache(d);
    assert.equal(r.credentials.length, 1);
    const msgs = r.problems.map((p) => `${p.severity} ${p.message}`);
    assert.deepEqual(msgs, [
      `warning ${join(d, 'kiro-auth-token.json')}: clientIdHash: client registration ${HASH}.json does not exist`,
      `warning ${join(d, 'kiro-auth-token.json')}: clientId: missing; an IdC token cannot be refreshed without its client registration`,
      `warning ${join(d, 'kiro-other.json')}: invalid JSON at position ${('{"refreshToken": "' + RT).length}`,
    ]);
    for (const p of r.problems) assertNoSecrets(p.message);
    assert.deepEqual(await loadSsoCache(join(root, 'does-not-exist')), { credentials: [], problems: [] });
  });

  test('importing one file that is not a token file says why', async () => {
    const d = await dirWith('sso-single', { 'x.json': { accessToken: AT, authMethod: 'social' } });
    const r = await loadSsoTokenFile(join(d, 'x.json'));
    assert.deepEqual(
      r.problems.map((p) => p.message),
      [`${join(d, 'x.json')}: refreshToken: required`],
    );
  });
});

describe('creds file', () => {
  test('array of both forms; origins carry the array position', async () => {
    const d = await dirWith('creds', {
      'creds.json': [
        { refreshToken: RT, authMethod: 'social', provider: 'Google' },
        { client_id: 'cid', client_secret: CLIENT_SECRET, token_url: 'https://auth.example.com/oauth/token', refresh_token: RT2 },
      ],
      'one.json': { client_id: 'cid', client_secret: 's', token_url: 'https://auth.example.com/oauth/token', refresh_token: RT2 },
    });
    const r = await loadCredsFile(join(d, 'creds.json'));
    assert.deepEqual(r.problems, []);
    assert.deepEqual(
      r.credentials.map((c) => c.origin),
      [
        { type: 'creds-file', path: join(d, 'creds.json'), index: 0 },
        { type: 'creds-file', path: join(d, 'creds.json'), index: 1 },
      ],
    );
    assert.deepEqual(
      r.credentials.map((c) => c.label),
      ['Google (creds.json[0])', 'OAuth (creds.json[1])'],
    );
    const one = await loadCredsFile(join(d, 'one.json'));
    assert.deepEqual(one.credentials[0]!.origin, { type: 'creds-file', path: join(d, 'one.json'), index: null });
  });

  test('unreadable files never throw', async () => {
    const d = await dirWith('creds-bad', { 'bad.json': '[{"refreshToken":', 'empty.json': '' });
    assert.deepEqual(
      (await loadCredsFile(join(d, 'bad.json'))).problems.map((p) => p.message),
      [`${join(d, 'bad.json')}: invalid JSON (ends too early; truncated?)`],
    );
    assert.deepEqual(
      (await loadCredsFile(join(d, 'empty.json'))).problems.map((p) => p.message),
      [`${join(d, 'empty.json')}: file is empty`],
    );
    assert.deepEqual(
      (await loadCredsFile(join(d, 'nope.json'))).problems.map((p) => p.message),
      [`${join(d, 'nope.json')}: file not found`],
    );
  });
});

describe('base64 and env', () => {
  const json = JSON.stringify([
    { refreshToken: RT, authMethod: 'social' },
    { refreshToken: RT2, authMethod: 'social' },
  ]);
  const b64 = Buffer.from(json).toString('base64');

  test('base64 of the same JSON, with line breaks as `base64` wraps it', () => {
    const r = loadCredsBase64(b64.replace(/(.{76})/g, '$1\n'));
    assert.deepEqual(r.problems, []);
    assert.deepEqual(
      r.credentials.map((c) => c.origin),
      [
        { type: 'base64', index: 0 },
        { type: 'base64', index: 1 },
      ],
    );
    // Same text → same ids on the next start; different tokens → different ids.
    assert.deepEqual(
      loadCredsBase64(b64).credentials.map((c) => c.id),
      r.credentials.map((c) => c.id),
    );
    assert.notEqual(r.credentials[0]!.id, r.credentials[1]!.id);
  });

  test('bad base64 and bad JSON inside are problems', () => {
    assert.deepEqual(
      loadCredsBase64('%%%').problems.map((p) => p.message),
      ['base64: is not valid base64'],
    );
    const r = loadCredsBase64(Buffer.from('{"refreshToken":').toString('base64'));
    assert.equal(r.problems[0]!.source, 'base64');
    assert.match(r.problems[0]!.message, /^base64: invalid JSON/);
    const missing = loadCredsBase64(Buffer.from(JSON.stringify({ authMethod: 'social' })).toString('base64'));
    assert.deepEqual(
      missing.problems.map((p) => p.message),
      ['base64: refreshToken: required'],
    );
  });

  test('env: KIRO_OAUTH_CREDS_FILE and KIRO_OAUTH_CREDS_BASE64', async () => {
    const d = await dirWith('env', { 'c.json': { refreshToken: RT, authMethod: 'social' } });
    const r = await loadFromEnv({ KIRO_OAUTH_CREDS_FILE: join(d, 'c.json'), KIRO_OAUTH_CREDS_BASE64: b64 });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(
      r.credentials.map((c) => c.origin.type),
      ['creds-file', 'env', 'env'],
    );
    assert.deepEqual(r.credentials[1]!.origin, { type: 'env', name: 'KIRO_OAUTH_CREDS_BASE64', index: 0 });
    assert.deepEqual(await loadFromEnv({}), { credentials: [], problems: [] });
  });

  test('imported JSON text takes the origin the caller gives it', () => {
    const r = loadCredsJsonText(json, 'import', (i) => ({ type: 'store', key: `import-${i}` }));
    assert.deepEqual(
      r.credentials.map((c) => c.origin),
      [
        { type: 'store', key: 'import-0' },
        { type: 'store', key: 'import-1' },
      ],
    );
  });
});

describe('discoverCredentials', () => {
  test('SSO cache + creds file + base64 together, problems as printable lines', async () => {
    const { discoverCredentials } = await import('../../../src/core/accounts/credentials/discover.ts');
    const sso = await dirWith('discover-sso', { 'kiro-auth-token.json': { refreshToken: RT, authMethod: 'social', provider: 'Google' } });
    const files = await dirWith('discover-files', { 'c.json': [{ refreshToken: RT2, authMethod: 'social' }, { authMethod: 'social' }] });
    const r = await discoverCredentials({
      ssoCache: sso,
      credsFile: join(files, 'c.json'),
      credsBase64: Buffer.from(JSON.stringify({ apiKey: 'ksk_from_base64_1' })).toString('base64'),
    });
    assert.equal(r.count, 3);
    assert.deepEqual(
      r.credentials.map((c) => c.origin.type),
      ['sso-cache', 'creds-file', 'base64'],
    );
    assert.deepEqual(r.problems, [`${join(files, 'c.json')}: [1].refreshToken: required`]);
    const none = await discoverCredentials({ ssoCache: join(root, 'nothing-here'), credsFile: undefined, credsBase64: undefined });
    assert.deepEqual([none.count, none.problems], [0, []]);
  });
});
