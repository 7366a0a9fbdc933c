// What the pool reports as decided by this instance (AccountPoolOptions.onConsequence, which the
// metrics count): the consequences of upstream answers it got itself, never a state it learned
// from the team (an event, a snapshot, what acquire() passed over).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryPoolState } from '../../../src/core/team/memory-pool-state.ts';
import type { FaultAction } from '../../../src/core/accounts/pool/fault-policy.ts';
import type { TeamEvent, TeamEventMeta, TeamEvents } from '../../../src/core/team/types.ts';
import { T0, harness, serve, stateOf, upstreamError } from './pool-fakes.ts';

/** The events of one instance; `peer` delivers what another instance announced. */
function fakeEvents(instanceId: string): TeamEvents & { peer(e: TeamEvent): void } {
  const listeners = new Set<(e: TeamEvent, meta: TeamEventMeta) => void>();
  return {
    instanceId,
    publish: async () => undefined,
    subscribe(l) {
      listeners.add(l);
      return { dispose: () => listeners.delete(l) };
    },
    onResubscribed: () => ({ dispose: () => undefined }),
    dispose: () => listeners.clear(),
    peer(e) {
      for (const l of listeners) l(e, { from: 'peer', at: T0 });
    },
  };
}

test('a 429, a 402 and a suspension this instance got are reported once each; a 5xx is not', async (t) => {
  const decided: [string, FaultAction['kind']][] = [];
  const h = harness(['A', 'B', 'C', 'D'], {}, {}, { onConsequence: (id, kind) => void decided.push([id, kind]) });
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'error', error: upstreamError('rate_limited', 429, { reason: 'USER_REQUEST_RATE_EXCEEDED' }) });
  h.client.script('B', { kind: 'error', error: upstreamError('quota_exhausted', 402, { reason: 'MONTHLY_REQUEST_COUNT' }) });
  h.client.script('C', { kind: 'error', error: upstreamError('suspended', 403, { reason: 'TEMPORARILY_SUSPENDED' }) });
  h.client.script('D', { kind: 'error', error: upstreamError('server', 500) });
  const r = await serve(h);
  assert.equal(r.lease.accountId, 'D', 'D serves after a retry');
  assert.deepEqual(decided, [
    ['A', 'cooldown'],
    ['B', 'disable_until'],
    ['C', 'suspend'],
  ]);
});

test("a peer's cooldown and disable (events, or met by acquire) reach the records and the views, and are not reported as decided here", async (t) => {
  const events = fakeEvents('me');
  const decided: string[] = [];
  const state = new MemoryPoolState({ instanceId: 'me', now: () => T0 });
  t.after(() => state.dispose());
  const h = harness(['A', 'B', 'C'], {}, {}, { team: { instanceId: 'me', pool: state, events }, onConsequence: (id) => void decided.push(id) });
  t.after(() => h.pool.dispose());
  events.peer({ type: 'cooldown-started', accountId: 'A', remainingMs: 60_000, reason: 'throttled on the peer' });
  events.peer({ type: 'account-disabled', accountId: 'B', reason: 'suspended on the peer' });
  assert.equal(stateOf(h, 'A'), 'cooldown');
  assert.equal(h.pool.get('A')!.cooldownUntil, T0 + 60_000);
  assert.equal(stateOf(h, 'B'), 'disabled');
  // A cooldown only the shared state knows (its event was missed): acquire passes C over and the record takes it.
  await state.setCooldown('C', { durationMs: 30_000, reason: 'throttled on the peer' }, new AbortController().signal);
  await assert.rejects(serve(h));
  assert.equal(stateOf(h, 'C'), 'cooldown');
  assert.equal(h.client.calls.length, 0);
  assert.deepEqual(decided, []);
});
