// Single-flight refresh across instances, against a real redis-server and a strict fake token
// endpoint that rotates on every refresh and rejects a reused refresh token. The invariant under
// test is the user's: exactly one refresh per rotation, no refresh token used twice, no account
// lost, whether the instances are many and concurrent, or Redis goes away after the refresh.
// The crash cases (a winner killed, a holder frozen) are in refresh-crash.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';
import { teamKeys } from '../../../src/core/team/keys.ts';
import { MemoryLock } from '../../../src/core/team/lock.ts';
import { TeamRefreshCoordinator } from '../../../src/core/team/refresh-coordinator.ts';
import { parseStateKeys } from '../../../src/core/team/state-key.ts';
import { MemoryTokenVault, RedisTokenVault } from '../../../src/core/team/token-vault.ts';
import type { TokenRecord } from '../../../src/core/team/types.ts';
import { httpRefresher } from './fake-token-server.ts';
import { eventually, lineLogger, never } from './helpers.ts';
import { ACCOUNT, instance, tokenServer } from './refresh-fleet.ts';

describe('refresh coordinator across instances', { skip: redisSkip }, () => {
  test('8 concurrent instances, 5 rotations: exactly one refresh per rotation, no refresh token reused, everyone ends on the live token', async (t) => {
    const redis = await redisForTest(t);
    const server = await tokenServer(t);
    const refresher = httpRefresher(server.url);
    const fleet = await Promise.all(Array.from({ length: 8 }, (_, i) => instance(t, redis, `inst-${i}`)));
    for (let round = 1; round <= 5; round++) {
      // Every instance finds its token expiring at the same moment.
      const outcomes = await Promise.all(
        fleet.flatMap((inst) =>
          // Two local callers per instance share one flight.
          [0, 1].map(() =>
            inst.coordinator
              .refresh({ accountId: ACCOUNT, heldGen: inst.held.gen, held: inst.held.tokens }, refresher, AbortSignal.timeout(20_000))
              .then((o) => ({ inst, o })),
          ),
        ),
      );
      for (const { inst, o } of outcomes) inst.held = { gen: o.record.gen, tokens: o.record.tokens };
      assert.equal(outcomes.filter((x) => x.o.source === 'refreshed').length, 2, `round ${round}: one instance refreshed (its two callers shared the flight)`);
      assert.equal(server.rotations, round, `round ${round}: one refresh`);
      assert.equal(server.rejected, 0, `round ${round}: no refresh token used twice`);
      for (const inst of fleet) {
        assert.equal(inst.held.gen, round);
        assert.equal(inst.held.tokens.refreshToken, server.live, `${inst.name} holds the live refresh token`);
      }
    }
    const logs = fleet.map((i) => i.logger.text()).join('\n');
    for (const secret of [server.live, 'rt-0', fleet[0]!.held.tokens.accessToken!]) assert.ok(!logs.includes(secret), 'no token in any log line');
  });

  test('tokens in Redis are encrypted: no token text in any key, and they open only with the key', async (t) => {
    const redis = await redisForTest(t);
    const server = await tokenServer(t);
    const a = await instance(t, redis, 'a');
    const out = await a.coordinator.refresh({ accountId: ACCOUNT, heldGen: 0, held: { refreshToken: 'rt-0' } }, httpRefresher(server.url), never);
    const { accessToken, refreshToken } = out.record.tokens;
    assert.ok(accessToken && refreshToken);
    const raw: string[] = [];
    for (const k of await a.connection.command<string[]>(['KEYS', '*'])) {
      const type = await a.connection.command<string>(['TYPE', k]);
      if (type === 'hash') raw.push(...(await a.connection.command<string[]>(['HGETALL', k])));
      else if (type === 'string') raw.push(await a.connection.command<string>(['GET', k]));
      raw.push(k);
    }
    const dump = raw.join('\n');
    assert.ok(dump.includes('kp1.'), 'a sealed envelope is stored');
    for (const secret of [accessToken, refreshToken, 'rt-0']) assert.ok(!dump.includes(secret), 'no token in clear text');
    // Another deployment's key cannot read it.
    const other = new RedisTokenVault({
      connection: a.connection,
      keys: teamKeys('crash-team'),
      keyring: parseStateKeys(randomBytes(32).toString('hex')),
      instanceId: 'x',
      logger: lineLogger(),
    });
    await assert.rejects(other.read(ACCOUNT, never), /KIRO_PROXY_STATE_KEY/);
  });

  for (const persistence of [true, false]) {
    test(`Redis goes away after the refresh: the new token is kept and shared once Redis is back (${persistence ? 'with its data' : 'restarted empty'})`, async (t) => {
      const redis = await redisForTest(t, { persistence });
      const server = await tokenServer(t);
      const a = await instance(t, redis, 'a');
      const b = await instance(t, redis, 'b');
      await a.vault.write(ACCOUNT, { refreshToken: 'rt-0' }, { expectGen: 0, fence: 0 }, never);
      const refresher = httpRefresher(server.url);
      const out = await a.coordinator.refresh(
        { accountId: ACCOUNT, heldGen: 1, held: { refreshToken: 'rt-0' } },
        async (cur, signal) => {
          const r = await refresher(cur, signal);
          await redis.stop(); // gone between Kiro's answer and the write
          await eventually(() => !a.connection.isUp, 10_000, 'down');
          return r;
        },
        AbortSignal.timeout(20_000),
      );
      assert.equal(out.source, 'refreshed');
      assert.equal(out.record.tokens.refreshToken, server.live, 'the caller gets the live token to persist locally');
      assert.equal(a.coordinator.unshared().length, 1);
      await redis.start();
      await a.connection.waitUntilUp(AbortSignal.timeout(15_000));
      const shared = await a.coordinator.flushUnshared(never);
      assert.equal(shared.get(ACCOUNT)?.gen, persistence ? 2 : 1);
      await b.connection.waitUntilUp(AbortSignal.timeout(15_000));
      const seen = await b.vault.read(ACCOUNT, never);
      assert.equal(seen?.tokens.refreshToken, server.live);
      assert.equal(a.coordinator.unshared().length, 0);
    });
  }
});

describe('refresh coordinator in process', () => {
  test('the same algorithm over the memory lock and vault: concurrent callers, one refresh per rotation', async () => {
    const logger = lineLogger();
    const vault = new MemoryTokenVault({ instanceId: 'solo' });
    const lock = new MemoryLock({ instanceId: 'solo', logger });
    const coordinators = [0, 1, 2].map(() => new TeamRefreshCoordinator({ lock, vault, logger }));
    let live = 'rt-0';
    let rotations = 0;
    let rejected = 0;
    const refresher = async (cur: { refreshToken?: string }) => {
      await new Promise((r) => setTimeout(r, 5));
      if (cur.refreshToken !== live) {
        rejected++;
        throw Object.assign(new Error('invalid_grant'), { code: 'invalid_grant' });
      }
      live = `rt-${++rotations}`;
      return { refreshToken: live, accessToken: `at-${rotations}` };
    };
    let held = { gen: 0, tokens: { refreshToken: 'rt-0' } as TokenRecord['tokens'] };
    for (let round = 1; round <= 3; round++) {
      const outs = await Promise.all(coordinators.map((c) => c.refresh({ accountId: 'a', heldGen: held.gen, held: held.tokens }, refresher, never)));
      held = { gen: outs[0]!.record.gen, tokens: outs[0]!.record.tokens };
      assert.ok(outs.every((o) => o.record.tokens.refreshToken === live));
    }
    assert.equal(rotations, 3);
    assert.equal(rejected, 0);
  });
});
