// Issue 13 item 9: quota as Kiro counts it. Overage lets an account serve past its included
// credits up to the cap; a "used up" verdict from the numbers alone is checked with Kiro by one
// real request at most every probe interval (fake clock), and only a 402 sets the account aside
// until the reset date.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { UsageLimits } from '../../../src/core/kiro/types.ts';
import { ProxyError } from '../../../src/core/errors.ts';
import { quotaGate, quotaNumbersExhausted, overageUsedOf } from '../../../src/core/accounts/quota/quota-verdict.ts';
import { T0, harness, serve, stateOf, upstreamError } from './pool-fakes.ts';

const RESET = T0 + 10 * 86_400_000;
const PROBE_MS = 5 * 60_000;

const quota = (extra: Partial<UsageLimits>): UsageLimits => ({
  used: 50,
  limit: 50,
  bonusUsed: 0,
  bonusLimit: 0,
  freeTrialUsed: 0,
  freeTrialLimit: 0,
  nextResetAt: RESET,
  fetchedAt: T0,
  ...extra,
});

const rejection = async (p: Promise<unknown>): Promise<ProxyError> => {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ProxyError, String(err));
    return err;
  }
  assert.fail('expected the request to be refused');
};

describe('quotaNumbersExhausted / quotaGate', () => {
  test('overage on: usable past the limit up to the cap; off or unreported: used up at the limit', () => {
    assert.equal(quotaNumbersExhausted(quota({ used: 49 }), T0), false);
    assert.equal(quotaNumbersExhausted(quota({ used: 50, overageEnabled: false, overageStatus: 'DISABLED' }), T0), true);
    assert.equal(quotaNumbersExhausted(quota({ used: 50 }), T0), true, 'no overage configuration reported');
    assert.equal(quotaNumbersExhausted(quota({ used: 80, overageEnabled: true, overageUsed: 30, overageCap: 100 }), T0), false);
    assert.equal(quotaNumbersExhausted(quota({ used: 150, overageEnabled: true, overageUsed: 100, overageCap: 100 }), T0), true);
    assert.equal(quotaNumbersExhausted(quota({ used: 150, overageEnabled: true }), T0), false, 'overage on without a cap: Kiro decides');
    assert.equal(quotaNumbersExhausted(quota({ used: 50 }), RESET), false, 'numbers from before the reset say nothing after it');
    assert.equal(quotaNumbersExhausted(quota({ used: 5, limit: 0 }), T0), false, 'no limit reported');
    assert.equal(overageUsedOf(quota({ used: 62.5 })), 12.5, 'implied by the totals when Kiro gives no count');
  });

  test('the gate: probe when due, wait while one is out or was recent, open once Kiro overruled these numbers', () => {
    const q = quota({});
    assert.deepEqual(quotaGate(q, undefined, T0), { kind: 'probe' });
    assert.deepEqual(quotaGate(q, { inFlight: true, nextAt: T0 + PROBE_MS }, T0), { kind: 'wait', until: T0 + PROBE_MS });
    assert.deepEqual(quotaGate(q, { inFlight: false, nextAt: T0 + PROBE_MS }, T0 + 1), { kind: 'wait', until: T0 + PROBE_MS });
    assert.deepEqual(quotaGate(q, { inFlight: false, nextAt: T0 + PROBE_MS }, T0 + PROBE_MS), { kind: 'probe' });
    assert.deepEqual(quotaGate(q, { inFlight: false, nextAt: T0 + PROBE_MS, overruledFetchedAt: T0 }, T0 + 1), { kind: 'open' });
    assert.deepEqual(quotaGate({ ...q, fetchedAt: T0 + 60_000 }, { inFlight: false, nextAt: T0 + PROBE_MS, overruledFetchedAt: T0 }, T0 + 60_000), {
      kind: 'wait',
      until: T0 + PROBE_MS,
    });
  });
});

