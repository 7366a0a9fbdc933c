// The shared token store: compare-and-set on the generation with the writer's fencing token (a
// holder whose lease lapsed cannot overwrite what its successor wrote), the same contract in
// process, and in Redis: sealed at rest, a ciphertext copied to another account does not open,
// and records sealed with an old key are re-sealed under the new one as they are read.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test, type TestContext } from 'node:test';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';
import { TeamError } from '../../../src/core/team/errors.ts';
import { teamKeys } from '../../../src/core/team/keys.ts';
import { parseStateKeys } from '../../../src/core/team/state-key.ts';
import { MemoryTokenVault, RedisTokenVault } from '../../../src/core/team/token-vault.ts';
import type { TokenVault } from '../../../src/core/team/types.ts';
import { lineLogger, never, openUp } from './helpers.ts';

function contract(name: string, make: (t: TestContext) => Promise<TokenVault>, skip: string | false = false) {
  describe(`token vault contract: ${name}`, { skip }, () => {
    test('generations: a write lands only on the generation it was based on', async (t) => {
      const v = await make(t);
      assert.equal(await v.read('acct-1', never), undefined);
      const w1 = await v.write('acct-1', { refreshToken: 'r1', accessToken: 'a1', expiresAt: 111 }, { expectGen: 0, fence: 0 }, never);
      assert.ok(w1.ok);
      assert.equal(w1.record.gen, 1);
      // A second seed (another instance starting with its own copy) does not replace it.
      const seed2 = await v.write('acct-1', { refreshToken: 'r-other' }, { expectGen: 0, fence: 0 }, never);
      assert.ok(!seed2.ok);
      assert.equal(seed2.current?.tokens.refreshToken, 'r1');
      const w2 = await v.write('acct-1', { refreshToken: 'r2' }, { expectGen: 1, fence: 4 }, never);
      assert.ok(w2.ok);
      const r = await v.read('acct-1', never);
      assert.deepEqual({ gen: r?.gen, fence: r?.fence, rt: r?.tokens.refreshToken }, { gen: 2, fence: 4, rt: 'r2' });
    });

    test('fencing: a lapsed holder (lower fence) cannot overwrite what its successor wrote', async (t) => {
      const v = await make(t);
      await v.write('acct-1', { refreshToken: 'r1' }, { expectGen: 0, fence: 0 }, never);
      // Holder with fence 3 read gen 1 and stalled; its successor (fence 5) wrote gen 2.
      assert.ok((await v.write('acct-1', { refreshToken: 'r2-successor' }, { expectGen: 1, fence: 5 }, never)).ok);
      const stale = await v.write('acct-1', { refreshToken: 'r2-lapsed' }, { expectGen: 1, fence: 3 }, never);
      assert.ok(!stale.ok);
      assert.equal(stale.current?.tokens.refreshToken, 'r2-successor');
      // Even a write that names the current generation is refused below the stored fence.
      assert.ok(!(await v.write('acct-1', { refreshToken: 'r3-lapsed' }, { expectGen: 2, fence: 3 }, never)).ok);
      assert.equal((await v.read('acct-1', never))?.tokens.refreshToken, 'r2-successor');
    });
  });
}

contract('in process', async () => new MemoryTokenVault({ instanceId: 'solo' }));

const redisVault = async (t: TestContext) => {
  const redis = await redisForTest(t);
  const connection = await openUp(t, redis.url);
  return new RedisTokenVault({
    connection,
    keys: teamKeys('vault-team'),
    keyring: parseStateKeys(randomBytes(32).toString('base64')),
    instanceId: 'a',
    logger: lineLogger(),
  });
};
contract('Redis', redisVault, redisSkip);

describe('token vault in Redis', { skip: redisSkip }, () => {
  test("a sealed value copied into another account's record does not open", async (t) => {
    const redis = await redisForTest(t);
    const connection = await openUp(t, redis.url);
    const keys = teamKeys('vault-team');
    const v = new RedisTokenVault({ connection, keys, keyring: parseStateKeys(randomBytes(32).toString('base64')), instanceId: 'a', logger: lineLogger() });
    await v.write('acct-1', { refreshToken: 'victim-token' }, { expectGen: 0, fence: 0 }, never);
    await v.write('acct-2', { refreshToken: 'mine' }, { expectGen: 0, fence: 0 }, never);
    const env = await connection.command<string>(['HGET', keys.token('acct-1'), 'env']);
    await connection.command(['HSET', keys.token('acct-2'), 'env', env]);
    await assert.rejects(v.read('acct-2', never), (e) => e instanceof TeamError && e.code === 'decrypt_failed' && !e.message.includes('victim-token'));
  });

  test('key rotation: records sealed with the old key open with NEW,OLD and are re-sealed under the new key', async (t) => {
    const redis = await redisForTest(t);
    const connection = await openUp(t, redis.url);
    const keys = teamKeys('vault-team');
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const before = new RedisTokenVault({ connection, keys, keyring: parseStateKeys(oldKey), instanceId: 'a', logger: lineLogger() });
    await before.write('acct-1', { refreshToken: 'r1' }, { expectGen: 0, fence: 0 }, never);
    const during = new RedisTokenVault({ connection, keys, keyring: parseStateKeys(`${newKey},${oldKey}`), instanceId: 'a', logger: lineLogger() });
    assert.equal((await during.read('acct-1', never))?.tokens.refreshToken, 'r1');
    const newId = parseStateKeys(newKey).current.id;
    let env = '';
    for (let i = 0; i < 100 && !env.startsWith(`kp1.${newId}.`); i++) {
      env = await connection.command<string>(['HGET', keys.token('acct-1'), 'env']);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(env.startsWith(`kp1.${newId}.`), 're-sealed under the new key');
    const after = new RedisTokenVault({ connection, keys, keyring: parseStateKeys(newKey), instanceId: 'a', logger: lineLogger() });
    assert.equal((await after.read('acct-1', never))?.tokens.refreshToken, 'r1', 'the old key can be dropped');
  });
});
