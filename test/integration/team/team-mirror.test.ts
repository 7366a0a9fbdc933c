// The registry's local copy of the shared account state: what instance A does (a 429 cooldown,
// a suspension, new quota, a rotated token) shows on instance B without B asking Redis, and what
// B missed while its subscription was cut (or Redis restarted) comes back through a snapshot.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test, type TestContext } from 'node:test';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';
import { openRedisTeam } from '../../../src/core/team/redis-team.ts';
import { TeamMirror, type MirrorChange } from '../../../src/core/team/team-mirror.ts';
import type { TeamState } from '../../../src/core/team/types.ts';
import type { UsageLimits } from '../../../src/core/kiro/types.ts';
import { eventually, lineLogger, never, openUp } from './helpers.ts';

const stateKey = randomBytes(32).toString('base64');
const ACCOUNTS = ['acct-x', 'acct-y'];

async function member(t: TestContext, url: string, id: string): Promise<{ team: TeamState; mirror: TeamMirror; changes: MirrorChange[] }> {
  const logger = lineLogger();
  const team = await openRedisTeam({ redisUrl: url, stateKey, commandTimeoutMs: 5000, instance: { id, startedAt: Date.now() }, logger });
  const mirror = new TeamMirror({ team, accountIds: () => ACCOUNTS, logger });
  const changes: MirrorChange[] = [];
  mirror.onChange((c) => changes.push(c));
  await mirror.start();
  t.after(async () => {
    mirror.dispose();
    await team.close();
  });
  return { team, mirror, changes };
}

const quota: UsageLimits = { used: 40, limit: 50, bonusUsed: 0, bonusLimit: 0, freeTrialUsed: 0, freeTrialLimit: 0, fetchedAt: 1 };

describe('team mirror', { skip: redisSkip }, () => {
  test('what A sets shows on B without B asking: cooldown, suspension, quota, a rotated token', async (t) => {
    const redis = await redisForTest(t);
    const a = await member(t, redis.url, 'inst-a');
    const b = await member(t, redis.url, 'inst-b');
    await a.team.pool.setCooldown('acct-x', { durationMs: 60_000, reason: 'rate limited (429)' }, never);
    await eventually(() => b.mirror.get('acct-x')?.cooldownReason === 'rate limited (429)', 10_000, 'the cooldown on B');
    const until = b.mirror.get('acct-x')!.cooldownUntil!;
    assert.ok(until > Date.now() + 50_000 && until <= Date.now() + 60_000);
    await a.team.pool.setDisabled('acct-y', { reason: 'suspended by Kiro' }, never);
    await a.team.pool.setQuota('acct-x', quota, never);
    await a.team.vault.write('acct-x', { refreshToken: 'r1' }, { expectGen: 0, fence: 0, announce: true }, never);
    await eventually(() => b.mirror.get('acct-y')?.disabledUntil === Infinity, 10_000, 'the suspension on B');
    await eventually(() => b.mirror.get('acct-x')?.quota?.used === 40, 10_000, 'the quota on B');
    await eventually(() => b.mirror.get('acct-x')?.tokenGen === 1, 10_000, 'the token generation on B');
    await a.team.pool.clearCooldown('acct-x', never);
    await eventually(() => b.mirror.get('acct-x')?.cooldownUntil === undefined, 10_000, 'the cleared cooldown on B');
    assert.ok(b.changes.some((c) => c.accountId === 'acct-x' && c.what === 'token'));
  });

  test("a gap in B's subscription is closed by a snapshot", async (t) => {
    const redis = await redisForTest(t);
    const a = await member(t, redis.url, 'inst-a');
    const b = await member(t, redis.url, 'inst-b');
    const before = b.mirror.resyncs;
    const admin = await openUp(t, redis.url);
    // Cut every subscriber connection (A's and B's); state set meanwhile may be missed as an event.
    await admin.command(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    await a.team.pool.setCooldown('acct-y', { durationMs: 60_000, reason: 'set during the gap' }, never);
    await eventually(() => b.mirror.resyncs > before, 10_000, 'a resync after the gap');
    await eventually(() => b.mirror.get('acct-y')?.cooldownReason === 'set during the gap', 10_000, 'the state set during the gap');
  });

  test('after a Redis restart (with persistence) B reads the state back', async (t) => {
    const redis = await redisForTest(t, { persistence: true });
    const a = await member(t, redis.url, 'inst-a');
    const b = await member(t, redis.url, 'inst-b');
    await a.team.pool.setDisabled('acct-x', { reason: 'quota used up', durationMs: 3_600_000 }, never);
    await eventually(() => b.mirror.get('acct-x')?.disabledReason === 'quota used up');
    const before = b.mirror.resyncs;
    await redis.stop();
    await eventually(() => b.team.health().state === 'down');
    await redis.start();
    await eventually(() => b.team.health().state === 'up', 15_000, 'up');
    await eventually(() => b.mirror.resyncs > before, 10_000, 'the resync');
    assert.equal(b.mirror.get('acct-x')?.disabledReason, 'quota used up');
  });
});
