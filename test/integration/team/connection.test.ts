// The connection owner against a real redis-server: up/down with reasons and events, fail-fast
// while down (no offline queue), reconnect after a restart, a frozen server detected by the
// command timeout, pub/sub on its own connection surviving a restart, no password in logs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';
import { TeamConnection, redactRedisUrl } from '../../../src/core/team/connection.ts';
import { TeamError, isTeamUnavailable } from '../../../src/core/team/errors.ts';
import type { TeamHealth } from '../../../src/core/team/types.ts';
import { eventually, lineLogger, openUp } from './helpers.ts';

describe('team connection', { skip: redisSkip }, () => {
  test('goes up, answers commands, and reports down at once when Redis stops, then recovers', async (t) => {
    const redis = await redisForTest(t);
    const logger = lineLogger();
    const conn = await openUp(t, redis.url, { logger, reconnectMinMs: 20, reconnectMaxMs: 200 });
    const changes: TeamHealth[] = [];
    conn.onHealth((h) => changes.push(h));
    assert.equal(conn.health.state, 'up');
    assert.equal(await conn.command(['SET', 'k', 'v']), 'OK');

    await redis.stop();
    await eventually(() => conn.health.state === 'down', 10_000, 'down');
    // Rejected while Redis is still stopped: a queued call would hang here until the restart.
    await assert.rejects(conn.command(['GET', 'k']), (e) => isTeamUnavailable(e));
    assert.match(logger.text(), /is unavailable .*serving from local state/);

    await redis.start();
    await eventually(() => conn.health.state === 'up', 5000, 'up again');
    assert.equal(await conn.command(['PING']), 'PONG');
    assert.deepEqual(
      changes.map((c) => c.state),
      ['down', 'up'],
    );
    assert.ok(changes[0]!.reason, 'down carries a reason');
    assert.match(logger.text(), /is available again after/);
  });

  test('starts while Redis is absent: down, calls fail fast, up when it appears', async (t) => {
    const redis = await redisForTest(t);
    await redis.stop();
    const logger = lineLogger();
    const conn = await TeamConnection.open({ url: redis.url, logger, reconnectMinMs: 20, reconnectMaxMs: 100 });
    t.after(() => conn.close());
    assert.equal(conn.health.state, 'down');
    await assert.rejects(conn.command(['PING']), (e) => isTeamUnavailable(e));
    await eventually(() => /is unavailable/.test(logger.text()), 10_000, 'the start-up warning');
    await redis.start();
    await conn.waitUntilUp(AbortSignal.timeout(15_000));
    assert.equal(await conn.command(['PING']), 'PONG');
  });

  test('a frozen server (accepts, never answers) is declared down within the command timeout, and comes back', async (t) => {
    const redis = await redisForTest(t);
    const conn = await openUp(t, redis.url, { commandTimeoutMs: 200, reconnectMinMs: 20, reconnectMaxMs: 100 });
    redis.freeze();
    // Rejected while the server is still frozen: without the command timeout it would hang until thaw().
    await assert.rejects(conn.command(['PING']), (e) => isTeamUnavailable(e));
    assert.equal(conn.health.state, 'down');
    assert.match(conn.health.reason ?? '', /did not answer within 200 ms/);
    redis.thaw();
    await conn.waitUntilUp(AbortSignal.timeout(15_000));
    assert.equal(await conn.command(['PING']), 'PONG');
  });

  test('the caller signal abandons a call at once', async (t) => {
    const redis = await redisForTest(t);
    const conn = await openUp(t, redis.url, { commandTimeoutMs: 5000 });
    redis.freeze();
    const ac = new AbortController();
    const p = conn.command(['PING'], ac.signal);
    setTimeout(() => ac.abort(new Error('client went away')), 30);
    await assert.rejects(p, /client went away/);
    redis.thaw();
  });

  test('pub/sub runs on its own connection, survives a restart and says when it resubscribed', async (t) => {
    const redis = await redisForTest(t);
    const conn = await openUp(t, redis.url, { reconnectMinMs: 20, reconnectMaxMs: 100 });
    const got: string[] = [];
    let resubscribed = 0;
    conn.onResubscribed(() => resubscribed++);
    await conn.subscribe('ch', (m) => got.push(m));
    await eventually(async () => (await conn.command<number>(['PUBLISH', 'ch', 'one'])) === 1, 10_000, 'subscriber');
    await eventually(() => got.includes('one'));
    // Commands still work on the command connection while subscribed.
    assert.equal(await conn.command(['SET', 'x', '1']), 'OK');

    await redis.stop();
    await redis.start();
    await eventually(() => conn.health.state === 'up', 5000, 'up');
    await eventually(() => resubscribed === 1, 5000, 'resubscribed');
    await eventually(async () => (await conn.command<number>(['PUBLISH', 'ch', 'two'])) === 1, 10_000, 'resubscribed subscriber');
    await eventually(() => got.includes('two'));
  });

  test('never logs the password of the URL; rejects a non-Redis URL clearly', async (t) => {
    const redis = await redisForTest(t);
    await redis.stop();
    const logger = lineLogger();
    const url = `redis://user:s3cret-pass@127.0.0.1:${redis.port}`;
    const conn = await TeamConnection.open({ url, logger, reconnectMinMs: 20, reconnectMaxMs: 50 });
    await eventually(() => logger.lines.length > 0);
    await conn.close();
    assert.doesNotMatch(logger.text(), /s3cret-pass/);
    assert.equal(redactRedisUrl(url), `redis://user:***@127.0.0.1:${redis.port}`);
    await assert.rejects(TeamConnection.open({ url: 'http://x', logger }), (e) => e instanceof TeamError && e.code === 'bad_config');
  });
});
