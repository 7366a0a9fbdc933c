import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dispatchAdmin } from '../../../src/core/admin/dispatch.ts';
import { AdminError } from '../../../src/core/admin/protocol.ts';
import { account, fakeProxy, logEntry } from './fake-proxy.ts';

const code = (err: unknown) => (err instanceof AdminError ? err.code : String(err));

test('unknown methods and bad params are refused with stable codes', async () => {
  const { target } = fakeProxy();
  await assert.rejects(dispatchAdmin('accounts.explode', {}, target), (e) => code(e) === 'unknown_method');
  await assert.rejects(dispatchAdmin('__proto__', {}, target), (e) => code(e) === 'unknown_method');
  await assert.rejects(dispatchAdmin('accounts.setEnabled', { id: 'a' }, target), (e) => code(e) === 'invalid_params' && /enabled/.test((e as Error).message));
  await assert.rejects(dispatchAdmin('status', { extra: 1 }, target), (e) => code(e) === 'invalid_params');
});

test('account methods check the id exists', async () => {
  const { target, calls } = fakeProxy({ accounts: [account('a')] });
  await assert.rejects(dispatchAdmin('accounts.remove', { id: 'nope' }, target), (e) => code(e) === 'not_found');
  assert.equal(await dispatchAdmin('accounts.setEnabled', { id: 'a', enabled: false }, target), null);
  assert.deepEqual(calls, ['setEnabled a false']);
});

test('config.get never exposes the API key', async () => {
  const { target } = fakeProxy();
  const cfg = (await dispatchAdmin('config.get', undefined, target)) as Record<string, unknown>;
  assert.equal(cfg['apiKeyRequired'], true);
  assert.ok(!JSON.stringify(cfg).includes('kp-secret-key'));
  assert.equal(cfg['truncationStrategy'], 'on-error');
});

test('config.update maps the truncation strategy and cannot touch host, port or the key', async () => {
  const { target } = fakeProxy();
  const out = (await dispatchAdmin('config.update', { truncationStrategy: 'pre-estimate', cooldownSeconds: 30 }, target)) as Record<string, unknown>;
  assert.equal(out['truncationStrategy'], 'pre-estimate');
  assert.equal(target.getConfig().truncation.preEstimate, true);
  assert.equal(target.getConfig().truncation.maxRequestBytes, 600_000, 'other truncation fields stay');
  assert.equal(target.getConfig().cooldownSeconds, 30);
  for (const patch of [{ host: '0.0.0.0' }, { port: 1 }, { apiKey: 'x' }]) {
    await assert.rejects(dispatchAdmin('config.update', patch, target), (e) => code(e) === 'invalid_params');
  }
});

test('logs.list drops prompt bodies unless body logging is on', async () => {
  const entry = logEntry({ requestBody: '{"secret prompt"}', responseBody: 'answer' });
  const off = fakeProxy({ logs: [entry] });
  const [a] = (await dispatchAdmin('logs.list', {}, off.target)) as Record<string, unknown>[];
  assert.equal(a!['requestBody'], undefined);
  assert.equal(a!['responseBody'], undefined);
  const on = fakeProxy({ logs: [entry], config: { logBodies: true } });
  const [b] = (await dispatchAdmin('logs.list', {}, on.target)) as Record<string, unknown>[];
  assert.equal(b!['requestBody'], '{"secret prompt"}');
});

test('logs.list honours limit and sinceTime (newest last)', async () => {
  const logs = [1, 2, 3, 4].map((i) => logEntry({ id: `r${i}`, time: i * 1000 }));
  const { target } = fakeProxy({ logs });
  const got = (await dispatchAdmin('logs.list', { limit: 2 }, target)) as { id: string }[];
  assert.deepEqual(
    got.map((e) => e.id),
    ['r3', 'r4'],
  );
  const since = (await dispatchAdmin('logs.list', { sinceTime: 2000 }, target)) as { id: string }[];
  assert.deepEqual(
    since.map((e) => e.id),
    ['r3', 'r4'],
  );
});

test('accounts.importSso only reads files the scan found', async () => {
  const { target, calls } = fakeProxy();
  await assert.rejects(dispatchAdmin('accounts.importSso', { path: '/etc/passwd' }, target), (e) => code(e) === 'not_found');
  await dispatchAdmin('accounts.importSso', { path: '/sso/kiro-auth-token.json' }, target);
  assert.deepEqual(calls, ['importSso /sso/kiro-auth-token.json']);
});

test('monitor.series buckets requests per minute with latency percentiles', async () => {
  // Half a minute into a minute: entries a second or two old fall in the last bucket whatever
  // the wall clock (with Date.now() the test failed when run within 1.5 s of a minute boundary).
  const now = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
  const logs = [
    logEntry({ time: now - 1000, durationMs: 100 }),
    logEntry({ time: now - 1500, durationMs: 300, status: 429 }),
    logEntry({ time: now - 10 * 60_000, durationMs: 50 }),
  ];
  const { target } = fakeProxy({ logs });
  const s = (await dispatchAdmin('monitor.series', { minutes: 30, bucketSeconds: 60 }, target, () => now)) as {
    buckets: { requests: number; errors: number; p95Ms: number | null }[];
    totals: { requests: number; errors: number };
  };
  assert.equal(s.buckets.length, 30);
  assert.equal(s.totals.requests, 3);
  assert.equal(s.totals.errors, 1);
  const last = s.buckets[s.buckets.length - 1]!;
  assert.equal(last.requests, 2);
  assert.equal(last.p95Ms, 300);
});
