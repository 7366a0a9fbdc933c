// SharedPoolState: one contract run against the in-process implementation and against Redis with
// two "instances" (two connections), then what only Redis mode has: caps that hold across
// instances, a crashed instance's in-flight slots lapsing, renewal of live ones, events that go
// out with the state change, fail-fast when Redis is away.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';
import { isTeamUnavailable } from '../../../src/core/team/errors.ts';
import { teamKeys } from '../../../src/core/team/keys.ts';
import { MemoryPoolState } from '../../../src/core/team/memory-pool-state.ts';
import { RedisPoolState } from '../../../src/core/team/redis-pool-state.ts';
import { RedisTeamEvents } from '../../../src/core/team/team-events.ts';
import type { SharedPoolState, TeamEvent } from '../../../src/core/team/types.ts';
import type { UsageLimits } from '../../../src/core/kiro/types.ts';
import { eventually, lineLogger, never, openUp } from './helpers.ts';

interface Pair {
  /** Two instances sharing state (the same object in process). */
  a: SharedPoolState;
  b: SharedPoolState;
}

const quota: UsageLimits = {
  used: 12,
  limit: 50,
  bonusUsed: 0,
  bonusLimit: 0,
  freeTrialUsed: 0,
  freeTrialLimit: 0,
  fetchedAt: 1_700_000_000_000,
  nextResetAt: 1_800_000_000_000,
};
const cands = (...ids: string[]) => ids.map((accountId) => ({ accountId, limit: 0 }));

function contract(name: string, make: (t: TestContext) => Promise<Pair>, skip: string | false = false) {
  describe(`shared pool state contract: ${name}`, { skip }, () => {
    test('takes the first candidate that can serve, and releases', async (t) => {
      const { a, b } = await make(t);
      const r = await a.acquire({ candidates: cands('x', 'y') }, never);
      assert.ok(r.ok);
      assert.equal(r.accountId, 'x');
      assert.equal(r.inFlight, 1);
      const s = await b.snapshot(['x', 'y'], never);
      assert.equal(s.get('x')!.inFlight, 1);
      assert.equal(s.get('y')!.inFlight, 0);
      await a.release(r.lease);
      await a.release(r.lease); // idempotent
      assert.equal((await b.snapshot(['x'], never)).get('x')!.inFlight, 0);
    });

    test('a cap holds for everyone, and a full account passes the request to the next', async (t) => {
      const { a, b } = await make(t);
      const capped = [
        { accountId: 'x', limit: 2 },
        { accountId: 'y', limit: 0 },
      ];
      const r1 = await a.acquire({ candidates: capped }, never);
      const r2 = await b.acquire({ candidates: capped }, never);
      const r3 = await a.acquire({ candidates: capped }, never);
      assert.ok(r1.ok && r2.ok && r3.ok);
      assert.deepEqual([r1.accountId, r2.accountId, r3.accountId], ['x', 'x', 'y']);
      const none = await b.acquire({ candidates: [{ accountId: 'x', limit: 2 }] }, never);
      assert.deepEqual(none, { ok: false, skipped: [{ accountId: 'x', why: 'full' }] });
      await a.release(r1.lease);
      const r4 = await b.acquire({ candidates: capped }, never);
      assert.ok(r4.ok);
      assert.equal(r4.accountId, 'x');
    });

    test('a cooldown set by one instance is skipped by the other, with its reason, and ends by itself', async (t) => {
      const { a, b } = await make(t);
      await a.setCooldown('x', { durationMs: 300, reason: 'rate limited (429)' }, never);
      const r = await b.acquire({ candidates: cands('x', 'y') }, never);
      assert.ok(r.ok);
      assert.equal(r.accountId, 'y');
      const only = await b.acquire({ candidates: cands('x') }, never);
      assert.ok(!only.ok);
      assert.equal(only.skipped[0]!.why, 'cooldown');
      assert.ok(only.skipped[0]!.remainingMs! > 0 && only.skipped[0]!.remainingMs! <= 300);
      const snap = (await b.snapshot(['x'], never)).get('x')!;
      assert.equal(snap.cooldown?.reason, 'rate limited (429)');
      await eventually(async () => (await b.acquire({ candidates: cands('x') }, never)).ok, 10_000, 'cooldown to end');
    });

    test('clearCooldown ends it at once; disabled with and without an end', async (t) => {
      const { a, b } = await make(t);
      await a.setCooldown('x', { durationMs: 60_000, reason: 'r' }, never);
      await b.clearCooldown('x', never);
      assert.ok((await a.acquire({ candidates: cands('x') }, never)).ok);
      await a.setDisabled('y', { reason: 'suspended by Kiro' }, never);
      await a.setDisabled('z', { reason: 'quota used up', durationMs: 60_000 }, never);
      const s = await b.snapshot(['y', 'z'], never);
      assert.deepEqual({ ...s.get('y')!.disabled, by: undefined }, { reason: 'suspended by Kiro', by: undefined });
      assert.equal(s.get('y')!.disabled!.remainingMs, undefined);
      assert.ok(s.get('z')!.disabled!.remainingMs! > 59_000);
      const r = await b.acquire({ candidates: cands('y', 'z') }, never);
      assert.ok(!r.ok);
      assert.deepEqual(
        r.skipped.map((x) => x.why),
        ['disabled', 'disabled'],
      );
      await b.clearDisabled('y', never);
      const r2 = await a.acquire({ candidates: cands('y', 'z') }, never);
      assert.ok(r2.ok);
      assert.equal(r2.accountId, 'y');
    });

    test('a conversation stays on its account across instances, and moves when that account cannot serve', async (t) => {
      const { a, b } = await make(t);
      const first = await a.acquire({ candidates: cands('x', 'y'), stickyKey: 'conv-1' }, never);
      assert.ok(first.ok);
      assert.equal(first.accountId, 'x');
      assert.equal(first.sticky, false);
      // The other instance prefers y by its own strategy, but the conversation is bound to x.
      const again = await b.acquire({ candidates: cands('y', 'x'), stickyKey: 'conv-1' }, never);
      assert.ok(again.ok);
      assert.equal(again.accountId, 'x');
      assert.equal(again.sticky, true);
      await a.setCooldown('x', { durationMs: 60_000, reason: '429' }, never);
      const moved = await b.acquire({ candidates: cands('x', 'y'), stickyKey: 'conv-1' }, never);
      assert.ok(moved.ok);
      assert.equal(moved.accountId, 'y');
      await a.clearCooldown('x', never);
      const stays = await a.acquire({ candidates: cands('x', 'y'), stickyKey: 'conv-1' }, never);
      assert.ok(stays.ok);
      assert.equal(stays.accountId, 'y', 'rebound to the account that served last');
    });

    test('quota figures are shared', async (t) => {
      const { a, b } = await make(t);
      await a.setQuota('x', quota, never);
      const s = (await b.snapshot(['x'], never)).get('x')!;
      assert.equal(s.quota?.limits.used, 12);
      assert.equal(s.quota?.limits.limit, 50);
      assert.equal(s.quota?.limits.nextResetAt, quota.nextResetAt);
    });
  });
}

