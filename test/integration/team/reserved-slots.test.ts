// Reserved slots (redis-pool-state.ts): an instance keeps the slot its request gave back for its
// next request on that account, so a request of a conversation it knows sends nothing to Redis,
// while the per-account cap still holds for the whole team: the kept slot is a live lease that
// counts, is given back when another instance needs it, when it goes unused, when the account is
// busy, and is never used once Redis has stopped confirming it.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';
import { teamKeys } from '../../../src/core/team/keys.ts';
import { RedisPoolState, type RedisPoolStateOptions } from '../../../src/core/team/redis-pool-state.ts';
import { RedisTeamEvents } from '../../../src/core/team/team-events.ts';
import { eventually, lineLogger, never, openUp } from './helpers.ts';

type Extra = Partial<Pick<RedisPoolStateOptions, 'leaseTtlMs' | 'reserveIdleMs' | 'stickyTtlMs' | 'now'>>;

async function team(t: TestContext, options: Extra = {}) {
  const redis = await redisForTest(t);
  const keys = teamKeys('test-team');
  const logger = lineLogger();
  const join = async (instanceId: string) => {
    const connection = await openUp(t, redis.url);
    const events = await RedisTeamEvents.start({ connection, keys, instanceId, logger });
    const pool = new RedisPoolState({ connection, keys, instanceId, logger, events, ...options });
    t.after(() => {
      pool.dispose();
      events.dispose();
    });
    return { connection, events, pool };
  };
  const a = await join('inst-a');
  const b = await join('inst-b');
  const live = async (accountId: string) => (await b.pool.snapshot([accountId], never)).get(accountId)!.inFlight;
  return { redis, keys, logger, a, b, live };
}

const x8 = [{ accountId: 'x', limit: 8 }];
const both = [
  { accountId: 'x', limit: 8 },
  { accountId: 'y', limit: 8 },
];

/** Takes and gives back a slot for the conversation until it lands on `accountId` (the instance follows a binding it learns asynchronously). */
function untilOn(pool: RedisPoolState, stickyKey: string, accountId: string, what: string): Promise<void> {
  return eventually(
    async () => {
      const r = await pool.acquire({ candidates: both, stickyKey }, never);
      assert.ok(r.ok);
      await pool.release(r.lease);
      return r.accountId === accountId;
    },
    5000,
    what,
  );
}

