// The pool's pure parts: fault table, backoff, cooldown dates, selection, stickiness, the
// all-unavailable message, fallback ARNs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, sleep, withRetryAfter } from '../../../src/core/accounts/pool/backoff.ts';
import { nextMonthStartUtc, quotaResetAt } from '../../../src/core/accounts/pool/cooldown.ts';
import { decideFault, type FaultTuning } from '../../../src/core/accounts/pool/fault-policy.ts';
import { allUnavailableError } from '../../../src/core/accounts/pool/pool-unavailable.ts';
import { FALLBACK_PROFILE_ARN, fallbackProfileArn } from '../../../src/core/accounts/credentials/profile-arn.ts';
import { selectAccount, type Candidate } from '../../../src/core/accounts/pool/selection.ts';
import { createStickyMap } from '../../../src/core/accounts/pool/stickiness.ts';
import type { AccountView } from '../../../src/core/proxy-types.ts';
import { T0, manualClock, upstreamError } from './pool-fakes.ts';

const tuning: FaultTuning = {
  rateLimitCooldownMs: 15_000,
  throttleCooldownMs: 300_000,
  serverRetries: 2,
  capacityRetries: 3,
  capacityMaxWaitMs: 30_000,
  backoff: { baseMs: 500, maxMs: 8_000 },
};
const fresh = { refreshed: false, serverRetries: 0, capacityRetries: 0 };
const decide = (err: ReturnType<typeof upstreamError>, memo = fresh, reset?: number) => decideFault(err, memo, tuning, T0, () => 0, reset);

test('fault table: every class gets the action of §8', () => {
  assert.deepEqual(decide(upstreamError('auth_invalid', 403)), { kind: 'refresh_retry' });
  assert.deepEqual(decide(upstreamError('auth_invalid', 401), { ...fresh, refreshed: true }), { kind: 'expire' });
  assert.deepEqual(decide(upstreamError('suspended', 403)), { kind: 'suspend' });
  assert.deepEqual(decide(upstreamError('quota_exhausted', 402), fresh, T0 + 5), { kind: 'disable_until', until: T0 + 5 });
  assert.deepEqual(decide(upstreamError('rate_limited', 429)), { kind: 'cooldown', until: T0 + 15_000 });
  assert.deepEqual(decide(upstreamError('throttled', 429)), { kind: 'cooldown', until: T0 + 300_000 });
  assert.deepEqual(decide(upstreamError('throttled', 429, { retryAfterSeconds: 7 })), { kind: 'cooldown', until: T0 + 7_000 });
  assert.deepEqual(decide(upstreamError('capacity', 429)), { kind: 'retry_any', delayMs: 250 });
  assert.deepEqual(decide(upstreamError('capacity', 429), { ...fresh, capacityRetries: 3 }), { kind: 'fail' });
  assert.deepEqual(decide(upstreamError('capacity', 429, { retryAfterSeconds: 3 })), { kind: 'retry_any', delayMs: 3_000 });
  assert.deepEqual(decide(upstreamError('server', 503)), { kind: 'retry_same', delayMs: 250 });
  assert.deepEqual(decide(upstreamError('network', 0), { ...fresh, serverRetries: 1 }), { kind: 'retry_same', delayMs: 500 });
  assert.deepEqual(decide(upstreamError('server', 500), { ...fresh, serverRetries: 2 }), { kind: 'switch' });
  assert.deepEqual(decide(upstreamError('timeout', 504)), { kind: 'switch' });
  assert.deepEqual(decide(upstreamError('feature_not_supported', 403)), { kind: 'switch' });
  for (const cls of ['content_too_long', 'invalid_model', 'profile_required', 'bad_request'] as const) {
    assert.deepEqual(decide(upstreamError(cls, 400)), { kind: 'fail' }, cls);
  }
});

test('backoff: exponential, capped, jitter from the injected random', () => {
  const p = { baseMs: 100, maxMs: 1_000 };
  assert.equal(
    backoffDelay(0, p, () => 0),
    50,
  );
  assert.equal(
    backoffDelay(0, p, () => 0.999999),
    100,
  );
  assert.equal(
    backoffDelay(3, p, () => 0),
    400,
  );
  assert.equal(
    backoffDelay(10, p, () => 1),
    1_000,
  );
  assert.equal(withRetryAfter(100, 2), 2_000);
  assert.equal(withRetryAfter(5_000, 2), 5_000);
  assert.equal(withRetryAfter(5_000, undefined), 5_000);
});

