// Team mode as the composition root will open it: refuses to start without a state key, starts
// while Redis is away (serving locally) and joins when it answers, lists the live instances,
// announces instances coming and going, drops its own echoes and stray messages, and keeps
// teams with different key prefixes apart.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test, type TestContext } from 'node:test';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';
import { TeamConnection } from '../../../src/core/team/connection.ts';
import { TeamError } from '../../../src/core/team/errors.ts';
import { InstancePresence } from '../../../src/core/team/instance-presence.ts';
import { teamKeys } from '../../../src/core/team/keys.ts';
import { openRedisTeam, type RedisTeamConfig } from '../../../src/core/team/redis-team.ts';
import type { TeamEvent, TeamState } from '../../../src/core/team/types.ts';
import { eventually, lineLogger, never, openUp } from './helpers.ts';

const stateKey = randomBytes(32).toString('base64');

async function open(t: TestContext, url: string, id: string, extra: Partial<RedisTeamConfig> = {}): Promise<TeamState> {
  const team = await openRedisTeam({
    redisUrl: url,
    stateKey,
    commandTimeoutMs: 5000,
    instance: { id, startedAt: Date.now(), address: `${id}:8080` },
    logger: lineLogger(),
    ...extra,
  });
  t.after(() => team.close());
  return team;
}

describe('team mode (Redis)', { skip: redisSkip }, () => {
  test('refuses to start without KIRO_PROXY_STATE_KEY, before connecting, and says how to make one', async () => {
    await assert.rejects(
      openRedisTeam({ redisUrl: 'redis://127.0.0.1:1', stateKey: undefined, instance: { id: 'a', startedAt: 0 }, logger: lineLogger() }),
      (e) => e instanceof TeamError && e.code === 'bad_state_key' && /openssl rand -base64 32/.test(e.message),
    );
  });

  test('lists live instances; a clean stop announces instance-down; a crashed one lapses', async (t) => {
    const redis = await redisForTest(t);
    const a = await open(t, redis.url, 'inst-a');
    const heard: TeamEvent[] = [];
    a.events.subscribe((e) => heard.push(e));
    const b = await open(t, redis.url, 'inst-b');
    await eventually(() => heard.some((e) => e.type === 'instance-up' && e.instance.id === 'inst-b'), 10_000, 'instance-up');
    assert.deepEqual(
      (await a.instances(never)).map((i) => i.id),
      ['inst-a', 'inst-b'],
    );
    await b.close();
    await eventually(() => heard.some((e) => e.type === 'instance-down' && e.instanceId === 'inst-b'), 10_000, 'instance-down');
    assert.deepEqual(
      (await a.instances(never)).map((i) => i.id),
      ['inst-a'],
    );

    // A crash: the process is gone without leaving; its entry runs out with its lease.
    const conn = await TeamConnection.open({ url: redis.url, logger: lineLogger() });
    await conn.waitUntilUp(AbortSignal.timeout(15_000));
    const ghost = new InstancePresence({
      connection: conn,
      keys: teamKeys(),
      info: { id: 'inst-ghost', startedAt: Date.now() },
      logger: lineLogger(),
      ttlMs: 300,
    });
    await ghost.start();
    assert.ok((await a.instances(never)).some((i) => i.id === 'inst-ghost'));
    await conn.close(); // dies without stop()
    await eventually(async () => !(await a.instances(never)).some((i) => i.id === 'inst-ghost'), 10_000, 'the ghost to lapse');
  });

  test('starts while Redis is away: serves from local state, joins and announces itself when Redis answers', async (t) => {
    const redis = await redisForTest(t);
    await redis.stop();
    // Resolves while Redis is still stopped: opening never waits for it.
    const a = await open(t, redis.url, 'inst-a', { connectTimeoutMs: 300 });
    assert.equal(a.health().state, 'down');
    // Requests are served from the instance's own state meanwhile.
    assert.ok((await a.pool.acquire({ candidates: [{ accountId: 'x', limit: 0 }] }, never)).ok);
    await redis.start();
    await eventually(() => a.health().state === 'up', 10_000, 'up');
    const watcher = await openUp(t, redis.url);
    await eventually(async () => (await watcher.command<string[]>(['ZRANGE', teamKeys().instances, '0', '-1'])).includes('inst-a'), 10_000, 'registration');
    assert.ok((await a.pool.acquire({ candidates: [{ accountId: 'x', limit: 0 }] }, never)).ok);
  });

  test('drops its own echoes and messages that do not parse; teams with other prefixes are not heard', async (t) => {
    const redis = await redisForTest(t);
    const a = await open(t, redis.url, 'inst-a');
    const b = await open(t, redis.url, 'inst-b');
    const other = await open(t, redis.url, 'inst-c', { keyPrefix: 'other-team' });
    const heardA: TeamEvent[] = [];
    const heardB: TeamEvent[] = [];
    const heardOther: TeamEvent[] = [];
    a.events.subscribe((e) => heardA.push(e));
    b.events.subscribe((e) => heardB.push(e));
    other.events.subscribe((e) => heardOther.push(e));
    const raw = await openUp(t, redis.url);
    await raw.command(['PUBLISH', teamKeys().events, 'not json']);
    await raw.command(['PUBLISH', teamKeys().events, JSON.stringify({ v: 1, from: 'x', at: 0, event: { type: 'token-rotated', accountId: 'a', gen: -1 } })]);
    await a.events.publish({ type: 'token-rotated', accountId: 'acct-1', gen: 7 }, never);
    await eventually(() => heardB.length === 1, 10_000, 'B to hear A');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(heardB, [{ type: 'token-rotated', accountId: 'acct-1', gen: 7 }]);
    assert.deepEqual(heardA, []);
    assert.deepEqual(heardOther, []);
  });
});
