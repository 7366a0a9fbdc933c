// The pure pieces of account durability: which entry of a file is an account's (by token, never
// by position), which of two token sets is newer, and which leftover temp file holds a token
// worth recovering.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { matchEntry, type FileEntry, type AccountKey } from '../../../src/core/accounts/credentials/entry-match.ts';
import { compareTokens } from '../../../src/core/accounts/tokens/token-order.ts';
import { tokenFingerprint, remember, HISTORY_LIMIT } from '../../../src/core/accounts/tokens/token-fingerprint.ts';
import { recoverableEntries } from '../../../src/core/accounts/credentials/tmp-recovery.ts';
import type { KiroCredential } from '../../../src/core/accounts/credentials/credential.ts';

const ARN = 'arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK';
const social = (rt: string, expiresAt = 1_000, extra: Partial<KiroCredential> = {}): KiroCredential => ({
  kind: 'social',
  refreshToken: rt,
  accessToken: `at-${rt}`,
  expiresAt,
  profileArn: ARN,
  provider: 'Google',
  ...extra,
});
const entries = (...creds: KiroCredential[]): FileEntry[] => creds.map((credential, index) => ({ index, credential }));
const key = (rt: string | undefined, history: string[] = [], others: string[] = [], extra: Partial<AccountKey> = {}): AccountKey => ({
  refreshToken: rt,
  history: new Set(history.map(tokenFingerprint)),
  othersHistory: new Set(others.map(tokenFingerprint)),
  kind: 'social',
  profileArn: ARN,
  provider: 'Google',
  ...extra,
});

describe('matchEntry', () => {
  test('finds the entry by the token the account holds, wherever it moved', () => {
    const file = entries(social('c'), social('new'), social('b'), social('a'));
    const m = matchEntry(file, key('a', ['a'], ['b', 'c']));
    assert.equal(m.how, 'current');
    assert.equal(m.how === 'current' && m.entry.index, 3);
  });

  test('an entry holding a token the account held earlier is still its entry (a stale editor buffer)', () => {
    const file = entries(social('b2'), social('a-old'));
    const m = matchEntry(file, key('a-new', ['a-old', 'a-new'], ['b2']));
    assert.equal(m.how, 'earlier');
    assert.equal(m.how === 'earlier' && m.entry.index, 1);
  });

  test("never picks an entry holding another account's token", () => {
    const file = entries(social('b'), social('c'));
    assert.deepEqual(matchEntry(file, key('a', ['a'], ['b', 'c'])), { how: 'none', why: 'no_entry' });
  });

  test('a single unknown entry of the same kind is only a candidate (the caller confirms the user)', () => {
    const file = entries(social('b'), social('unknown'));
    const m = matchEntry(file, key('a', ['a'], ['b']));
    assert.equal(m.how, 'candidate');
    assert.equal(m.how === 'candidate' && m.entry.index, 1);
  });

  test('two unknown entries that could both be it: ambiguous, nothing is written', () => {
    const file = entries(social('x'), social('y'));
    assert.deepEqual(matchEntry(file, key('a', ['a'])), { how: 'none', why: 'ambiguous' });
  });

  test('a differing client id, profile ARN, provider or auth method rules an entry out', () => {
    const idc = (rt: string, clientId: string): KiroCredential => ({ kind: 'idc', refreshToken: rt, clientId, clientSecret: 's' });
    const file = entries(idc('x', 'client-1'), idc('y', 'client-2'), social('z', 1, { provider: 'Github' }));
    const m = matchEntry(file, key('a', ['a'], [], { kind: 'idc', clientId: 'client-2', profileArn: undefined, provider: undefined }));
    assert.equal(m.how === 'candidate' && m.entry.credential.refreshToken, 'y');
    assert.deepEqual(matchEntry(entries(social('z', 1, { provider: 'Github' })), key('a', ['a'])), { how: 'none', why: 'no_entry' });
  });
});

describe('compareTokens', () => {
  const hist = (...rts: string[]) => new Set(rts.map(tokenFingerprint));
  test('a token the account held before is older, whatever its expiry says', () => {
    assert.equal(compareTokens(social('old', 9_999), social('cur', 10), hist('old', 'cur')), 'older');
  });
  test('another refresh token that expires later is newer (another program refreshed)', () => {
    assert.equal(compareTokens(social('theirs', 2_000), social('cur', 1_000), hist('cur')), 'newer');
    assert.equal(compareTokens(social('theirs', 500), social('cur', 1_000), hist('cur')), 'older');
  });
  test('the same refresh token with a later access token is a fresher access token; identical is same', () => {
    assert.equal(compareTokens({ ...social('cur', 2_000), accessToken: 'at-2' }, social('cur', 1_000), hist('cur')), 'fresher-access');
    assert.equal(compareTokens(social('cur', 1_000), social('cur', 1_000), hist('cur')), 'same');
  });
  test('a candidate without a refresh token is never newer', () => {
    assert.equal(compareTokens({ accessToken: 'x', expiresAt: 9_999 }, social('cur'), hist('cur')), 'older');
  });
});

test('remember keeps the newest fingerprints, bounded and without duplicates', () => {
  let h: string[] = [];
  for (let i = 0; i < HISTORY_LIMIT + 10; i++) h = remember(h, `fp${i}`);
  h = remember(h, `fp${HISTORY_LIMIT + 5}`);
  assert.equal(h.length, HISTORY_LIMIT);
  assert.equal(h.at(-1), `fp${HISTORY_LIMIT + 5}`);
  assert.equal(new Set(h).size, h.length);
  assert.ok(!h.includes('fp0'));
});

describe('recoverableEntries', () => {
  test('the one entry a write changed, with a later expiry, is recovered', () => {
    const file = entries(social('a', 1_000), social('b', 1_000));
    const tmp = entries(social('a', 1_000), social('b2', 5_000));
    const r = recoverableEntries(file, tmp);
    assert.equal(r.length, 1);
    assert.equal(r[0]!.fileEntry.index, 1);
    assert.equal(r[0]!.tmpEntry.credential.refreshToken, 'b2');
  });
  test('an older, differently shaped or multiply-changed tmp is not', () => {
    assert.deepEqual(recoverableEntries(entries(social('a', 5_000)), entries(social('a0', 1_000))), []);
    assert.deepEqual(recoverableEntries(entries(social('a'), social('b')), entries(social('a'))), []);
    assert.deepEqual(recoverableEntries(entries(social('a', 1), social('b', 1)), entries(social('a2', 9), social('b2', 9))), []);
    assert.deepEqual(recoverableEntries(entries(social('a', 1)), entries(social('a2', 9, { provider: 'Github' }))), []);
  });
});
