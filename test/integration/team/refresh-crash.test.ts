// Single-flight refresh when the winning instance crashes or freezes: instances in their own
// processes (fixtures/refresh-instance.ts) are SIGKILLed or SIGSTOPped at chosen points of a
// refresh, against a real redis-server and the strict fake token endpoint. No account is lost,
// and a refresh token is tried twice only when a frozen holder outlived its lease (harmless: the
// second try is refused and the frozen holder's rotation is adopted).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';
import { httpRefresher } from './fake-token-server.ts';
import { eventually, never } from './helpers.ts';
import { ACCOUNT, instance, runChild, tokenServer } from './refresh-fleet.ts';

describe('refresh coordinator when the winner crashes', { skip: redisSkip }, () => {
  test('the winner is killed mid-refresh (before Kiro processed it): its lease runs out, another instance refreshes once, the account lives', async (t) => {
    const redis = await redisForTest(t);
    const server = await tokenServer(t);
    const b = await instance(t, redis, 'b');
    const c = await instance(t, redis, 'c');
    // Seed generation 1 as a running team would have it.
    const seeded = await b.vault.write(ACCOUNT, { refreshToken: 'rt-0', accessToken: 'at-0' }, { expectGen: 0, fence: 0 }, never);
    assert.ok(seeded.ok);
    server.hold();
    const winner = await runChild(redis, server, 1, 'rt-0', undefined, { LOCK_TTL_MS: '600' });
    await eventually(() => server.arrived === 1, 30_000, "the winner's refresh to reach the token endpoint");
    assert.ok(
      winner.lines().some((l) => typeof l['locked'] === 'number'),
      'the child held the lock',
    );
    winner.child.kill('SIGKILL');
    await winner.exited;
    // The child's exit and the server seeing its connection close are two events: release only
    // once the parked request is known abandoned, so it is dropped (CI once released first).
    await eventually(() => server.abandoned === 1, 10_000, "the token endpoint to see the killed winner's connection close");
    server.release(); // its parked request is dropped: the client is gone
    const [ob, oc] = await Promise.all(
      [b, c].map((i) =>
        i.coordinator.refresh({ accountId: ACCOUNT, heldGen: 1, held: { refreshToken: 'rt-0' } }, httpRefresher(server.url), AbortSignal.timeout(20_000)),
      ),
    );
    assert.deepEqual([ob!.source, oc!.source].sort(), ['adopted', 'refreshed']);
    assert.equal(server.rotations, 1);
    assert.equal(server.rejected, 0);
    assert.equal(ob!.record.gen, 2);
    assert.equal(ob!.record.tokens.refreshToken, server.live);
    assert.equal(oc!.record.tokens.refreshToken, server.live);
  });

  test('the winner dies after writing, before releasing the lock: the others adopt its token without refreshing', async (t) => {
    const redis = await redisForTest(t);
    const server = await tokenServer(t);
    const b = await instance(t, redis, 'b');
    const c = await instance(t, redis, 'c');
    await b.vault.write(ACCOUNT, { refreshToken: 'rt-0' }, { expectGen: 0, fence: 0 }, never);
    const winner = await runChild(redis, server, 1, 'rt-0', 'die-before-release');
    const exit = await winner.exited;
    assert.equal(exit.signal, 'SIGKILL', winner.stderr());
    assert.equal(server.rotations, 1);
    const outs = await Promise.all(
      [b, c].map((i) =>
        i.coordinator.refresh({ accountId: ACCOUNT, heldGen: 1, held: { refreshToken: 'rt-0' } }, httpRefresher(server.url), AbortSignal.timeout(20_000)),
      ),
    );
    assert.deepEqual(
      outs.map((o) => o.source),
      ['adopted', 'adopted'],
    );
    assert.ok(outs.every((o) => o.record.gen === 2 && o.record.tokens.refreshToken === server.live));
    assert.equal(server.rotations, 1, 'no second refresh');
    assert.equal(server.rejected, 0);
  });

  test("a holder frozen past its lease after Kiro rotated: the next holder gets invalid_grant, waits, and adopts the frozen holder's write", async (t) => {
    const redis = await redisForTest(t);
    const server = await tokenServer(t);
    // A generous grace: on a loaded machine the woken process may take seconds to write.
    const b = await instance(t, redis, 'b', { lockTtlMs: 5000, lapsedWriterGraceMs: 20_000 });
    await b.vault.write(ACCOUNT, { refreshToken: 'rt-0' }, { expectGen: 0, fence: 0 }, never);
    server.delayAfterRotate(400);
    const frozen = await runChild(redis, server, 1, 'rt-0', undefined, { LOCK_TTL_MS: '300' });
    await eventually(() => server.rotations === 1, 30_000, "the frozen holder's refresh to be processed");
    frozen.child.kill('SIGSTOP'); // no more lease extensions
    await new Promise((r) => setTimeout(r, 400)); // its lease lapses
    const pending = b.coordinator.refresh(
      { accountId: ACCOUNT, heldGen: 1, held: { refreshToken: 'rt-0' } },
      httpRefresher(server.url),
      AbortSignal.timeout(20_000),
    );
    await eventually(() => server.rejected === 1, 30_000, 'b to try the consumed token');
    frozen.child.kill('SIGCONT'); // it wakes, gets its answer and writes generation 2
    const out = await pending;
    await frozen.exited;
    assert.equal(out.source, 'adopted');
    assert.equal(out.record.gen, 2);
    assert.equal(out.record.tokens.refreshToken, server.live, "the account lives on the frozen holder's token");
    assert.equal(server.rotations, 1);
  });
});