test('sleep rejects with the abort reason and clears its timer', async () => {
  const clock = manualClock();
  const ctl = new AbortController();
  const p = sleep(60_000, clock, ctl.signal);
  ctl.abort(new Error('stop'));
  await assert.rejects(p, /stop/);
  await sleep(1, clock, new AbortController().signal);
});

test('quota reset: known future date, else the first of next month in UTC', () => {
  assert.equal(nextMonthStartUtc(Date.UTC(2026, 11, 31, 23, 59)), Date.UTC(2027, 0, 1));
  assert.equal(quotaResetAt(T0, T0 + 1000), T0 + 1000);
  assert.equal(quotaResetAt(T0, T0 - 1000), Date.UTC(2026, 1, 1));
});

const cand = (id: string, order: number, extra: Partial<Candidate> = {}): Candidate => ({
  id,
  order,
  inFlight: 0,
  requests: 0,
  lastUsedAt: undefined,
  remaining: undefined,
  degraded: false,
  ...extra,
});

test('selection: least-used, round-robin wraps, most-quota, degraded last', () => {
  const cs = [cand('A', 0, { requests: 3 }), cand('B', 1, { requests: 1 }), cand('C', 2, { requests: 1, inFlight: 1 })];
  assert.equal(selectAccount('least-used', cs, -1)?.candidate.id, 'B');
  assert.equal(selectAccount('round-robin', cs, 0)?.candidate.id, 'B');
  assert.equal(selectAccount('round-robin', cs, 2)?.candidate.id, 'A');
  const q = [cand('A', 0, { remaining: 5 }), cand('B', 1), cand('C', 2, { remaining: 30 })];
  assert.equal(selectAccount('most-quota', q, -1)?.candidate.id, 'C');
  const d = [cand('A', 0, { degraded: true }), cand('B', 1, { requests: 100 })];
  assert.equal(selectAccount('least-used', d, -1)?.candidate.id, 'B');
  assert.equal(selectAccount('least-used', [], -1), undefined);
});

test('sticky map: LRU bound and idle expiry', () => {
  let now = 0;
  const m = createStickyMap({ maxEntries: 2, ttlMs: 100, now: () => now });
  m.set('a', 'A');
  m.set('b', 'B');
  assert.equal(m.get('a'), 'A'); // touch a → b is now the oldest
  m.set('c', 'C');
  assert.equal(m.get('b'), undefined);
  assert.equal(m.size, 2);
  now = 500;
  assert.equal(m.get('a'), undefined);
  m.set('x', 'A');
  m.forgetAccount('A');
  assert.equal(m.get('x'), undefined);
});

const view = (id: string, extra: Partial<AccountView>): AccountView => ({
  id,
  label: id,
  state: 'active',
  authMethod: 'social',
  source: 'test',
  enabled: true,
  counters: { requests: 0, errors: 0, inFlight: 0, tokensIn: 0, tokensOut: 0, credits: 0 },
  ...extra,
});

test('all-unavailable: 429 + earliest Retry-After when time heals, 503 when only the user can', () => {
  const e = allUnavailableError(
    [
      view('A', { state: 'cooldown', cooldownUntil: T0 + 61_500, stateReason: 'USER_REQUEST_RATE_EXCEEDED' }),
      view('B', { state: 'disabled', disabledUntil: T0 + 86_400_000, stateReason: 'monthly quota' }),
      view('C', { state: 'expired', stateReason: 'log in again' }),
    ],
    T0,
  );
  assert.equal(e.status, 429);
  assert.equal(e.retryAfterSeconds, 62);
  assert.match(e.message, /All 3 Kiro accounts are unavailable/);
  assert.match(e.message, /C \(expired: log in again\)/);
  const e2 = allUnavailableError([view('C', { state: 'expired' })], T0);
  assert.equal(e2.status, 503);
  assert.equal(e2.retryAfterSeconds, undefined);
});

test('fallback profile ARNs by auth kind (§4.5)', () => {
  assert.equal(fallbackProfileArn('social', 'Github'), FALLBACK_PROFILE_ARN.social);
  assert.equal(fallbackProfileArn('idc', 'BuilderId'), FALLBACK_PROFILE_ARN.builderId);
  assert.equal(fallbackProfileArn('idc', 'Enterprise'), FALLBACK_PROFILE_ARN.enterprise);
  assert.equal(fallbackProfileArn('external_idp', undefined), FALLBACK_PROFILE_ARN.enterprise);
});
