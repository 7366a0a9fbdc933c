// Writing one entry's rotated tokens back into a credential file: every other field and entry
// kept, each entry in its own form (camelCase / snake_case), 0600 at most, and a refusal when the
// entry no longer holds the token it was matched on (the IDE rewrites files without a lock).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, readFile, stat, chmod, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEntryTokens, readCredentialEntries, EntryMovedError } from '../../../src/core/accounts/credentials/credential-file.ts';
import { loadCredsFile } from '../../../src/core/accounts/credentials/credential-sources.ts';
import { RT, RT2, AT, AT2, CLIENT_SECRET } from './fixtures.ts';

const RT3 = RT.replace('refresh', 'refresh3');
const RT4 = RT2.replace('rotated', 'rotated4');

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiro-credfile-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const EXPIRES = Date.UTC(2026, 5, 1, 12, 0, 0, 250);
const readJson = async (p: string) => JSON.parse(await readFile(p, 'utf8'));

describe('writeEntryTokens', () => {
  test('SSO cache file: tokens updated in camelCase, every other field kept, a 0644 file tightened to 0600', async () => {
    const p = join(dir, 'kiro-auth-token.json');
    await writeFile(
      p,
      JSON.stringify({
        accessToken: AT,
        refreshToken: RT,
        expiresAt: '2025-12-31T02:32:45.144Z',
        authMethod: 'IdC',
        provider: 'BuilderId',
        region: 'us-east-1',
        clientIdHash: 'abc',
        futureField: { x: 1 },
      }),
    );
    await chmod(p, 0o644);
    await writeEntryTokens(p, null, RT, { kind: 'idc', accessToken: AT2, refreshToken: RT2, expiresAt: EXPIRES, clientSecret: CLIENT_SECRET });
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

  test('creds file array: the entry given, in its own form; the result loads back', async () => {
    const p = join(dir, 'creds.json');
    await writeFile(
      p,
      JSON.stringify([
        { refreshToken: RT, authMethod: 'social', provider: 'Google' },
        { client_id: 'cid', client_secret: 's', token_url: 'https://auth.example.com/t', refresh_token: RT2, scope: 'api.access' },
      ]),
    );
    await writeEntryTokens(p, 1, RT2, { kind: 'oauth', accessToken: AT2, refreshToken: RT4, expiresAt: EXPIRES });
    await writeEntryTokens(p, 0, RT, {
      kind: 'social',
      accessToken: AT,
      refreshToken: RT3,
      expiresAt: EXPIRES,
      profileArn: 'arn:aws:codewhisperer:us-east-1:1:profile/X',
    });
    assert.deepEqual(await readJson(p), [
      {
        refreshToken: RT3,
        authMethod: 'social',
        provider: 'Google',
        accessToken: AT,
        expiresAt: '2026-06-01T12:00:00.250Z',
        profileArn: 'arn:aws:codewhisperer:us-east-1:1:profile/X',
      },
      {
        client_id: 'cid',
        client_secret: 's',
        token_url: 'https://auth.example.com/t',
        refresh_token: RT4,
        scope: 'api.access',
        access_token: AT2,
        expires_at: '2026-06-01T12:00:00.250Z',
      },
    ]);
    const reloaded = await loadCredsFile(p);
    assert.deepEqual(reloaded.problems, []);
    assert.equal(reloaded.credentials[1]!.credential.expiresAt, EXPIRES);
    const entries = await readCredentialEntries(p, 'creds-file');
    assert.ok(entries.ok);
    assert.deepEqual(entries.ok && entries.entries.map((e) => e.index), [0, 1]);
    assert.equal((await readdir(dir)).filter((n) => n.endsWith('.tmp')).length, 0);
  });

  test('an entry that moved or now holds another token is refused, the file untouched', async () => {
    const p = join(dir, 'moved.json');
    const doc = [{ refreshToken: 'someone-else', authMethod: 'social' }];
    await writeFile(p, JSON.stringify(doc));
    await assert.rejects(writeEntryTokens(p, 0, RT, { kind: 'social', refreshToken: RT2 }), EntryMovedError);
    await assert.rejects(writeEntryTokens(p, 3, RT, { kind: 'social', refreshToken: RT2 }), EntryMovedError);
    assert.deepEqual(await readJson(p), doc);
  });

  test('a missing file reads as missing', async () => {
    const r = await readCredentialEntries(join(dir, 'nope.json'), 'creds-file');
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.why, 'missing');
  });
});
