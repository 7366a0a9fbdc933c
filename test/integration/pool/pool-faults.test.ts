// Issue 4 "Done means", one test per row, against the strict mock with scripted faults, the real
// client and real token managers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProxyError } from '../../../src/core/errors.ts';
import { writeEntryTokens } from '../../../src/core/accounts/credentials/credential-file.ts';
import { ask, startPoolHarness } from './pool-harness.ts';

const proxyError = async (p: Promise<unknown>): Promise<ProxyError> => {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ProxyError, `expected ProxyError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
};

test('expired access token: refreshed before the call; a token the server expired is refreshed once and retried', async (t) => {
  const h = await startPoolHarness({ accounts: [{ id: 'a', accessTokenExpired: true }] });
  t.after(() => h.close());
  const r = await ask(h);
  assert.equal(r.lease.accountId, 'a');
  assert.ok(r.text.length > 0);
  assert.equal(h.mock.account('a')!.refreshCount, 1);

  h.mock.expireAccessToken('a');
  const r2 = await ask(h);
  assert.equal(r2.lease.attempts, 2, '403 bearer invalid → refresh → retry');
  assert.equal(h.mock.account('a')!.refreshCount, 2);
  assert.equal(h.pool.get('a')!.state, 'active');
});

test('rotated refresh token is persisted to the credential file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kiro-pool-'));
  const file = join(dir, 'creds.json');
  const h = await startPoolHarness({
    accounts: [{ id: 'rot', rotateRefreshToken: true, accessTokenExpired: true }],
    persist: async (_id, cred) => {
      const held = (JSON.parse(await readFile(file, 'utf8')) as { refreshToken: string }).refreshToken;
      await writeEntryTokens(file, null, held, cred);
    },
  });
  t.after(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });
  const original = h.mock.account('rot')!.refreshToken;
  await writeFile(file, JSON.stringify({ refreshToken: original, authMethod: 'social', provider: 'Google' }), { mode: 0o600 });
  await ask(h);
  const saved = JSON.parse(await readFile(file, 'utf8')) as { refreshToken: string; accessToken: string };
  assert.notEqual(saved.refreshToken, original);
  assert.equal(saved.refreshToken, h.mock.account('rot')!.refreshToken);
  assert.equal(h.mock.account(original), undefined, 'the old refresh token is dead upstream');
});

test('429 on A is served by B; A shows cooldown, then recovers by itself', async (t) => {
  const h = await startPoolHarness({ accounts: [{ id: 'a' }, { id: 'b' }] });
  t.after(() => h.close());
  h.mock.enqueueFor('a', { kind: 'http_error', status: 429, reason: 'DAILY_REQUEST_COUNT', retryAfter: 30 });
  const r = await ask(h, { stickyKey: 's1' });
  assert.equal(r.lease.accountId, 'b');
  const a = h.pool.get('a')!;
  assert.equal(a.state, 'cooldown');
  assert.equal(a.cooldownUntil, h.clock.now() + 30_000);
  assert.equal(a.lastError?.cls, 'throttled');
  h.clock.advance(30_001);
  assert.equal(h.pool.get('a')!.state, 'active');
  const again = await ask(h, { stickyKey: 'fresh' });
  assert.equal(again.lease.accountId, 'a');
});

test('429 USER_REQUEST_RATE_EXCEEDED: a short cooldown and a switch', async (t) => {
  const h = await startPoolHarness({ accounts: [{ id: 'a' }, { id: 'b' }] });
  t.after(() => h.close());
  h.mock.enqueueFor('a', { kind: 'http_error', status: 429, reason: 'USER_REQUEST_RATE_EXCEEDED' });
  assert.equal((await ask(h)).lease.accountId, 'b');
  assert.equal(h.pool.get('a')!.cooldownUntil, h.clock.now() + 15_000);
});

test('402 MONTHLY_REQUEST_COUNT disables the account until the quota reset', async (t) => {
  const h = await startPoolHarness({ accounts: [{ id: 'a', usageLimit: 0 }, { id: 'b' }] });
  t.after(() => h.close());
  const r = await ask(h, { stickyKey: 'q' });
  assert.equal(r.lease.accountId, 'b');
  const a = h.pool.get('a')!;
  assert.equal(a.state, 'disabled');
  const now = new Date(h.clock.now());
  assert.equal(a.disabledUntil, Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  await ask(h, { stickyKey: 'other' });
  assert.equal(h.chatsFor('a'), 1, 'not tried again before the reset');
  // The quota API agrees and is shown.
  const q = await h.pool.refreshQuota('a');
  assert.equal(q.quota?.limit, 0);
  assert.equal(q.state, 'disabled');
});

test('a suspended account is flagged and never retried', async (t) => {
  const h = await startPoolHarness({ accounts: [{ id: 'a' }, { id: 'b' }] });
  t.after(() => h.close());
  h.mock.enqueueFor('a', { kind: 'http_error', status: 403, reason: 'TEMPORARILY_SUSPENDED' });
  for (let i = 0; i < 4; i++) assert.equal((await ask(h, { stickyKey: `k${i}` })).lease.accountId, 'b');
  assert.equal(h.chatsFor('a'), 1);
  assert.equal(h.mock.account('a')!.refreshCount, 0, 'a suspension is not "fixed" by refreshing');
  const a = h.pool.get('a')!;
  assert.equal(a.state, 'disabled');
  assert.match(a.stateReason ?? '', /suspended/i);
  assert.equal(h.logger.lines.filter((l) => l.level === 'error').length, 1);
});

test('INSUFFICIENT_MODEL_CAPACITY: backoff and retry, the account is not penalised', async (t) => {
  const h = await startPoolHarness({ accounts: [{ id: 'a' }] });
  t.after(() => h.close());
  h.mock.enqueueFor(
    'a',
    { kind: 'http_error', status: 429, reason: 'INSUFFICIENT_MODEL_CAPACITY' },
    { kind: 'http_error', status: 400, reason: 'INSUFFICIENT_MODEL_CAPACITY', errorType: 'ThrottlingException' },
  );
  const r = await ask(h);
  assert.equal(r.lease.attempts, 3);
  const a = h.pool.get('a')!;
  assert.equal(a.state, 'active');
  assert.equal(a.counters.errors, 0);
});

test('5xx is retried with backoff; a throttling exception in the first frame fails over', async (t) => {
  const h = await startPoolHarness({ accounts: [{ id: 'a' }, { id: 'b' }] });
  t.after(() => h.close());
  h.mock.enqueueFor('a', { kind: 'http_error', status: 500 });
  const r = await ask(h, { stickyKey: 'x' });
  assert.equal(r.lease.accountId, 'a');
  assert.equal(r.lease.attempts, 2);
  h.mock.enqueueFor('a', { kind: 'exception', exceptionType: 'ThrottlingException', message: 'Too many requests', reason: 'DAILY_REQUEST_COUNT' });
  const r2 = await ask(h, { stickyKey: 'x' });
  assert.equal(r2.lease.accountId, 'b');
  assert.equal(h.pool.get('a')!.state, 'cooldown');
});

test('every account down: a 429 naming each account and when the first recovers, with Retry-After', async (t) => {
  const h = await startPoolHarness({ accounts: [{ id: 'a' }, { id: 'b' }] });
  t.after(() => h.close());
  h.mock.enqueueFor('a', { kind: 'http_error', status: 429, reason: 'DAILY_REQUEST_COUNT', retryAfter: 120 });
  h.mock.enqueueFor('b', { kind: 'http_error', status: 429, reason: 'USER_REQUEST_RATE_EXCEEDED', retryAfter: 45 });
  const e = await proxyError(ask(h));
  assert.equal(e.status, 429);
  assert.equal(e.retryAfterSeconds, 45);
  assert.match(e.message, /mock a \(cooldown until .*DAILY_REQUEST_COUNT/);
  assert.match(e.message, /mock b \(cooldown until .*USER_REQUEST_RATE_EXCEEDED/);
  assert.match(e.message, new RegExp(new Date(h.clock.now() + 45_000).toISOString().replace(/\./g, '\\.')));
});

test('two concurrent requests on a stale token refresh it once', async (t) => {
  const h = await startPoolHarness({ accounts: [{ id: 'a', accessTokenExpired: true }] });
  t.after(() => h.close());
  const [r1, r2] = await Promise.all([ask(h, { stickyKey: '1' }), ask(h, { stickyKey: '2' })]);
  assert.ok(r1.text && r2.text);
  assert.equal(h.mock.account('a')!.refreshCount, 1);

  // And when the server kills the token under both of them, still one refresh.
  h.mock.expireAccessToken('a');
  await Promise.all([ask(h, { stickyKey: '3' }), ask(h, { stickyKey: '4' })]);
  assert.equal(h.mock.account('a')!.refreshCount, 2);
});

test('a revoked refresh token: the account is expired (needs login) and the other serves', async (t) => {
  const h = await startPoolHarness({ accounts: [{ id: 'a' }, { id: 'b' }] });
  t.after(() => h.close());
  h.mock.expireAccessToken('a');
  h.mock.revokeRefreshToken('a');
  const r = await ask(h, { stickyKey: 'r' });
  assert.equal(r.lease.accountId, 'b');
  assert.equal(h.pool.get('a')!.state, 'expired');
});

test('quota on demand: used, limit, plan and reset date shown', async (t) => {
  const h = await startPoolHarness({ accounts: [{ id: 'a', usageLimit: 50 }] });
  t.after(() => h.close());
  await ask(h);
  const v = await h.pool.refreshQuota('a');
  assert.equal(v.quota?.used, 1);
  assert.equal(v.quota?.limit, 50);
  assert.ok(v.quota?.plan);
  assert.ok((v.quota?.nextResetAt ?? 0) > Date.now());
});

test('a client disconnect mid-stream aborts the upstream call at once and penalises nobody', async (t) => {
  const h = await startPoolHarness({ accounts: [{ id: 'a' }] });
  t.after(() => h.close());
  h.mock.enqueueFor('a', {
    kind: 'stream',
    parts: [
      { type: 'text', text: 'first' },
      { type: 'delay', ms: 5_000 },
      { type: 'text', text: 'never' },
    ],
  });
  const ctl = new AbortController();
  const lease = await h.pool.execute({ body: (await import('./pool-harness.ts')).chatBody(), modelId: 'claude-sonnet-4.5', signal: ctl.signal });
  const it = lease.events[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal(first.done, false);
  const started = Date.now();
  const pending = it.next();
  ctl.abort(new DOMException('client went away', 'AbortError'));
  const err = await pending.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof Error && err.name === 'AbortError', `got ${String(err)}`);
  assert.ok(Date.now() - started < 1_000);
  lease.release({ ok: false, error: err });
  const a = h.pool.get('a')!;
  assert.equal(a.state, 'active');
  assert.equal(a.counters.errors, 0);
  assert.equal(a.counters.inFlight, 0);
});
