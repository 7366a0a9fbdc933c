// The lease lock, as one contract over Redis (two instances) and in process: one holder at a
// time, fencing tokens that only grow, release/extend only by the holder (a lapsed holder cannot
// delete its successor's lock), bounded and abortable waits, keep-alive for long work.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';
import { TeamError } from '../../../src/core/team/errors.ts';
import { teamKeys } from '../../../src/core/team/keys.ts';
import { MemoryLock, RedisLock, createMemoryLockStore } from '../../../src/core/team/lock.ts';
import type { DistributedLock, LockLease } from '../../../src/core/team/types.ts';
import { lineLogger, never, openUp } from './helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isLease = (x: LockLease | { busyForMs: number }): x is LockLease => !('busyForMs' in x);

function contract(name: string, make: (t: TestContext) => Promise<[DistributedLock, DistributedLock]>, skip: string | false = false) {
  describe(`lock contract: ${name}`, { skip }, () => {
    test('one holder at a time; the next holder gets a higher fence', async (t) => {
      const [a, b] = await make(t);
      const l1 = await a.tryAcquire('acct-1', { ttlMs: 5000, keepAlive: false }, never);
      assert.ok(isLease(l1));
      const busy = await b.tryAcquire('acct-1', { ttlMs: 5000 }, never);
      assert.ok(!isLease(busy) && busy.busyForMs > 0 && busy.busyForMs <= 5000);
      const other = await b.tryAcquire('acct-2', { ttlMs: 5000, keepAlive: false }, never);
      assert.ok(isLease(other), 'locks are per name');
      assert.equal(await l1.release(), true);
      const l2 = await b.tryAcquire('acct-1', { ttlMs: 5000, keepAlive: false }, never);
      assert.ok(isLease(l2));
      assert.ok(l2.fence > l1.fence);
      await l2.release();
      await other.release();
    });

    test("a lapsed holder can neither extend nor release its successor's lock", async (t) => {
      const [a, b] = await make(t);
      const old = await a.tryAcquire('acct-1', { ttlMs: 100, keepAlive: false }, never);
      assert.ok(isLease(old));
      await sleep(150);
      const next = await b.acquire('acct-1', { ttlMs: 5000, waitMs: 1000, keepAlive: false }, never);
      assert.ok(next.fence > old.fence);
      assert.equal(await old.extend(), false);
      assert.ok(old.lost.aborted, 'the old lease knows it is lost');
      assert.equal(await old.release(), false);
      const still = await a.tryAcquire('acct-1', { ttlMs: 5000 }, never);
      assert.ok(!isLease(still), 'the successor still holds it');
      await next.release();
    });

    test('acquire waits for a release, gives up after waitMs, and stops when aborted', async (t) => {
      const [a, b] = await make(t);
      const held = await a.acquire('acct-1', { ttlMs: 5000, waitMs: 0, keepAlive: false }, never);
      setTimeout(() => void held.release(), 100);
      const got = await b.acquire('acct-1', { ttlMs: 5000, waitMs: 10_000, keepAlive: false }, never);
      assert.ok(got.fence > held.fence);
      await assert.rejects(a.acquire('acct-1', { ttlMs: 5000, waitMs: 150 }, never), (e) => e instanceof TeamError && e.code === 'lock_timeout');
      const ac = new AbortController();
      setTimeout(() => ac.abort(new Error('request aborted')), 50);
      await assert.rejects(a.acquire('acct-1', { ttlMs: 5000, waitMs: 10_000 }, ac.signal), /request aborted/);
      await got.release();
    });

    test('keep-alive holds the lock past its ttl until release', async (t) => {
      const [a, b] = await make(t);
      const l = await a.acquire('acct-1', { ttlMs: 400, waitMs: 0 }, never);
      await sleep(1300);
      assert.ok(!isLease(await b.tryAcquire('acct-1', { ttlMs: 150 }, never)));
      assert.equal(await l.release(), true);
      const n = await b.tryAcquire('acct-1', { ttlMs: 150, keepAlive: false }, never);
      assert.ok(isLease(n));
    });
  });
}

contract('in process', async () => {
  const store = createMemoryLockStore();
  return [new MemoryLock({ instanceId: 'a', logger: lineLogger(), store }), new MemoryLock({ instanceId: 'b', logger: lineLogger(), store })];
});

contract(
  'Redis, two instances',
  async (t) => {
    const redis = await redisForTest(t);
    const keys = teamKeys('lock-team');
    const mk = async (id: string) => new RedisLock({ connection: await openUp(t, redis.url), keys, instanceId: id, logger: lineLogger() });
    return [await mk('a'), await mk('b')];
  },
  redisSkip,
);
