// The fault table (issue 4, kiro-protocol.md §8) row by row, against a scripted fake client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyError } from '../../../src/core/errors.ts';
import { FALLBACK_PROFILE_ARN } from '../../../src/core/accounts/credentials/profile-arn.ts';
import { BODY, T0, harness, serve, stateOf, textEvents, upstreamError } from './pool-fakes.ts';

const rejects = async (p: Promise<unknown>): Promise<ProxyError> => {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ProxyError, `expected ProxyError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
};

test('403 bearer invalid: refresh once, retry the same account', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'rejectToken', token: 'tok-A-1', error: upstreamError('auth_invalid', 403) });
  const r = await serve(h, { stickyKey: 's' });
  assert.equal(r.lease.accountId, 'A');
  assert.equal(r.lease.attempts, 2);
  assert.equal(h.accounts.A!.tokens.refreshes, 1);
  assert.deepEqual(
    h.client.calls.map((c) => c.token),
    ['tok-A-1', 'tok-A-2'],
  );
  assert.equal(stateOf(h, 'A'), 'active');
});

test('401 still failing after a refresh: expired (needs login), the request moves to B', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'error', error: upstreamError('auth_invalid', 401) }, { kind: 'error', error: upstreamError('auth_invalid', 401) });
  const r = await serve(h);
  assert.equal(r.lease.accountId, 'B');
  assert.equal(h.accounts.A!.tokens.refreshes, 1, 'exactly one forced refresh');
  const a = h.pool.get('A')!;
  assert.equal(a.state, 'expired');
  assert.match(a.stateReason ?? '', /log in again/);
  // An expired account is not tried again.
  await serve(h);
  assert.equal(h.client.callsFor('A').length, 2);
});

test('refresh token rejected permanently: expired, switch', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  h.accounts.A!.tokens.failRefresh = { message: 'invalid_grant', permanent: true };
  h.client.script('A', { kind: 'error', error: upstreamError('auth_invalid', 403) });
  const r = await serve(h);
  assert.equal(r.lease.accountId, 'B');
  assert.equal(stateOf(h, 'A'), 'expired');
});

test('token endpoint down (transient): account shown in error, request served by B', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  h.accounts.A!.tokens.failRefresh = { message: 'ECONNRESET', permanent: false };
  h.client.script('A', { kind: 'error', error: upstreamError('auth_invalid', 403) });
  const r = await serve(h);
  assert.equal(r.lease.accountId, 'B');
  assert.equal(stateOf(h, 'A'), 'error');
});

test('429 USER_REQUEST_RATE_EXCEEDED: short cooldown, B serves, A recovers by itself', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'error', error: upstreamError('rate_limited', 429, { reason: 'USER_REQUEST_RATE_EXCEEDED' }) });
  const r = await serve(h);
  assert.equal(r.lease.accountId, 'B');
  const a = h.pool.get('A')!;
  assert.equal(a.state, 'cooldown');
  assert.equal(a.cooldownUntil, T0 + 15_000);
  assert.match(a.stateReason ?? '', /USER_REQUEST_RATE_EXCEEDED/);
  assert.equal(a.lastError?.cls, 'rate_limited');
  h.clock.advance(15_001);
  assert.equal(stateOf(h, 'A'), 'active');
});

test('other 429 throttling: configured cooldown, Retry-After honoured', async (t) => {
  const h = harness(['A', 'B', 'C'], { cooldownSeconds: 120 });
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'error', error: upstreamError('throttled', 429, { reason: 'DAILY_REQUEST_COUNT' }) });
  h.client.script('B', { kind: 'error', error: upstreamError('throttled', 429, { retryAfterSeconds: 42 }) });
  const r = await serve(h);
  assert.equal(r.lease.accountId, 'C');
  assert.equal(h.pool.get('A')!.cooldownUntil, T0 + 120_000);
  assert.equal(h.pool.get('B')!.cooldownUntil, T0 + 42_000);
});

test('INSUFFICIENT_MODEL_CAPACITY: backoff retry without penalising the account', async (t) => {
  const h = harness(['A']);
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'error', error: upstreamError('capacity', 429, { reason: 'INSUFFICIENT_MODEL_CAPACITY' }) });
  const r = await serve(h);
  assert.equal(r.lease.accountId, 'A');
  assert.equal(r.lease.attempts, 2);
  const a = h.pool.get('A')!;
  assert.equal(a.state, 'active');
  assert.equal(a.counters.errors, 0);
});

test('capacity that does not clear: 503 overloaded with Retry-After after bounded retries', async (t) => {
  const h = harness(['A'], {}, { capacityRetries: 2 });
  t.after(() => h.pool.dispose());
  const cap = () => ({ kind: 'error' as const, error: upstreamError('capacity', 400, { reason: 'INSUFFICIENT_MODEL_CAPACITY' }) });
  h.client.script('A', cap(), cap(), cap(), cap());
  const e = await rejects(serve(h));
  assert.equal(e.kind, 'overloaded');
  assert.equal(e.status, 503);
  assert.ok((e.retryAfterSeconds ?? 0) > 0);
  assert.equal(h.client.calls.length, 3);
  assert.equal(stateOf(h, 'A'), 'active');
});

test('capacity with a long Retry-After is not waited for', async (t) => {
  const h = harness(['A']);
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'error', error: upstreamError('capacity', 429, { reason: 'INSUFFICIENT_MODEL_CAPACITY', retryAfterSeconds: 600 }) });
  const e = await rejects(serve(h));
  assert.equal(e.kind, 'overloaded');
  assert.equal(e.retryAfterSeconds, 600);
  assert.equal(h.client.calls.length, 1);
});

test('402 MONTHLY_REQUEST_COUNT: disabled until the known quota reset, B serves', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  const reset = T0 + 10 * 86_400_000;
  h.client.quotas.set('A', { used: 10, limit: 50, bonusUsed: 0, bonusLimit: 0, freeTrialUsed: 0, freeTrialLimit: 0, nextResetAt: reset, fetchedAt: T0 });
  await h.pool.refreshQuota('A');
  h.client.script('A', { kind: 'error', error: upstreamError('quota_exhausted', 402, { reason: 'MONTHLY_REQUEST_COUNT' }) });
  const r = await serve(h, { stickyKey: 'x' });
  assert.equal(r.lease.accountId, 'B');
  const a = h.pool.get('A')!;
  assert.equal(a.state, 'disabled');
  assert.equal(a.disabledUntil, reset);
  h.clock.set(reset + 1);
  assert.equal(stateOf(h, 'A'), 'active');
});

test('402 without a known reset date: disabled until the start of next month (UTC)', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'error', error: upstreamError('quota_exhausted', 402, { reason: 'MONTHLY_REQUEST_COUNT' }) });
  await serve(h);
  assert.equal(h.pool.get('A')!.disabledUntil, Date.UTC(2026, 1, 1));
});

test('403 TEMPORARILY_SUSPENDED: disabled, logged loudly once, never retried', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  h.client.script('A', {
    kind: 'error',
    error: upstreamError('suspended', 403, { reason: 'TEMPORARILY_SUSPENDED', message: 'Your User ID temporarily is suspended' }),
  });
  const r = await serve(h);
  assert.equal(r.lease.accountId, 'B');
  for (let i = 0; i < 5; i++) await serve(h);
  assert.equal(h.client.callsFor('A').length, 1, 'never retried');
  assert.equal(h.accounts.A!.tokens.refreshes, 0, 'no refresh for a suspension');
  const a = h.pool.get('A')!;
  assert.equal(a.state, 'disabled');
  assert.match(a.stateReason ?? '', /TEMPORARILY_SUSPENDED/);
  assert.equal(h.logger.lines.filter((l) => l.level === 'error' && /SUSPENDED/.test(l.msg)).length, 1);
  // Only the user brings it back.
  h.pool.setEnabled('A', true);
  assert.equal(stateOf(h, 'A'), 'active');
});

test('only account suspended: 503 naming it, no loop', async (t) => {
  const h = harness(['A']);
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'error', error: upstreamError('suspended', 403, { reason: 'TEMPORARILY_SUSPENDED' }) });
  const e = await rejects(serve(h));
  assert.equal(e.status, 503);
  assert.match(e.message, /acct A \(disabled: suspended/);
  assert.equal(h.client.calls.length, 1);
});

test('5xx: retried with backoff on the same account, then switched', async (t) => {
  const h = harness(['A', 'B'], {}, { serverRetries: 2 });
  t.after(() => h.pool.dispose());
  const e500 = () => ({ kind: 'error' as const, error: upstreamError('server', 500) });
  h.client.script('A', e500(), e500(), e500());
  const r = await serve(h);
  assert.equal(r.lease.accountId, 'B');
  assert.equal(h.client.callsFor('A').length, 3);
  assert.equal(r.lease.attempts, 4);
  assert.equal(stateOf(h, 'A'), 'error', 'shown, but still usable');
});

test('network error: retried, succeeds on the same account, state back to active', async (t) => {
  const h = harness(['A']);
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'error', error: upstreamError('network', 0) });
  const r = await serve(h);
  assert.equal(r.lease.accountId, 'A');
  assert.equal(r.lease.attempts, 2);
  assert.equal(stateOf(h, 'A'), 'active');
});

test('5xx on every account: the upstream error, not a misleading "all unavailable"', async (t) => {
  const h = harness(['A'], {}, { serverRetries: 1 });
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'error', error: upstreamError('server', 503) }, { kind: 'error', error: upstreamError('server', 503) });
  const e = await rejects(serve(h));
  assert.equal(e.kind, 'upstream');
  assert.equal(e.status, 502);
});

test('400s are not retried and penalise no one', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'error', error: upstreamError('bad_request', 400, { message: 'Improperly formed request.' }) });
  const e = await rejects(serve(h, { stickyKey: 'k' }));
  assert.equal(e.status, 400);
  assert.equal(h.client.calls.length, 1);
  assert.equal(stateOf(h, 'A'), 'active');

  const tooLong = () => ({ kind: 'error' as const, error: upstreamError('content_too_long', 400, { reason: 'CONTENT_LENGTH_EXCEEDS_THRESHOLD' }) });
  h.client.script('A', tooLong());
  h.client.script('B', tooLong());
  const e2 = await rejects(serve(h, { stickyKey: 'k' }));
  assert.equal(e2.code, 'CONTENT_LENGTH_EXCEEDS_THRESHOLD');
  assert.equal(h.client.calls.length, 2);
});

test('throttling exception as the first stream event fails over before committing', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  h.client.script('A', {
    kind: 'ok',
    events: [
      { type: 'initialResponse' },
      { type: 'exception', exceptionType: 'ThrottlingException', message: 'Too many requests', reason: 'DAILY_REQUEST_COUNT' },
    ],
  });
  const r = await serve(h);
  assert.equal(r.lease.accountId, 'B');
  assert.equal(stateOf(h, 'A'), 'cooldown');
});

test('an empty stream is retried; a broken first read too', async (t) => {
  const h = harness(['A']);
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'ok', events: [] }, { kind: 'broken', error: new Error('socket hang up') });
  const r = await serve(h);
  assert.equal(r.lease.attempts, 3);
  assert.equal(r.text, 'hello from A');
});

test('first-token timeout: switch to another account', async (t) => {
  const h = harness(['A', 'B'], { firstTokenTimeoutMs: 30 });
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'silent' });
  const r = await serve(h);
  assert.equal(r.lease.accountId, 'B');
  assert.equal(h.client.callsFor('A')[0]!.signal.aborted, true, 'the stalled call was aborted');
  assert.equal(h.pool.get('A')!.lastError?.cls, 'timeout');
});

test('overall request timeout: 504, upstream aborted, nobody penalised', async (t) => {
  const h = harness(['A'], { requestTimeoutMs: 40 });
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'hang' });
  const e = await rejects(serve(h));
  assert.equal(e.kind, 'timeout');
  assert.equal(e.code, 'REQUEST_TIMEOUT');
  assert.equal(h.client.calls[0]!.signal.aborted, true);
  const a = h.pool.get('A')!;
  assert.equal(a.counters.inFlight, 0);
  assert.equal(a.counters.errors, 0);
  assert.equal(a.state, 'active');
});

test('client abort stops everything immediately and penalises nobody', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'hang' });
  const ctl = new AbortController();
  const p = h.pool.execute({ body: BODY, modelId: 'm', signal: ctl.signal });
  await new Promise((r) => setTimeout(r, 5));
  ctl.abort(new DOMException('client went away', 'AbortError'));
  await assert.rejects(p, (err: Error) => err.name === 'AbortError');
  assert.equal(h.client.calls.length, 1, 'no failover after a client abort');
  assert.equal(h.client.calls[0]!.signal.aborted, true);
  for (const id of ['A', 'B']) {
    const v = h.pool.get(id)!;
    assert.equal(v.state, 'active');
    assert.equal(v.counters.errors, 0);
    assert.equal(v.counters.inFlight, 0);
  }
});

test('client abort during a backoff wait ends at once', async (t) => {
  const h = harness(['A'], {}, { backoff: { baseMs: 10_000, maxMs: 10_000 }, capacityMaxWaitMs: 60_000 });
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'error', error: upstreamError('server', 500) });
  const ctl = new AbortController();
  const started = Date.now();
  const p = h.pool.execute({ body: BODY, modelId: 'm', signal: ctl.signal });
  setTimeout(() => ctl.abort(new DOMException('gone', 'AbortError')), 10);
  await assert.rejects(p, (err: Error) => err.name === 'AbortError');
  assert.ok(Date.now() - started < 2_000);
});

test('every account cooling down: 429 with Retry-After naming each and the earliest recovery', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'error', error: upstreamError('throttled', 429, { retryAfterSeconds: 90 }) });
  h.client.script('B', { kind: 'error', error: upstreamError('rate_limited', 429, { reason: 'USER_REQUEST_RATE_EXCEEDED', retryAfterSeconds: 20 }) });
  const e = await rejects(serve(h));
  assert.equal(e.kind, 'rate_limit');
  assert.equal(e.status, 429);
  assert.equal(e.retryAfterSeconds, 20);
  assert.match(e.message, /acct A \(cooldown until/);
  assert.match(e.message, /acct B \(cooldown until/);
  assert.match(e.message, new RegExp(new Date(T0 + 20_000).toISOString().replace(/\./g, '\\.')));
  // Nothing is sent while they cool down.
  const e2 = await rejects(serve(h));
  assert.equal(e2.retryAfterSeconds, 20);
  assert.equal(h.client.calls.length, 2);
  h.clock.advance(20_000);
  const r = await serve(h);
  assert.equal(r.lease.accountId, 'B');
});

test('every account expired: 503 without a recovery time', async (t) => {
  const h = harness(['A']);
  t.after(() => h.pool.dispose());
  h.accounts.A!.tokens.state = 'needs_login';
  const e = await rejects(serve(h));
  assert.equal(e.kind, 'unavailable');
  assert.equal(e.status, 503);
  assert.equal(e.retryAfterSeconds, undefined);
  assert.match(e.message, /expired/);
});

test('no accounts: 503 saying how to add one', async (t) => {
  const h = harness([]);
  t.after(() => h.pool.dispose());
  const e = await rejects(serve(h));
  assert.equal(e.code, 'NO_ACCOUNTS');
});

test('a throttling error mid-stream (reported at release) still cools the account down', async (t) => {
  const h = harness(['A', 'B']);
  t.after(() => h.pool.dispose());
  const lease = await h.pool.execute({ body: BODY, modelId: 'm', signal: new AbortController().signal });
  lease.release({ ok: false, error: upstreamError('throttled', 429, { retryAfterSeconds: 30 }) });
  const v = h.pool.get(lease.accountId)!;
  assert.equal(v.state, 'cooldown');
  assert.equal(v.counters.errors, 1);
  assert.equal(v.counters.inFlight, 0);
});

test('the lease replays peeked events, then the rest; release updates counters', async (t) => {
  const h = harness(['A']);
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'ok', events: [{ type: 'initialResponse' }, ...textEvents('abc')] });
  const r = await serve(h);
  assert.deepEqual(
    r.events.map((e) => e.type),
    ['initialResponse', 'assistantResponse', 'messageStop'],
  );
  const v = h.pool.get('A')!;
  assert.deepEqual(v.counters, { requests: 1, errors: 0, aborted: 0, inFlight: 0, tokensIn: 10, tokensOut: 5, credits: 0.1 });
  assert.equal(v.lastUsedAt, T0);
  r.lease.release({ ok: true, inputTokens: 99 });
  assert.equal(h.pool.get('A')!.counters.tokensIn, 10, 'release is idempotent');
});

test('the fallback profile ARN of §4.5 is sent when the account has none, the own one otherwise', async (t) => {
  const h = harness([]);
  t.after(() => h.pool.dispose());
  const { fakeAccount } = await import('./pool-fakes.ts');
  h.pool.add(fakeAccount('A', { authMethod: 'idc', provider: 'BuilderId' }));
  await serve(h);
  assert.equal(h.client.calls[0]!.profileArn, FALLBACK_PROFILE_ARN.builderId);
  h.pool.remove('A');
  h.pool.add(fakeAccount('B', { profileArn: 'arn:aws:codewhisperer:eu-central-1:123456789012:profile/ABCDEF' }));
  await serve(h);
  assert.equal(h.client.calls[1]!.profileArn, 'arn:aws:codewhisperer:eu-central-1:123456789012:profile/ABCDEF');
  assert.equal(h.client.calls[1]!.region, 'eu-central-1');
});

test('tokens never appear in errors or logs', async (t) => {
  const h = harness(['A']);
  t.after(() => h.pool.dispose());
  h.client.script('A', { kind: 'error', error: upstreamError('auth_invalid', 403) }, { kind: 'error', error: upstreamError('auth_invalid', 403) });
  const e = await rejects(serve(h));
  assert.doesNotMatch(e.message, /tok-A/);
  for (const l of h.logger.lines) assert.doesNotMatch(l.msg, /tok-A/);
  assert.doesNotMatch(JSON.stringify(h.pool.list()), /tok-A/);
});