contract('in process', async () => {
  const s = new MemoryPoolState({ instanceId: 'solo' });
  return { a: s, b: s };
});

// The contract and the tests below see every release go back to Redis; keeping a released slot
// reserved for the next request is tested in reserved-slots.test.ts.
async function redisPair(t: TestContext, options: { leaseTtlMs?: number } = {}) {
  const redis = await redisForTest(t);
  const keys = teamKeys('test-team');
  const logger = lineLogger();
  const connA = await openUp(t, redis.url, { reconnectMinMs: 20, reconnectMaxMs: 100 });
  const connB = await openUp(t, redis.url, { reconnectMinMs: 20, reconnectMaxMs: 100 });
  const a = new RedisPoolState({ connection: connA, keys, instanceId: 'inst-a', logger, reserveIdleMs: 0, ...options });
  const b = new RedisPoolState({ connection: connB, keys, instanceId: 'inst-b', logger, reserveIdleMs: 0, ...options });
  t.after(() => {
    a.dispose();
    b.dispose();
  });
  return { redis, keys, connA, connB, a, b };
}

contract('Redis, two instances', async (t) => redisPair(t), redisSkip);

describe('shared pool state in Redis', { skip: redisSkip }, () => {
  test("a crashed instance's in-flight slots lapse; a live instance's slots are renewed past the lease", async (t) => {
    const { a, b } = await redisPair(t, { leaseTtlMs: 1000 });
    const capped = [{ accountId: 'x', limit: 1 }];
    const held = await a.acquire({ candidates: capped }, never);
    assert.ok(held.ok);
    // A is alive and renews: after three lease lengths the slot is still taken.
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(await b.acquire({ candidates: capped }, never), { ok: false, skipped: [{ accountId: 'x', why: 'full' }] });
    // A "crashes": no release, no renewal. The slot frees itself within the lease.
    a.dispose();
    await eventually(async () => (await b.acquire({ candidates: capped }, never)).ok, 10_000, 'the lapsed slot');
  });

  test('state changes are announced with the change; the peer hears them, the sender does not', async (t) => {
    const { connA, connB, keys, a } = await redisPair(t);
    const logger = lineLogger();
    const busA = await RedisTeamEvents.start({ connection: connA, keys, instanceId: 'inst-a', logger });
    const busB = await RedisTeamEvents.start({ connection: connB, keys, instanceId: 'inst-b', logger });
    t.after(() => {
      busA.dispose();
      busB.dispose();
    });
    const heardA: TeamEvent[] = [];
    const heardB: { e: TeamEvent; from: string }[] = [];
    busA.subscribe((e) => heardA.push(e));
    busB.subscribe((e, m) => heardB.push({ e, from: m.from }));
    await a.setCooldown('x', { durationMs: 5000, reason: 'rate limited (429)' }, never);
    await a.setDisabled('y', { reason: 'suspended' }, never);
    await a.setQuota('x', quota, never);
    await a.clearCooldown('x', never);
    await a.clearCooldown('x', never); // nothing to clear: no event
    await eventually(() => heardB.length >= 4, 10_000, 'events on B');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      heardB.map((h) => h.e.type),
      ['cooldown-started', 'account-disabled', 'quota-updated', 'cooldown-cleared'],
    );
    assert.ok(heardB.every((h) => h.from === 'inst-a'));
    const cd = heardB[0]!.e;
    assert.ok(cd.type === 'cooldown-started' && cd.accountId === 'x' && cd.remainingMs === 5000 && cd.reason === 'rate limited (429)');
    assert.deepEqual(heardA, [], 'own echoes are dropped');
  });

  test('while Redis is away calls fail at once (the pool serves from local state); release does not throw', async (t) => {
    const { redis, a } = await redisPair(t);
    const r = await a.acquire({ candidates: cands('x') }, never);
    assert.ok(r.ok);
    await redis.stop();
    await eventually(
      async () => {
        try {
          await a.acquire({ candidates: cands('x') }, never);
          return false;
        } catch (e) {
          return isTeamUnavailable(e);
        }
      },
      10_000,
      'fail-fast',
    );
    await a.release(r.lease);
    await assert.rejects(a.setCooldown('x', { durationMs: 1000, reason: 'r' }, never), (e) => isTeamUnavailable(e));
  });

  test('without a reserved slot a request costs one command to take the slot and one to give it back', async (t) => {
    const { connA, a } = await redisPair(t);
    const candidates = [
      { accountId: 'x', limit: 4 },
      { accountId: 'y', limit: 4 },
    ];
    await a.setCooldown('x', { durationMs: 60_000, reason: '429' }, never);
    await a.acquire({ candidates, stickyKey: 'warm' }, never); // loads the script (EVALSHA → NOSCRIPT → EVAL)
    const before = connA.commandsSent;
    const r = await a.acquire({ candidates, stickyKey: 'conv-9' }, never);
    const mid = connA.commandsSent;
    assert.ok(r.ok);
    assert.equal(r.accountId, 'y', 'the cooling account was checked and skipped in the same call');
    await a.release(r.lease);
    assert.equal(mid - before, 1, 'acquire: one command');
    assert.equal(connA.commandsSent - mid, 1, 'release: one command');
  });

  test('keys live under the configured prefix, in one hash slot', async (t) => {
    const { connA, a } = await redisPair(t);
    await a.setCooldown('x', { durationMs: 5000, reason: 'r' }, never);
    await a.acquire({ candidates: cands('x', 'y'), stickyKey: 'conv' }, never);
    await a.clearCooldown('x', never);
    await a.acquire({ candidates: cands('x'), stickyKey: 'conv' }, never);
    const all = await connA.command<string[]>(['KEYS', '*']);
    assert.ok(all.length >= 2);
    for (const k of all) assert.ok(k.startsWith('{test-team}:'), k);
  });
});
