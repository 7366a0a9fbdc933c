// KIRO_PROXY_STATE_KEY parsing and the sealed envelope: what an operator sees for a missing or
// bad key (and that the value is never echoed), rotation with several keys, and that a sealed
// token neither opens under another account or generation nor after tampering.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { TeamError } from '../../../src/core/team/errors.ts';
import { parseStateKeys } from '../../../src/core/team/state-key.ts';
import { open, seal, tokenAad } from '../../../src/core/team/token-cipher.ts';

const b64 = () => randomBytes(32).toString('base64');
const badKey = (e: unknown) => e instanceof TeamError && e.code === 'bad_state_key';

describe('KIRO_PROXY_STATE_KEY', () => {
  test('missing: refuses team mode and says how to make a key', () => {
    for (const v of [undefined, '', '   ']) {
      assert.throws(
        () => parseStateKeys(v),
        (e: unknown) => badKey(e) && /needs KIRO_PROXY_STATE_KEY/.test((e as Error).message) && /openssl rand -base64 32/.test((e as Error).message),
      );
    }
  });

  test('accepts 32 bytes as base64, base64url or hex, and gives the same key id for the same key', () => {
    const raw = randomBytes(32);
    const ids = [raw.toString('base64'), raw.toString('base64url'), raw.toString('hex'), raw.toString('hex').toUpperCase()].map(
      (v) => parseStateKeys(v).current.id,
    );
    assert.equal(new Set(ids).size, 1);
    assert.match(ids[0]!, /^[0-9a-f]{8}$/);
  });

  test('refuses a passphrase, a short key and a constant pattern without echoing the value', () => {
    const secretish = 'correct horse battery staple';
    for (const v of [secretish, randomBytes(16).toString('base64'), randomBytes(33).toString('hex'), 'a'.repeat(64)]) {
      assert.throws(
        () => parseStateKeys(v),
        (e: unknown) => badKey(e) && !(e as Error).message.includes(v),
      );
    }
  });

  test('several keys: the first seals, every one opens (rotation), and an old record is marked stale', () => {
    const oldKey = b64();
    const newKey = b64();
    const before = parseStateKeys(oldKey);
    const sealed = seal(before, '{"refreshToken":"r1"}', tokenAad('a', 1));
    const during = parseStateKeys(`${newKey}, ${oldKey}`);
    const opened = open(during, sealed, tokenAad('a', 1), 'token');
    assert.equal(opened.plaintext, '{"refreshToken":"r1"}');
    assert.equal(opened.stale, true);
    const resealed = seal(during, opened.plaintext, tokenAad('a', 1));
    assert.equal(open(parseStateKeys(newKey), resealed, tokenAad('a', 1), 'token').stale, false);
    // Once the old key is dropped, records sealed with it name the missing key id.
    assert.throws(
      () => open(parseStateKeys(newKey), sealed, tokenAad('a', 1), 'token'),
      (e: unknown) => e instanceof TeamError && e.code === 'decrypt_failed' && (e as Error).message.includes(before.current.id),
    );
  });
});

describe('sealed token envelope', () => {
  const keyring = parseStateKeys(b64());
  const secret = JSON.stringify({ refreshToken: 'aorAAAAAG-secret-refresh', accessToken: 'aoaAAAAAG-secret-access' });

  test('holds no clear text, differs on every seal, and round-trips', () => {
    const a = seal(keyring, secret, tokenAad('acct-1', 3));
    const b = seal(keyring, secret, tokenAad('acct-1', 3));
    assert.notEqual(a, b, 'a fresh IV per seal');
    assert.ok(!a.includes('secret') && !a.includes('aor'), 'no token text in the envelope');
    assert.match(a, /^kp1\.[0-9a-f]{8}\./);
    assert.equal(open(keyring, a, tokenAad('acct-1', 3), 'token').plaintext, secret);
  });

  test('does not open under another account or another generation (no moving, no rollback)', () => {
    const sealed = seal(keyring, secret, tokenAad('acct-1', 3));
    for (const aad of [tokenAad('acct-2', 3), tokenAad('acct-1', 4)]) {
      assert.throws(
        () => open(keyring, sealed, aad, 'token'),
        (e: unknown) => e instanceof TeamError && e.code === 'decrypt_failed' && /moved|altered/.test((e as Error).message),
      );
    }
  });

  test('a flipped byte anywhere is refused', () => {
    const sealed = seal(keyring, secret, tokenAad('acct-1', 1));
    const parts = sealed.split('.');
    for (const i of [2, 3, 4]) {
      const p = [...parts];
      const bytes = Buffer.from(p[i]!, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      p[i] = bytes.toString('base64url');
      assert.throws(
        () => open(keyring, p.join('.'), tokenAad('acct-1', 1), 'token'),
        (e: unknown) => e instanceof TeamError && e.code === 'decrypt_failed',
      );
    }
    assert.throws(() => open(keyring, 'plain-text-token', tokenAad('acct-1', 1), 'token'), /not a kiro-proxy sealed value/);
  });
});
