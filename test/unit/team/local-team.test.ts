// The in-process team (the default without --redis-url): the same interfaces answer without any
// server, the event hub joins several in-process members without echoing to the sender, and
// the wire form rejects what does not parse.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { localTeam } from '../../../src/core/team/local-team.ts';
import { createLocalEventHub, decodeTeamEvent, encodeTeamEvent } from '../../../src/core/team/team-events.ts';
import type { TeamEvent } from '../../../src/core/team/types.ts';

const never = new AbortController().signal;
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

describe('local team', () => {
  test('serves the pool, the vault and refresh in process, always up', async () => {
    const team = localTeam({ instance: { id: 'solo', startedAt: 1 }, logger: quiet });
    assert.equal(team.mode, 'local');
    assert.equal(team.health().state, 'up');
    const r = await team.pool.acquire({ candidates: [{ accountId: 'a', limit: 1 }], stickyKey: 'c' }, never);
    assert.ok(r.ok);
    assert.equal((await team.pool.acquire({ candidates: [{ accountId: 'a', limit: 1 }] }, never)).ok, false);
    const out = await team.refresh.refresh(
      { accountId: 'a', heldGen: 0, held: { refreshToken: 'r0' } },
      async () => ({ refreshToken: 'r1', accessToken: 'a1' }),
      never,
    );
    assert.equal(out.source, 'refreshed');
    assert.equal((await team.vault.read('a', never))?.tokens.refreshToken, 'r1');
    assert.deepEqual(
      (await team.instances(never)).map((i) => i.id),
      ['solo'],
    );
    await team.close();
  });

  test('the event hub delivers to the other members, never to the sender', async () => {
    const hub = createLocalEventHub(quiet);
    const a = hub.join('a');
    const b = hub.join('b');
    const gotA: TeamEvent[] = [];
    const gotB: { e: TeamEvent; from: string }[] = [];
    a.subscribe((e) => gotA.push(e));
    b.subscribe((e, m) => gotB.push({ e, from: m.from }));
    await a.publish({ type: 'cooldown-started', accountId: 'x', remainingMs: 1000, reason: '429' }, never);
    await new Promise((r) => setTimeout(r, 0));
    assert.deepEqual(gotB, [{ e: { type: 'cooldown-started', accountId: 'x', remainingMs: 1000, reason: '429' }, from: 'a' }]);
    assert.deepEqual(gotA, []);
  });

  test('wire form: round-trips, and refuses unknown versions, types and bad fields', () => {
    const ev: TeamEvent = { type: 'account-disabled', accountId: 'x', reason: 'suspended' };
    assert.deepEqual(decodeTeamEvent(encodeTeamEvent('i', 5, ev)), { event: ev, meta: { from: 'i', at: 5 } });
    for (const bad of [
      '',
      'null',
      '{"v":2,"from":"i","at":1,"event":{"type":"account-enabled","accountId":"x"}}',
      '{"v":1,"from":"i","at":1,"event":{"type":"nope"}}',
      '{"v":1,"from":"i","at":1,"event":{"type":"token-rotated","accountId":"x","gen":0}}',
    ]) {
      assert.equal(decodeTeamEvent(bad), undefined, bad);
    }
  });
});
