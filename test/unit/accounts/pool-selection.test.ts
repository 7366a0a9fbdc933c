// Strategies, stickiness, concurrency limits and quota as the pool applies them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UsageLimits } from '../../../src/core/kiro/types.ts';
import { BODY, T0, harness, serve, stateOf, upstreamError, fakeAccount } from './pool-fakes.ts';

const quota = (used: number, limit: number, extra: Partial<UsageLimits> = {}): UsageLimits => ({
  used,
  limit,
  bonusUsed: 0,
  bonusLimit: 0,
  freeTrialUsed: 0,
  freeTrialLimit: 0,
  fetchedAt: T0,
  ...extra,
});

test('least-used (default) spreads new conversations evenly', async (t) => {
  const h = harness(['A', 'B', 'C']);
  t.after(() => h.pool.dispose());
  const served: string[] = [];
  for (let i = 0; i < 6; i++) served.push((await serve(h, { stickyKey: `conv-${i}` })).lease.accountId);
  assert.deepEqual(served.sort(), ['A', 'A', 'B', 'B', 'C', 'C']);
});

test('round-robin cycles in the order accounts were added, skipping unusable ones', async (t) => {
  const h = harness(['A', 'B', 'C'], { selectionStrategy: 'round-robin' });
  t.after(() => h.pool.dispose());
  const served: string[] = [];
  for (let i = 0; i < 4; i++) served.push((await serve(h, { stickyKey: `rr-${i}` })).lease.accountId);
  assert.deepEqual(served, ['A', 'B', 'C', 'A']);
  h.pool.setEnabled('B', false);
  served.length = 0;
  for (let i = 4; i < 7; i++) served.push((await serve(h, { stickyKey: `rr-${i}` })).lease.accountId);
  assert.deepEqual(served, ['C', 'A', 'C']);
});

test('most-quota prefers the account with most remaining credits', async (t) => {
  const h = harness(['A', 'B', 'C'], { selectionStrategy: 'most-quota' });
  t.after(() => h.pool.dispose());
  h.client.quotas.set('A', quota(40, 50));
  h.client.quotas.set('B', quota(10, 50));
  h.client.quotas.set('C', quota(45, 50));
  await h.pool.refreshAllQuotas();
  assert.equal((await serve(h, { stickyKey: 'q1' })).lease.accountId, 'B');
  assert.equal(h.pool.get('B')!.quota?.used, 10);
});

test('an account whose quota is used up by the numbers is a last resort: skipped while others serve, stale numbers ignored after the reset', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  const reset = T0 + 86_400_000;
  h.client.quotas.set('A', quota(50, 50, { nextResetAt: reset, overageStatus: 'DISABLED', overageEnabled: false }));
  h.client.quotas.set('B', quota(1, 50));
  await h.pool.refreshAllQuotas();
  for (let i = 0; i < 3; i++) assert.equal((await serve(h, { stickyKey: `s${i}` })).lease.accountId, 'B');
  assert.equal(h.client.callsFor('A').length, 0, 'not asked while another account serves');
  const a = h.pool.get('A')!;
  assert.equal(a.state, 'cooldown');
  assert.match(a.stateReason ?? '', /included credits used up \(50 of 50, overage off\)/);
  h.clock.set(reset);
  assert.equal(stateOf(h, 'A'), 'active', 'a passed reset date makes stale numbers irrelevant');
});

test('a conversation stays on its account even when another is less used', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  const first = (await serve(h, { stickyKey: 'session-1' })).lease.accountId;
  for (let i = 0; i < 4; i++) assert.equal((await serve(h, { stickyKey: 'session-1' })).lease.accountId, first);
});

test('a conversation moves only when its account cannot serve, then stays on the new one', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  assert.equal((await serve(h, { stickyKey: 'session' })).lease.accountId, 'A');
  h.client.script('A', { kind: 'error', error: upstreamError('rate_limited', 429, { reason: 'USER_REQUEST_RATE_EXCEEDED' }) });
  assert.equal((await serve(h, { stickyKey: 'session' })).lease.accountId, 'B');
  h.clock.advance(60_000);
  assert.equal(stateOf(h, 'A'), 'active');
  assert.equal((await serve(h, { stickyKey: 'session' })).lease.accountId, 'B', 'no flapping back');
});

test('without a session id, a hash of the first turn keeps the conversation together', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  const run = async (body: typeof BODY) => {
    const lease = await h.pool.execute({ body, modelId: 'm', signal: new AbortController().signal });
    for await (const _ of lease.events);
    lease.release({ ok: true });
    return lease.accountId;
  };
  const turn1 = await run(BODY);
  const turn2 = await run({
    conversationState: {
      ...BODY.conversationState,
      history: [BODY.conversationState.currentMessage, { assistantResponseMessage: { content: 'hi' } }],
      currentMessage: { userInputMessage: { content: 'and then?' } },
    },
  });
  assert.equal(turn2, turn1);
});

test('per-account concurrency: a busy account is passed over; with none free the request waits for a slot', async (t) => {
  const h = harness(['A', 'B'], { accountConcurrency: 1 });
  t.after(() => h.pool.dispose());
  const signal = new AbortController().signal;
  const l1 = await h.pool.execute({ body: BODY, modelId: 'm', signal, stickyKey: 'same' });
  const l2 = await h.pool.execute({ body: BODY, modelId: 'm', signal, stickyKey: 'same' });
  assert.notEqual(l1.accountId, l2.accountId, 'the sticky account was busy');
  let third: string | undefined;
  const p3 = h.pool.execute({ body: BODY, modelId: 'm', signal, stickyKey: 'other' }).then((l) => {
    third = l.accountId;
    return l;
  });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(third, undefined, 'waits while both are busy');
  l2.release({ ok: true });
  const l3 = await p3;
  assert.equal(l3.accountId, l2.accountId);
  l1.release({ ok: true });
  l3.release({ ok: true });
  assert.deepEqual(
    h.pool.list().map((v) => v.counters.inFlight),
    [0, 0],
  );
});

