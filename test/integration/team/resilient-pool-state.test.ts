// Redis goes away mid-service: the instance keeps choosing accounts from its own state, which
// still knows what the team announced before (a peer's cooldown); what it decides meanwhile (a
// 429 cooldown) is written to Redis when it is back, so the peer learns it; nothing is lost.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test, type TestContext } from 'node:test';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';
import { openRedisTeam } from '../../../src/core/team/redis-team.ts';
import type { TeamState } from '../../../src/core/team/types.ts';
import type { ResilientPoolState } from '../../../src/core/team/resilient-pool-state.ts';
import { eventually, lineLogger, never } from './helpers.ts';

const stateKey = randomBytes(32).toString('hex');

async function member(t: TestContext, url: string, id: string): Promise<TeamState> {
  const team = await openRedisTeam({ redisUrl: url, stateKey, commandTimeoutMs: 5000, instance: { id, startedAt: Date.now() }, logger: lineLogger() });
  t.after(() => team.close());
  return team;
}

const cands = (...ids: string[]) => ids.map((accountId) => ({ accountId, limit: 0 }));

describe('pool state when Redis goes away', { skip: redisSkip }, () => {
  test("serves from local state that knows the team's cooldowns, and writes its own changes back when Redis returns", async (t) => {
    const redis = await redisForTest(t, { persistence: true });
    const a = await member(t, redis.url, 'inst-a');
    const b = await member(t, redis.url, 'inst-b');
    await b.pool.setCooldown('x', { durationMs: 120_000, reason: '429 on B' }, never);
    // A heard it (event into its local state) before Redis goes.
    await eventually(
      async () => {
        const r = await a.pool.acquire({ candidates: cands('x') }, never);
        if (r.ok) await a.pool.release(r.lease);
        return !r.ok;
      },
      10_000,
      'A to know of the cooldown',
    );
    const held = await a.pool.acquire({ candidates: cands('y') }, never);
    assert.ok(held.ok);

    await redis.stop();
    await eventually(() => a.health().state === 'down');
    const r = await a.pool.acquire({ candidates: cands('x', 'y') }, never);
    assert.ok(r.ok, 'served without Redis');
    assert.equal(r.accountId, 'y', "the peer's cooldown still holds locally");
    await a.pool.setCooldown('y', { durationMs: 120_000, reason: '429 on A while Redis was away' }, never);
    const none = await a.pool.acquire({ candidates: cands('x', 'y') }, never);
    assert.ok(!none.ok);
    assert.deepEqual(
      none.skipped.map((s) => s.why),
      ['cooldown', 'cooldown'],
    );
    await a.pool.release(r.lease); // a local slot, given back locally
    await a.pool.release(held.lease); // a Redis slot while Redis is away: lapses by itself, no throw
    assert.equal((a.pool as ResilientPoolState).pendingWrites, 1);

    await redis.start();
    await eventually(() => (a.pool as ResilientPoolState).pendingWrites === 0, 15_000, 'the pending change to be written');
    await eventually(() => b.health().state === 'up', 15_000, 'B up');
    const seen = await b.pool.snapshot(['x', 'y'], never);
    assert.equal(seen.get('y')?.cooldown?.reason, '429 on A while Redis was away');
    assert.ok(seen.get('y')!.cooldown!.remainingMs > 60_000);
    assert.equal(seen.get('x')?.cooldown?.reason, '429 on B', 'what was written before the outage survived (AOF)');
  });
});
