// Team gateway when Redis goes away under load: every request is still served from the local
// state, /health says degraded (still 200) with one clear log line, a cooldown decided while cut
// off reaches the other instance when Redis is back, and /health is ok again.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { AccountView } from '../../../src/core/proxy-types.ts';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';
import { chat, health, startFleet, type Member } from './gateway-fleet.ts';
import { eventually } from './helpers.ts';

/** Requests at both instances, `width` at a time, until stop(); every status kept. */
function load(members: Member[], width: number): { statuses: number[]; stop(): Promise<void> } {
  const statuses: number[] = [];
  let running = true;
  let n = 0;
  const lanes = Array.from({ length: width }, async () => {
    while (running) {
      const i = n++;
      const r = await chat(members[i % members.length]!.url, `load ${i}`).catch((err: unknown) => ({ status: 0, body: String(err) }));
      statuses.push(r.status);
    }
  });
  return {
    statuses,
    async stop() {
      running = false;
      await Promise.all(lanes);
    },
  };
}

const cooling = (m: Member) =>
  m.proxy.accounts
    .list()
    .filter((a: AccountView) => a.state === 'cooldown')
    .map((a) => a.id);

describe('team gateway: Redis goes away under load', { skip: redisSkip }, () => {
  test('no request is lost, /health says degraded, and Redis back resynchronises the instances', async (t) => {
    const redis = await redisForTest(t, { persistence: true });
    const fleet = await startFleet(t, { redisUrl: redis.url, instances: 2, source: 'base64', accounts: [{ id: 'x' }, { id: 'y' }] });
    const [a, b] = fleet.members as [Member, Member];
    const traffic = load(fleet.members, 4);
    t.after(() => traffic.stop());
    await eventually(() => traffic.statuses.length >= 20, 10_000, 'some traffic');

    await redis.stop();
    for (const m of [a, b]) {
      await eventually(async () => (await health(m.url)).status === 'degraded', 10_000, `${m.name}: /health degraded`);
    }
    const h = await health(a.url);
    assert.equal(h.team?.redis, 'down');
    const duringOutage = traffic.statuses.length;
    await eventually(() => traffic.statuses.length >= duringOutage + 20, 10_000, 'traffic while Redis is away');

    // A cooldown decided while cut off stays on the instance that saw the 429, for now.
    fleet.mock.enqueue({ kind: 'http_error', status: 429, reason: 'DAILY_REQUEST_COUNT', retryAfter: 60 });
    await eventually(() => cooling(a).length + cooling(b).length === 1, 10_000, 'the 429 to cool one account on one instance');
    const [saw, other] = cooling(a).length === 1 ? [a, b] : [b, a];
    const cooled = cooling(saw)[0]!;
    assert.deepEqual(cooling(other), [], 'the other instance cannot know yet');

    await redis.start();
    for (const m of [a, b]) {
      await eventually(async () => (await health(m.url)).status === 'ok', 15_000, `${m.name}: /health ok again`);
    }
    await eventually(() => cooling(other).includes(cooled), 10_000, 'the cooldown to reach the other instance');
    const afterBack = traffic.statuses.length;
    await eventually(() => traffic.statuses.length >= afterBack + 20, 10_000, 'traffic after Redis is back');
    await traffic.stop();

    const failed = traffic.statuses.filter((s) => s !== 200);
    assert.deepEqual(failed, [], `${failed.length} of ${traffic.statuses.length} requests failed`);
    for (const m of [a, b]) {
      const text = m.logger.text();
      assert.equal(text.match(/\[team\] Redis \S+ is unavailable/g)?.length, 1, `${m.name}: one "unavailable" line\n${text}`);
      assert.match(text, /is available again/);
      assert.ok(!text.includes('127.0.0.1:' + String(redis.port) + '@'), 'no credentials in the URL logged');
    }
  });
});

describe('team gateway: started while Redis is away, with a password in its URL', { skip: redisSkip }, () => {
  test('serves from local state, /health degraded; the password appears in no log line, /health, /api/config.get or /metrics', async (t) => {
    const redis = await redisForTest(t);
    const port = redis.port;
    await redis.stop(); // a port nobody answers on
    const password = 'pw-' + randomBytes(8).toString('hex');
    const fleet = await startFleet(t, { redisUrl: `redis://proxy:${password}@127.0.0.1:${port}`, instances: 1, source: 'base64', accounts: [{ id: 'z' }] });
    const m = fleet.members[0] as Member;
    assert.equal((await chat(m.url, 'served without Redis')).status, 200);
    const h = await health(m.url);
    assert.equal(h.status, 'degraded');
    assert.equal(h.team?.redis, 'down');
    const config = await (await fetch(`${m.url}/api/config.get`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).text();
    const metrics = await (await fetch(`${m.url}/metrics`)).text();
    for (const [where, text] of [
      ['logs', m.logger.text()],
      ['/health', JSON.stringify(h)],
      ['/api/config.get', config],
      ['/metrics', metrics],
    ] as const) {
      assert.ok(!text.includes(password), `${where} shows the Redis password`);
    }
    assert.match(m.logger.text(), /\[team\] Redis redis:\/\/proxy:\*\*\*@127\.0\.0\.1:\d+\/? is unavailable/);
  });
});

describe('team gateway: refreshes while Redis is away', { skip: redisSkip }, () => {
  test('a refresh waits for Redis while the token works; one that cannot wait is made once, the other instance on the machine adopts it from the file', async (t) => {
    const redis = await redisForTest(t);
    await redis.stop();
    // Five minutes left: inside the refresh-ahead window, still good to use.
    const fleet = await startFleet(t, { redisUrl: redis.url, instances: 2, accounts: [{ id: 'k', accessTokenTtlSeconds: 300 }] });
    const [a, b] = fleet.members as [Member, Member];
    const acct = fleet.mock.account('k')!;
    acct.accessTokenTtlSeconds = 3600; // what a refresh gives from now on
    for (let i = 0; i < 6; i++) assert.equal((await chat(fleet.members[i % 2]!.url, `while away ${i}`)).status, 200);
    assert.equal(acct.refreshCount, 0, 'no refresh while the token works and Redis is away');
    for (const m of [a, b]) assert.equal(m.logger.text().match(/the refresh waits for it/g)?.length, 1, `${m.name}: said once why it waits`);
    assert.ok(
      fleet.members.every((m) => m.proxy.accounts.list().every((v) => v.state === 'active')),
      'no account shows an error',
    );

    // Kiro stops taking the access token: the refresh cannot wait, and is made locally. B (another
    // home on the same machine) cannot tell A's rotation in the credential file is its account:
    // its old refresh token is refused once, and it carries on with the token the file holds.
    fleet.mock.expireAccessToken('k');
    assert.equal((await chat(a.url, 'after expiry on a')).status, 200);
    assert.equal(acct.refreshCount, 1);
    assert.equal((await chat(b.url, 'after expiry on b')).status, 200);
    const afterB = Number(acct.refreshCount);
    assert.ok(afterB <= 2, `${afterB} refreshes`);
    assert.ok(
      fleet.members.every((m) => m.proxy.accounts.list().every((v) => v.state === 'active')),
      'the account lives on both instances',
    );
    await redis.start();
    for (const m of [a, b]) await eventually(async () => (await health(m.url)).status === 'ok', 15_000, `${m.name}: /health ok again`);
    for (let i = 0; i < 4; i++) assert.equal((await chat(fleet.members[i % 2]!.url, `back ${i}`)).status, 200);
    assert.equal(acct.refreshCount, afterB, 'Redis back: the rotations made while away are shared, not repeated');
  });
});
