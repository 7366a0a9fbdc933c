// Team gateway, the shared pool: real proxy instances (createProxy, team mode) in this process,
// one strict mock Kiro, one real redis-server. A cooldown one instance decides reaches the
// others through pub/sub; a conversation stays on its account whichever instance serves it;
// the tokens Redis holds are sealed; /health and /loadbalancer/instances tell the team's truth.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import { createClient } from '@redis/client';
import type { AccountView } from '../../../src/core/proxy-types.ts';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';
import { chat, health, startFleet, type Member } from './gateway-fleet.ts';
import { eventually } from './helpers.ts';

/** performance.now() at which `m` first shows `pred` true for some account (from its account events). */
function firstSeen(m: Member, pred: (a: AccountView) => boolean): { at: () => number | undefined; account: () => AccountView | undefined; dispose(): void } {
  let at: number | undefined;
  let account: AccountView | undefined;
  const sub = m.proxy.onEvent((ev) => {
    if (ev.type !== 'accounts' || at !== undefined) return;
    const hit = ev.accounts.find(pred);
    if (hit) {
      at = performance.now();
      account = hit;
    }
  });
  return { at: () => at, account: () => account, dispose: () => sub.dispose() };
}

describe('team gateway: the shared pool', { skip: redisSkip }, () => {
  test('a 429 seen by instance A cools the account on instance B within 100 ms, through a pub/sub event', async (t) => {
    const redis = await redisForTest(t);
    const fleet = await startFleet(t, { redisUrl: redis.url, instances: 2, accounts: [{ id: 'x' }, { id: 'y' }] });
    const [a, b] = fleet.members as [Member, Member];
    const cooled = (v: AccountView) => v.state === 'cooldown';
    const onA = firstSeen(a, cooled);
    const onB = firstSeen(b, cooled);
    t.after(() => (onA.dispose(), onB.dispose()));
    fleet.mock.enqueue({ kind: 'http_error', status: 429, reason: 'DAILY_REQUEST_COUNT', retryAfter: 30 });
    const r = await chat(a.url, 'cool me down');
    assert.equal(r.status, 200, 'A fails over to the other account');
    await eventually(() => onB.at() !== undefined, 5000, 'B to show the cooldown');
    const ms = onB.at()! - onA.at()!;
    process.stdout.write(`# cooldown A → B propagation: ${ms.toFixed(1)} ms\n`);
    assert.equal(onB.account()!.id, onA.account()!.id, 'the same account');
    assert.ok(ms < 100, `propagation took ${ms.toFixed(1)} ms`);
    // B learned it from the event (no request of its own ran), and will not pick the account.
    assert.equal(b.proxy.logs().length, 0);
    const cooledId = onA.account()!.id;
    for (let i = 0; i < 3; i++) assert.equal((await chat(b.url, `b ${i}`)).status, 200);
    assert.ok(
      b.proxy.logs().every((e) => e.accountId !== cooledId),
      'B routes around the account A cooled',
    );
  });

  test('a conversation stays on its account whichever instance serves it', async (t) => {
    const redis = await redisForTest(t);
    const fleet = await startFleet(t, {
      redisUrl: redis.url,
      instances: 3,
      accounts: [{ id: 'p' }, { id: 'q' }, { id: 'r' }],
      config: { selectionStrategy: 'round-robin' },
    });
    const convs = ['first conversation', 'second conversation', 'third conversation', 'fourth conversation'];
    const served = new Map<string, Set<string>>();
    for (let round = 0; round < 3; round++) {
      for (const [i, c] of convs.entries()) {
        const m = fleet.members[(i + round) % fleet.members.length]!;
        assert.equal((await chat(m.url, c)).status, 200);
        const seen = fleet.mock.chatRequests().at(-1)!.accountId!;
        if (!served.has(c)) served.set(c, new Set());
        served.get(c)!.add(seen);
      }
    }
    for (const [c, accounts] of served) assert.equal(accounts.size, 1, `${c} moved between accounts: ${[...accounts].join(', ')}`);
    assert.ok(new Set([...served.values()].map((s) => [...s][0])).size > 1, 'round-robin spread the conversations over the accounts');
  });

  test('tokens in Redis are sealed: no raw key holds a token or a part of one; /health and /loadbalancer/instances show the team', async (t) => {
    const redis = await redisForTest(t);
    const fleet = await startFleet(t, { redisUrl: redis.url, instances: 2, accounts: [{ id: 's', accessTokenExpired: true }] });
    const [a, b] = fleet.members as [Member, Member];
    assert.equal((await chat(a.url, 'refresh please')).status, 200);
    const acct = fleet.mock.account('s')!;
    assert.equal(acct.refreshCount, 1);
    const client = createClient({ url: redis.url });
    client.on('error', () => undefined); // the server goes before the client at the end
    await client.connect();
    t.after(() => client.close());
    const keys = await client.keys('*');
    assert.ok(
      keys.some((k) => k.endsWith(':token')),
      `a token record is stored: ${keys.join(', ')}`,
    );
    const needles = [acct.accessToken, acct.refreshToken].flatMap((tok) => [tok, tok.slice(0, 16), tok.slice(-16)]);
    for (const k of keys) {
      const type = await client.type(k);
      const raw =
        type === 'hash'
          ? JSON.stringify(await client.hGetAll(k))
          : type === 'string'
            ? ((await client.get(k)) ?? '')
            : type === 'zset'
              ? JSON.stringify(await client.zRange(k, 0, -1))
              : '';
      for (const n of needles) assert.ok(!raw.includes(n), `key ${k} holds a token substring`);
    }
    // B took the rotated token without a refresh of its own.
    assert.equal((await chat(b.url, 'and on b')).status, 200);
    assert.equal(acct.refreshCount, 1);
    await eventually(async () => (await health(a.url)).team?.instances === 2, 10_000, 'both instances in /health');
    const h = await health(b.url);
    assert.equal(h.status, 'ok');
    assert.equal(h.team?.mode, 'redis');
    assert.equal(h.team?.redis, 'up');
    assert.ok(!JSON.stringify(h).includes(redis.url), 'no URL in /health');
    const viewA = (await (await fetch(`${a.url}/loadbalancer/instances`)).json()) as AccountView[];
    const viewB = (await (await fetch(`${b.url}/loadbalancer/instances`)).json()) as AccountView[];
    assert.deepEqual(
      viewA.map((v) => [v.id, v.state]),
      viewB.map((v) => [v.id, v.state]),
    );
  });

  test('the per-account concurrency cap holds across instances, the slots instances keep reserved included', async (t) => {
    const redis = await redisForTest(t);
    const fleet = await startFleet(t, { redisUrl: redis.url, instances: 3, accounts: [{ id: 'x' }], config: { accountConcurrency: 4 } });
    const acct = fleet.mock.account('x')!;
    // One request per instance first: the instances keep reserved slots of x (while it is at most half full).
    for (const m of fleet.members) assert.equal((await chat(m.url, `warm ${m.name}`)).status, 200);
    const slow = (i: number) => `[[mock:first-byte-delay 120]] request ${i}`;
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => chat(fleet.members[i % 3]!.url, slow(i))));
    assert.deepEqual(
      results.map((r) => r.status),
      Array(24).fill(200),
      'every request waits for a slot instead of failing',
    );
    process.stdout.write(`# peak concurrent requests on the account: ${acct.peakInFlight} (cap 4, 3 instances)\n`);
    assert.ok(acct.peakInFlight <= 4, `peak ${acct.peakInFlight} over the cap`);
    assert.equal(acct.peakInFlight, 4, 'the whole cap was used: reserved slots were handed over, not left idle');
  });

  test('an instance that stops gives the slot it keeps reserved back at once', async (t) => {
    const redis = await redisForTest(t);
    const fleet = await startFleet(t, { redisUrl: redis.url, instances: 1, accounts: [{ id: 'x' }] });
    const client = createClient({ url: redis.url });
    client.on('error', () => undefined); // the server goes before the client at the end
    await client.connect();
    t.after(() => client.close());
    assert.equal((await chat(fleet.members[0]!.url, 'one request')).status, 200);
    const [key, ...more] = await client.keys(`{${fleet.prefix}}:acct:*:inflight`);
    assert.ok(key !== undefined && more.length === 0);
    assert.equal(await client.zCard(key), 1, 'kept reserved after the request');
    await fleet.members[0]!.stop();
    assert.equal(await client.zCard(key), 0, 'given back, not left to lapse');
  });
});