describe('the pool and the quota (fake clock)', () => {
  test('usage above the limit with overage enabled: the account keeps serving, and says it is on overage', async (t) => {
    const h = harness(['A']);
    t.after(() => h.pool.dispose());
    h.client.quotas.set(
      'A',
      quota({
        used: 1012.5,
        limit: 1000,
        overageStatus: 'ENABLED',
        overageEnabled: true,
        overageUsed: 12.5,
        overageCap: 2000,
        overageCharges: 0.5,
        currency: 'USD',
      }),
    );
    await h.pool.refreshQuota('A');
    for (let i = 0; i < 5; i++) assert.equal((await serve(h)).lease.accountId, 'A');
    const a = h.pool.get('A')!;
    assert.equal(a.state, 'active');
    assert.match(a.stateReason ?? '', /serving on overage \(12\.5 of 2000 overage credits, 0\.50 USD so far\)/);
    assert.equal(a.quota?.overageCap, 2000);
    assert.equal(h.client.callsFor('A').length, 5);
  });

  test('overage disabled and a 402 from Kiro: set aside until the reset date, never asked again before it', async (t) => {
    const h = harness(['A']);
    t.after(() => h.pool.dispose());
    h.client.quotas.set('A', quota({ overageStatus: 'DISABLED', overageEnabled: false }));
    await h.pool.refreshQuota('A');
    assert.equal(h.pool.get('A')!.state, 'cooldown');
    h.client.script('A', { kind: 'error', error: upstreamError('quota_exhausted', 402, { reason: 'MONTHLY_REQUEST_COUNT' }) });
    const first = await rejection(serve(h));
    assert.equal(first.kind, 'rate_limit');
    assert.equal(h.client.callsFor('A').length, 1, 'the numbers were checked with one real request');
    const a = h.pool.get('A')!;
    assert.equal(a.state, 'disabled');
    assert.equal(a.disabledUntil, RESET);
    // Hours later, still before the reset: refused at once with the time of the reset, Kiro not asked.
    h.clock.advance(3 * 60 * 60_000);
    const later = await rejection(serve(h));
    assert.equal(later.retryAfterSeconds, Math.ceil((RESET - h.clock.now()) / 1000));
    await h.pool.refreshQuota('A');
    assert.equal(h.pool.get('A')!.state, 'disabled', 'the same numbers do not undo what Kiro confirmed');
    assert.equal(h.client.callsFor('A').length, 1);
    h.clock.set(RESET + 1);
    assert.equal(stateOf(h, 'A'), 'active');
    assert.equal((await serve(h)).lease.accountId, 'A');
  });

  test('numbers say "used up" but Kiro serves: one probe, then back in rotation; new numbers are checked again at most every 5 minutes', async (t) => {
    const h = harness(['A'], {}, { quotaProbeIntervalMs: PROBE_MS });
    t.after(() => h.pool.dispose());
    h.client.quotas.set('A', quota({ overageStatus: 'DISABLED', overageEnabled: false }));
    await h.pool.refreshQuota('A');
    assert.match(h.pool.get('A')!.stateReason ?? '', /the next request it is needed for asks Kiro/);

    // The probe is a real request: the user gets the answer.
    assert.equal((await serve(h)).text, 'hello from A');
    assert.equal(stateOf(h, 'A'), 'active');
    for (let i = 0; i < 3; i++) await serve(h);
    assert.equal(h.client.callsFor('A').length, 4);

    // A minute later the numbers still say "used up": judged afresh, but the last probe was 1 min ago.
    h.clock.advance(60_000);
    h.client.quotas.set('A', quota({ overageStatus: 'DISABLED', overageEnabled: false, fetchedAt: h.clock.now() }));
    await h.pool.refreshQuota('A');
    const a = h.pool.get('A')!;
    assert.equal(a.state, 'cooldown');
    assert.equal(a.cooldownUntil, T0 + PROBE_MS);
    const refused = await rejection(serve(h));
    assert.equal(refused.kind, 'rate_limit');
    assert.equal(refused.retryAfterSeconds, 240, 'Retry-After points at the next probe');
    assert.equal(h.client.callsFor('A').length, 4, 'Kiro not asked before the interval');

    h.clock.set(T0 + PROBE_MS);
    assert.equal((await serve(h)).lease.accountId, 'A', 'the next probe, 5 minutes after the last');
    assert.equal(h.client.callsFor('A').length, 5);
    assert.equal(stateOf(h, 'A'), 'active');
  });

  test('a probe that fails for another reason keeps the account out until the next probe; only one probe is in flight', async (t) => {
    const h = harness(['A', 'B'], { accountConcurrency: 0 }, { quotaProbeIntervalMs: PROBE_MS });
    t.after(() => h.pool.dispose());
    h.client.quotas.set('A', quota({ overageStatus: 'DISABLED', overageEnabled: false }));
    await h.pool.refreshQuota('A');
    // B is rate limited: A is the last resort, and is probed.
    h.client.script('B', { kind: 'error', error: upstreamError('rate_limited', 429, { reason: 'USER_REQUEST_RATE_EXCEEDED', retryAfterSeconds: 3600 }) });
    h.client.script('A', { kind: 'hang' });
    const ctl = new AbortController();
    const probe = serve(h, { signal: ctl.signal, stickyKey: 'p' });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(h.client.callsFor('A').length, 1);
    // While it is out, nobody else uses A.
    const meanwhile = await rejection(serve(h, { stickyKey: 'q' }));
    assert.equal(meanwhile.kind, 'rate_limit');
    assert.equal(h.client.callsFor('A').length, 1);
    ctl.abort(new Error('client left'));
    await assert.rejects(probe);
    assert.equal(h.pool.get('A')!.state, 'cooldown');
    assert.equal(h.pool.get('A')!.cooldownUntil, T0 + PROBE_MS);
    h.clock.advance(PROBE_MS);
    h.client.script('B', { kind: 'error', error: upstreamError('rate_limited', 429, { reason: 'USER_REQUEST_RATE_EXCEEDED', retryAfterSeconds: 3600 }) });
    assert.equal((await serve(h, { stickyKey: 'r' })).lease.accountId, 'A');
  });

  test('overage turned on after a 402: the next quota refresh brings the account back', async (t) => {
    const h = harness(['A']);
    t.after(() => h.pool.dispose());
    h.client.quotas.set('A', quota({ overageStatus: 'DISABLED', overageEnabled: false }));
    await h.pool.refreshQuota('A');
    h.client.script('A', { kind: 'error', error: upstreamError('quota_exhausted', 402, { reason: 'MONTHLY_REQUEST_COUNT' }) });
    await rejection(serve(h));
    assert.equal(h.pool.get('A')!.state, 'disabled');
    h.client.quotas.set('A', quota({ overageStatus: 'ENABLED', overageEnabled: true, overageUsed: 0, overageCap: 100, fetchedAt: T0 + 1 }));
    await h.pool.refreshQuota('A');
    assert.equal(h.pool.get('A')!.state, 'active');
    assert.equal((await serve(h)).lease.accountId, 'A');
  });
});