describe('reserved slots', { skip: redisSkip }, () => {
  test('a known conversation takes the kept slot without a command to Redis; the slot still counts', async (t) => {
    const { a, live } = await team(t);
    const first = await a.pool.acquire({ candidates: x8, stickyKey: 'conv' }, never);
    assert.ok(first.ok);
    await a.pool.release(first.lease);
    assert.equal(a.pool.reserved, 1);
    assert.equal(await live('x'), 1, 'the kept slot is a live lease: it counts against the cap');
    const before = a.connection.commandsSent;
    for (let i = 0; i < 20; i++) {
      const r = await a.pool.acquire({ candidates: x8, stickyKey: 'conv' }, never);
      assert.ok(r.ok);
      assert.equal(r.accountId, 'x');
      await a.pool.release(r.lease);
      await a.pool.release(r.lease); // idempotent: the second one does not give back the kept slot
      assert.equal(a.pool.reserved, 1);
    }
    assert.equal(a.connection.commandsSent - before, 0, '20 requests, no command');
    assert.equal(await live('x'), 1);
    await a.pool.giveBackReserved();
    assert.equal(await live('x'), 0);
  });

  test('a conversation new to the team is taken on without Redis and bound there right after; the peers follow it', async (t) => {
    const { a, b, keys } = await team(t);
    const warm = await a.pool.acquire({ candidates: both, stickyKey: 'warm' }, never);
    assert.ok(warm.ok);
    await a.pool.release(warm.lease);
    await eventually(() => a.pool.conversationsComplete && b.pool.conversationsComplete, 5000, 'both copies read');
    const before = a.connection.commandsSent;
    const r = await a.pool.acquire({ candidates: both, stickyKey: 'brand-new' }, never);
    assert.ok(r.ok && r.accountId === 'x' && !r.sticky);
    assert.equal(a.connection.commandsSent - before, 0, 'nothing asked of Redis on the way');
    await a.pool.release(r.lease);
    await eventually(async () => (await a.connection.command(['GET', keys.sticky('brand-new')])) === 'x', 5000, 'the binding in Redis');
    // B prefers y, but has heard that the conversation is on x: it goes there (asking Redis, it keeps no slot of x).
    await eventually(
      async () => {
        const onB = await b.pool.acquire({ candidates: [both[1]!, both[0]!], stickyKey: 'brand-new' }, never);
        assert.ok(onB.ok);
        await b.pool.release(onB.lease);
        return onB.accountId === 'x';
      },
      5000,
      'B to send the conversation to x',
    );
  });

  test('a binding the copy missed wins over the one taken without Redis, from the next request on', async (t) => {
    const { a, keys } = await team(t);
    const warm = await a.pool.acquire({ candidates: both, stickyKey: 'warm' }, never);
    assert.ok(warm.ok);
    await a.pool.release(warm.lease);
    await eventually(() => a.pool.conversationsComplete, 5000, 'the copy read');
    // Bound on y behind the copy's back (no event): A thinks the conversation is new.
    await a.connection.command(['SET', keys.sticky('missed'), 'y', 'PX', '60000']);
    const first = await a.pool.acquire({ candidates: both, stickyKey: 'missed' }, never);
    assert.ok(first.ok && first.accountId === 'x');
    await a.pool.release(first.lease);
    await untilOn(a.pool, 'missed', 'y', 'the conversation back on y');
    assert.equal(await a.connection.command(['GET', keys.sticky('missed')]), 'y', 'the binding in Redis stands');
  });

  test('without events (the copy cannot be complete) a conversation not seen here asks Redis', async (t) => {
    const redis = await redisForTest(t);
    const connection = await openUp(t, redis.url);
    const pool = new RedisPoolState({ connection, keys: teamKeys('test-team'), instanceId: 'solo', logger: lineLogger() });
    t.after(() => pool.dispose());
    const r = await pool.acquire({ candidates: x8, stickyKey: 'c1' }, never);
    assert.ok(r.ok);
    await pool.release(r.lease);
    const before = connection.commandsSent;
    const r2 = await pool.acquire({ candidates: x8, stickyKey: 'c2' }, never);
    assert.ok(r2.ok);
    assert.equal(connection.commandsSent - before, 1);
    await pool.release(r2.lease);
    const r3 = await pool.acquire({ candidates: x8, stickyKey: 'c2' }, never);
    assert.ok(r3.ok);
    assert.equal(connection.commandsSent - before, 1, 'a conversation seen here needs no command');
  });

  test('the cap holds for the team: another instance finding the account full gets the kept slot', async (t) => {
    const { a, b, live } = await team(t);
    const capped = [{ accountId: 'x', limit: 4 }];
    const r = await a.pool.acquire({ candidates: capped, stickyKey: 'a-conv' }, never);
    assert.ok(r.ok);
    await a.pool.release(r.lease);
    assert.equal(a.pool.reserved, 1);
    const held = [];
    for (let i = 0; i < 3; i++) {
      const got = await b.pool.acquire({ candidates: capped, stickyKey: `b-${i}` }, never);
      assert.ok(got.ok);
      held.push(got.lease);
    }
    assert.equal(await live('x'), 4);
    const full = await b.pool.acquire({ candidates: capped, stickyKey: 'b-3' }, never);
    assert.deepEqual(full, { ok: false, skipped: [{ accountId: 'x', why: 'full' }] });
    // B said `slot-wanted`: A gives its kept slot back, and B's next try gets it.
    await eventually(async () => (await b.pool.acquire({ candidates: capped, stickyKey: 'b-3' }, never)).ok, 5000, 'the kept slot for B');
    assert.equal(a.pool.reserved, 0);
    assert.equal(await live('x'), 4, 'never more than the cap');
    // A busy account: B gives its slots back instead of keeping one (more than three quarters full).
    for (const l of held) await b.pool.release(l);
    assert.equal(b.pool.reserved, 0);
  });

  test('a small cap keeps no slot', async (t) => {
    const { a, live } = await team(t);
    const r = await a.pool.acquire({ candidates: [{ accountId: 'x', limit: 2 }], stickyKey: 'c' }, never);
    assert.ok(r.ok);
    await a.pool.release(r.lease);
    assert.equal(a.pool.reserved, 0);
    assert.equal(await live('x'), 0);
  });

  test('a conversation another instance moved is followed; its binding lives on in Redis while used without Redis', async (t) => {
    const { a, b, keys } = await team(t, { leaseTtlMs: 600, stickyTtlMs: 2000 });
    const r = await a.pool.acquire({ candidates: both, stickyKey: 'conv' }, never);
    assert.ok(r.ok && r.accountId === 'x');
    await a.pool.release(r.lease);
    // B cannot use x (say, it heard of a cooldown): the conversation moves to y and B says so.
    const m = await b.pool.acquire({ candidates: [both[1]!], stickyKey: 'conv' }, never);
    assert.ok(m.ok && m.accountId === 'y');
    await b.pool.release(m.lease);
    // A follows the move instead of using its kept slot on x.
    await untilOn(a.pool, 'conv', 'y', 'A to follow the conversation to y');
    // Used only without Redis from now on, the binding is kept alive by the heartbeat.
    for (let i = 0; i < 12; i++) {
      const again = await a.pool.acquire({ candidates: both, stickyKey: 'conv' }, never);
      assert.ok(again.ok && again.accountId === 'y');
      await a.pool.release(again.lease);
      await new Promise((res) => setTimeout(res, 250));
    }
    assert.equal(await a.connection.command(['GET', keys.sticky('conv')]), 'y', 'bound in Redis past its 2 s TTL');
  });

  test('an unused kept slot is given back by the heartbeat, and one Redis stopped confirming is not used', async (t) => {
    let clock = Date.now();
    const { a, live } = await team(t, { leaseTtlMs: 600, reserveIdleMs: 400, now: () => clock });
    const r = await a.pool.acquire({ candidates: x8, stickyKey: 'conv' }, never);
    assert.ok(r.ok);
    await a.pool.release(r.lease);
    // Half a lease without a confirmation (this instance's clock jumps, as after a long pause).
    clock += 300;
    const before = a.connection.commandsSent;
    const r2 = await a.pool.acquire({ candidates: x8, stickyKey: 'conv' }, never);
    assert.ok(r2.ok);
    assert.equal(a.connection.commandsSent - before, 1, 'asked Redis instead of trusting an unconfirmed slot');
    await a.pool.release(r2.lease);
    assert.equal(await live('x'), 1);
    clock += 1000;
    await eventually(async () => (await live('x')) === 0, 5000, 'the idle slot to be given back');
    assert.equal(a.pool.reserved, 0);
  });

  test('after Redis was away (an empty Redis, here) a kept slot is not used until Redis confirms it', async (t) => {
    const { redis, a, b, live } = await team(t);
    const r = await a.pool.acquire({ candidates: x8 }, never);
    assert.ok(r.ok);
    await a.pool.release(r.lease);
    assert.equal(a.pool.reserved, 1);
    await redis.stop();
    await eventually(() => !a.connection.isUp, 5000, 'A to see Redis gone');
    await redis.start();
    await eventually(() => a.connection.isUp && b.connection.isUp, 10_000, 'Redis back');
    assert.equal(await live('x'), 0, 'Redis came back empty: the kept slot is gone there');
    const before = a.connection.commandsSent;
    const r2 = await a.pool.acquire({ candidates: x8 }, never);
    assert.ok(r2.ok);
    assert.ok(a.connection.commandsSent - before >= 1, 'asked Redis: the slot is real again');
    assert.equal(await live('x'), 1);
    await a.pool.release(r2.lease);
  });
});
