// Team mode in the hosts' status (ProxyStatus.team, read by the dashboard's service panel and the
// VS Code status bar): the same view /health shows, only in team mode, never the Redis URL, and a
// status event when Redis goes down and comes back (so the editor updates without a request).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProxyStatus } from '../../../src/core/proxy-types.ts';
import { teamSummary } from '../../../src/core/admin/team-summary.ts';
import { startTestProxy } from '../../helpers/proxy.ts';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';
import { health, startFleet, type Member } from './gateway-fleet.ts';
import { eventually } from './helpers.ts';

test('local mode: no team in the status', async (t) => {
  const p = await startTestProxy();
  t.after(() => p.close());
  assert.equal(p.proxy.status().running, true);
  assert.equal(p.proxy.status().team, undefined);
});

test('teamSummary words the view for the hosts', () => {
  const at = () => '11:02';
  assert.equal(teamSummary({ mode: 'redis', instance: 'i', redis: 'up', since: 0, instances: 3 }, at), 'Redis up · 3 instances');
  assert.equal(teamSummary({ mode: 'redis', instance: 'i', redis: 'up', since: 0, instances: 1 }, at), 'Redis up · 1 instance');
  assert.equal(teamSummary({ mode: 'redis', instance: 'i', redis: 'up', since: 0 }, at), 'Redis up');
  assert.equal(
    teamSummary({ mode: 'redis', instance: 'i', redis: 'down', since: 0, instances: 2 }, at),
    'Redis unreachable since 11:02 — serving from local state',
  );
});

describe('team mode status', { skip: redisSkip }, () => {
  test('the status carries the /health team view without the URL, and a status event follows Redis down and up', async (t) => {
    const redis = await redisForTest(t);
    const fleet = await startFleet(t, { redisUrl: redis.url, instances: 2, source: 'base64', accounts: [{ id: 'x' }] });
    const a = fleet.members[0] as Member;
    const events: ProxyStatus[] = [];
    const sub = a.proxy.onEvent((ev) => ev.type === 'status' && events.push(ev.status));
    t.after(() => sub.dispose());

    await eventually(() => a.proxy.status().team?.instances === 2, 10_000, 'both instances in the status');
    const team = a.proxy.status().team!;
    assert.deepEqual(Object.keys(team).sort(), ['instance', 'instances', 'mode', 'redis', 'since']);
    assert.equal(team.mode, 'redis');
    assert.equal(team.redis, 'up');
    assert.deepEqual(team, (await health(a.url)).team, 'one source: the same view as /health');
    assert.ok(!JSON.stringify(a.proxy.status()).includes(String(redis.port)), 'no Redis address in the status');

    await redis.stop();
    await eventually(() => events.some((s) => s.team?.redis === 'down'), 10_000, 'a status event with Redis down');
    assert.equal(a.proxy.status().team?.redis, 'down');
    await redis.start();
    await eventually(() => events.at(-1)?.team?.redis === 'up', 15_000, 'a status event with Redis up again');
  });
});