test('a per-account limit overrides the configured default', async (t) => {
  const h = harness([], { accountConcurrency: 1 });
  t.after(() => h.pool.dispose());
  h.pool.add(fakeAccount('A', { maxConcurrency: 2 }));
  const signal = new AbortController().signal;
  const l1 = await h.pool.execute({ body: BODY, modelId: 'm', signal });
  const l2 = await h.pool.execute({ body: BODY, modelId: 'm', signal });
  assert.equal(h.pool.get('A')!.counters.inFlight, 2);
  l1.release({ ok: true });
  l2.release({ ok: true });
});

test('two concurrent requests hitting a stale token refresh it once', async (t) => {
  const h = harness(['A'], { accountConcurrency: 4 });
  t.after(() => h.pool.dispose());
  h.accounts.A!.tokens.refreshDelayMs = 20;
  const bearer = () => ({ kind: 'rejectToken' as const, token: 'tok-A-1', error: upstreamError('auth_invalid', 403) });
  h.client.script('A', bearer(), bearer(), bearer(), bearer());
  const [r1, r2] = await Promise.all([serve(h, { stickyKey: 'x' }), serve(h, { stickyKey: 'y' })]);
  assert.equal(r1.lease.accountId, 'A');
  assert.equal(r2.lease.accountId, 'A');
  assert.equal(h.accounts.A!.tokens.refreshes, 1);
});

test('accounts in state error are tried only after healthy ones', async (t) => {
  const h = harness(['A', 'B'], {}, { serverRetries: 0 });
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'error', error: upstreamError('server', 500) });
  await serve(h, { stickyKey: 'one' });
  assert.equal(stateOf(h, 'A'), 'error');
  for (let i = 0; i < 3; i++) assert.equal((await serve(h, { stickyKey: `n${i}` })).lease.accountId, 'B');
  h.pool.setEnabled('B', false);
  assert.equal((await serve(h, { stickyKey: 'last' })).lease.accountId, 'A', 'still serves when nothing better is left');
  assert.equal(stateOf(h, 'A'), 'active', 'a success clears the error');
});

test('disabled by the user: never selected; remove() forgets it', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  h.pool.setEnabled('A', false);
  for (let i = 0; i < 3; i++) assert.equal((await serve(h, { stickyKey: `d${i}` })).lease.accountId, 'B');
  assert.equal(h.pool.get('A')!.stateReason, 'disabled by the user');
  assert.equal(h.pool.remove('A'), true);
  assert.equal(h.pool.get('A'), undefined);
  assert.deepEqual(
    h.pool.list().map((v) => v.id),
    ['B'],
  );
});

test('onChange reports state changes; views carry label, source and counters but no secret', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  const seen: string[][] = [];
  const sub = h.pool.onChange((views) => seen.push(views.map((v) => `${v.id}:${v.state}`)));
  h.client.script('A', { kind: 'error', error: upstreamError('throttled', 429) });
  await serve(h);
  assert.ok(seen.some((s) => s.includes('A:cooldown')));
  sub.dispose();
  h.pool.setLabel('B', 'work');
  const b = h.pool.get('B')!;
  assert.equal(b.label, 'work');
  assert.equal(b.source, 'test:B');
  assert.equal(b.authMethod, 'social');
  assert.equal(b.tokenExpiresAt, T0 + 3_600_000);
});

test('refreshQuota: on demand, suspended detected, bearer-invalid retried after a refresh', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  h.client.quotas.set('A', upstreamError('suspended', 403, { reason: 'TEMPORARILY_SUSPENDED' }));
  const a = await h.pool.refreshQuota('A');
  assert.equal(a.state, 'disabled');
  h.client.quotas.set('B', quota(5, 50, { plan: 'KIRO FREE' }));
  const b = await h.pool.refreshQuota('B');
  assert.equal(b.quota?.plan, 'KIRO FREE');
  await assert.rejects(h.pool.refreshQuota('nope'), /no Kiro account/);
});

test('the quota schedule runs on the clock and stops on dispose', async () => {
  const { createAccountPool } = await import('../../../src/core/accounts/pool/pool.ts');
  const { FakeClient, manualClock, recordingLogger } = await import('./pool-fakes.ts');
  const client = new FakeClient();
  client.quotas.set('A', quota(1, 50));
  const pool = createAccountPool({
    client,
    clock: manualClock(),
    logger: recordingLogger(),
    config: { selectionStrategy: 'least-used', cooldownSeconds: 300, accountConcurrency: 8, requestTimeoutMs: 0, firstTokenTimeoutMs: 0, region: 'us-east-1' },
    tuning: { quotaRefreshIntervalMs: 15, quotaInitialDelayMs: 1 },
  });
  pool.add(fakeAccount('A'));
  for (let i = 0; i < 100 && client.quotaCalls.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  pool.dispose();
  const n = client.quotaCalls.length;
  assert.ok(n >= 2, `ran ${n} times`);
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(client.quotaCalls.length, n, 'no run after dispose');
});

test('execute after dispose is refused', async () => {
  const h = harness(['A']);
  h.pool.dispose();
  await assert.rejects(serve(h), /shut down/);
});
