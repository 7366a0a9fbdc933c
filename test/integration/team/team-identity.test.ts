// The team's account identity index: refresh token → account id under a keyed hash (HMAC with a
// key derived from KIRO_PROXY_STATE_KEY), so Redis holds neither a token nor its plain
// fingerprint; a claim never takes over another account's token (it warns); a rotation written to
// the vault is indexed in the same script; a claim made while Redis is away lands when it is back.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test, type TestContext } from 'node:test';
import { tokenFingerprint } from '../../../src/core/accounts/tokens/token-fingerprint.ts';
import type { TeamConnection } from '../../../src/core/team/connection.ts';
import { teamKeys } from '../../../src/core/team/keys.ts';
import { parseStateKeys } from '../../../src/core/team/state-key.ts';
import { IDENTITY_TTL_MS, RedisTeamIdentity, identityHash } from '../../../src/core/team/team-identity.ts';
import { RedisTokenVault } from '../../../src/core/team/token-vault.ts';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';
import { eventually, lineLogger, never, openUp, type LineLogger } from './helpers.ts';

const key = () => randomBytes(32).toString('base64');
const token = () => `rt-${randomBytes(24).toString('base64url')}`;

function identity(connection: TeamConnection, stateKey: string, logger: LineLogger = lineLogger()): RedisTeamIdentity {
  return new RedisTeamIdentity({ connection, keys: teamKeys('ident-team'), keyring: parseStateKeys(stateKey), logger });
}

async function dump(conn: TeamConnection): Promise<{ keys: string[]; text: string }> {
  const keys = await conn.command<string[]>(['KEYS', '*']);
  const raw = [...keys];
  for (const k of keys) {
    const type = await conn.command<string>(['TYPE', k]);
    if (type === 'hash') raw.push(...(await conn.command<string[]>(['HGETALL', k])));
    else if (type === 'string') raw.push(await conn.command<string>(['GET', k]));
  }
  return { keys, text: raw.join('\n') };
}

const settled = (conn: TeamConnection, n: number) => eventually(async () => (await conn.command<string[]>(['KEYS', '*'])).length >= n, 5000, `${n} keys`);

describe('team identity index', () => {
  test('the keyed hash: 128 bits of HMAC under the derived identity key, unlike the plain fingerprint', () => {
    const fp = tokenFingerprint(token());
    const k1 = parseStateKeys(key()).current.identityKey;
    const k2 = parseStateKeys(key()).current.identityKey;
    assert.match(identityHash(k1, fp), /^[0-9a-f]{32}$/);
    assert.equal(identityHash(k1, fp), identityHash(k1, fp));
    assert.notEqual(identityHash(k1, fp), identityHash(k2, fp), 'another state key, another hash');
    assert.ok(!identityHash(k1, fp).includes(fp));
  });

  describe('in Redis', { skip: redisSkip }, () => {
    const open = async (t: TestContext) => openUp(t, (await redisForTest(t)).url);

    test('remember → lookup; keys and values hold no token and no plain fingerprint; 90-day TTL', async (t) => {
      const conn = await open(t);
      const stateKey = key();
      const ident = identity(conn, stateKey);
      t.after(() => ident.dispose());
      const tokens = [token(), token(), token()];
      ident.remember('file-abc', tokens.map(tokenFingerprint), 'A');
      await settled(conn, 3);
      assert.equal(await ident.lookup([tokenFingerprint(tokens[1]!)], never), 'file-abc');
      assert.equal(await ident.lookup([tokenFingerprint(token()), tokenFingerprint(tokens[2]!)], never), 'file-abc');
      assert.equal(await ident.lookup([tokenFingerprint(token())], never), undefined);
      const { keys, text } = await dump(conn);
      for (const k of keys) {
        assert.match(k, /^\{ident-team\}:ident:[0-9a-f]{32}$/);
        const ttl = await conn.command<number>(['PTTL', k]);
        assert.ok(ttl > IDENTITY_TTL_MS - 60_000 && ttl <= IDENTITY_TTL_MS, `ttl ${ttl}`);
      }
      for (const tk of tokens) {
        assert.ok(!text.includes(tk), 'no token');
        assert.ok(!text.includes(tokenFingerprint(tk)), 'no plain fingerprint');
      }
      // Another deployment's state key finds nothing.
      const other = identity(conn, key());
      t.after(() => other.dispose());
      assert.equal(await other.lookup([tokenFingerprint(tokens[0]!)], never), undefined);
    });

    test("a claim never takes another account's token: it keeps the team's id and warns naming both", async (t) => {
      const conn = await open(t);
      const stateKey = key();
      const logger = lineLogger();
      const ident = identity(conn, stateKey, logger);
      t.after(() => ident.dispose());
      const shared = token();
      ident.remember('file-team', [tokenFingerprint(shared)], 'first');
      await settled(conn, 1);
      ident.remember('file-mine', [tokenFingerprint(shared), tokenFingerprint(token())], 'second');
      await eventually(() => logger.text().includes('already knows its refresh token as account file-team'), 5000, 'the warning');
      assert.match(logger.text(), /serves the account as file-mine/);
      assert.equal(await ident.lookup([tokenFingerprint(shared)], never), 'file-team');
      assert.ok(!logger.text().includes(shared));
    });

    test('a rotation written to the vault is indexed in the same script; a state key rotation still finds old entries', async (t) => {
      const conn = await open(t);
      const oldKey = key();
      const ident = identity(conn, oldKey);
      t.after(() => ident.dispose());
      const keyring = parseStateKeys(oldKey);
      const vault = new RedisTokenVault({ connection: conn, keys: teamKeys('ident-team'), keyring, instanceId: 'a', logger: lineLogger(), identity: ident });
      const rotated = token();
      const w = await vault.write('file-v', { refreshToken: rotated, accessToken: 'at' }, { expectGen: 0, fence: 1, announce: true }, never);
      assert.ok(w.ok);
      assert.equal(await ident.lookup([tokenFingerprint(rotated)], never), 'file-v');
      // NEW,OLD: entries written under OLD are still found.
      const rotatedKeys = identity(conn, `${key()},${oldKey}`);
      t.after(() => rotatedKeys.dispose());
      assert.equal(await rotatedKeys.lookup([tokenFingerprint(rotated)], never), 'file-v');
      assert.ok(!(await dump(conn)).text.includes(rotated));
    });

    test('Redis away: lookup throws at once, a claim waits and lands when Redis is back', async (t) => {
      const redis = await redisForTest(t);
      const conn = await openUp(t, redis.url);
      const ident = identity(conn, key());
      t.after(() => ident.dispose());
      await redis.stop();
      await eventually(() => !conn.isUp, 5000, 'the connection to see Redis gone');
      const tk = token();
      await assert.rejects(ident.lookup([tokenFingerprint(tk)], never));
      ident.remember('file-late', [tokenFingerprint(tk)], 'late');
      await redis.start();
      await conn.waitUntilUp(AbortSignal.timeout(15_000));
      await eventually(async () => (await ident.lookup([tokenFingerprint(tk)], never)) === 'file-late', 10_000, 'the claim after Redis came back');
    });
  });
});
