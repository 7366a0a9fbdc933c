// The rules the windows follow around the proxy port: who answered a probe, when a bind that
// hits EADDRINUSE is retried and when the port counts as another program's, and what a window
// that followed a server does when that server goes away (stay stopped, wait, take over).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindWithRetry, isAddrInUse } from '../../../src/vscode/bind-retry.ts';
import { classifyHealth, probeKiroProxy } from '../../../src/vscode/health-probe.ts';
import { decideOwnerGone, stopStillInForce, ServeIntentFile, type ServeIntent } from '../../../src/vscode/serve-intent.ts';
import type { ProbeResult } from '../../../src/vscode/health-probe.ts';

const inUse = () => Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8080'), { code: 'EADDRINUSE' });

function fakeClock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

test('a bind that fails with EADDRINUSE while the old server goes away succeeds on a retry', async () => {
  const clock = fakeClock();
  let tries = 0;
  const out = await bindWithRetry({
    bind: async () => {
      if (++tries < 3) throw inUse();
    },
    probe: async (): Promise<ProbeResult> => ({ kind: 'free' }),
    ...clock,
  });
  assert.deepEqual(out, { kind: 'bound' });
  assert.equal(tries, 3);
});

test('a Kiro proxy that took the port meanwhile is followed, not reported as another program', async () => {
  const clock = fakeClock();
  const out = await bindWithRetry({
    bind: async () => {
      throw inUse();
    },
    probe: async () => ({ kind: 'kiro', url: 'http://127.0.0.1:8080', instance: 'other' }),
    ...clock,
  });
  assert.deepEqual(out, { kind: 'kiro', url: 'http://127.0.0.1:8080', instance: 'other' });
});

test('"used by another program" only after the retry budget, with what the probe saw', async () => {
  const clock = fakeClock();
  let binds = 0;
  const out = await bindWithRetry({
    bind: async () => {
      binds++;
      throw inUse();
    },
    probe: async () => ({ kind: 'foreign', reason: 'GET /health answered HTTP 404' }),
    budgetMs: 1000,
    ...clock,
  });
  assert.deepEqual(out, { kind: 'foreign', reason: 'GET /health answered HTTP 404' });
  assert.ok(binds >= 4, `retried (${binds} binds)`);
  assert.ok(clock.now() >= 1000);
});

test('bind errors other than EADDRINUSE are not retried', async () => {
  const clock = fakeClock();
  await assert.rejects(
    bindWithRetry({
      bind: async () => {
        throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
      },
      probe: async () => ({ kind: 'free' }),
      ...clock,
    }),
    /EACCES/,
  );
  assert.equal(isAddrInUse({ cause: inUse() }), true);
});

test('/health says who answers: our proxy (with its instance) or something else', () => {
  assert.deepEqual(classifyHealth(200, JSON.stringify({ status: 'ok', service: 'kiro-proxy', instance: 'i-1' }), 'http://h'), {
    kind: 'kiro',
    url: 'http://h',
    instance: 'i-1',
  });
  assert.equal(classifyHealth(200, JSON.stringify({ status: 'degraded', service: 'kiro-proxy' }), 'http://h').kind, 'kiro');
  assert.equal(classifyHealth(200, '{"status":"ok"}', 'http://h').kind, 'foreign');
  assert.equal(classifyHealth(404, 'nope', 'http://h').kind, 'foreign');
  assert.equal(classifyHealth(200, '<html>', 'http://h').kind, 'foreign');
});

test('the probe uses a fresh connection: free port, our proxy, a foreign server', async () => {
  const port = await new Promise<number>((ok) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => ok(p));
    });
  });
  assert.deepEqual(await probeKiroProxy('127.0.0.1', port), { kind: 'free' });
  let body = JSON.stringify({ status: 'ok', service: 'kiro-proxy', instance: 'abc' });
  const srv = createServer((req, res) => {
    assert.equal(req.headers.connection, 'close');
    res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((ok) => srv.listen(port, '127.0.0.1', ok));
  try {
    assert.deepEqual(await probeKiroProxy('127.0.0.1', port), { kind: 'kiro', url: `http://127.0.0.1:${port}`, instance: 'abc' });
    body = 'hello';
    assert.equal((await probeKiroProxy('0.0.0.0', port)).kind, 'foreign');
  } finally {
    srv.closeAllConnections();
    await new Promise((ok) => srv.close(ok));
  }
});

function intent(over: Partial<ServeIntent> & { state: ServeIntent['state'] }): ServeIntent {
  const base = { port: 8080, at: 10_000, pid: 42, window: 'w1', instance: 'i1', url: 'http://127.0.0.1:8080' };
  return { ...base, ...over };
}

test('owner gone: a Stop made while following means stay stopped; an older Stop does not', () => {
  const ctx = { port: 8080, now: 20_000, followingSince: 9_000, alive: () => true };
  assert.equal(decideOwnerGone(intent({ state: 'stopped', at: 15_000 }), ctx), 'stay-stopped');
  assert.equal(decideOwnerGone(intent({ state: 'stopped', at: 1_000 }), ctx), 'take-over');
});

test('owner gone: a crash or a closed window (intent still "serving") is a takeover', () => {
  const ctx = { port: 8080, now: 20_000, followingSince: 9_000, alive: () => false };
  assert.equal(decideOwnerGone(intent({ state: 'serving' }), ctx), 'take-over');
  assert.equal(decideOwnerGone(undefined, ctx), 'take-over');
});

test('owner gone: a restart in progress (fresh, its window alive) is waited for, also across a port move', () => {
  const ctx = { port: 8080, now: 20_000, followingSince: 9_000, alive: () => true };
  assert.equal(decideOwnerGone(intent({ state: 'restarting', at: 18_000 }), ctx), 'wait');
  assert.equal(decideOwnerGone(intent({ state: 'restarting', at: 18_000, port: 9090 }), ctx), 'wait');
  assert.equal(decideOwnerGone(intent({ state: 'restarting', at: 1_000 }), ctx), 'take-over', 'a restart that never finished');
  assert.equal(decideOwnerGone(intent({ state: 'restarting', at: 18_000 }), { ...ctx, alive: () => false }), 'take-over', 'its window died');
});

test('autoStart honours a Stop only while the window that made it still runs', () => {
  assert.equal(
    stopStillInForce(intent({ state: 'stopped' }), 8080, () => true),
    true,
  );
  assert.equal(
    stopStillInForce(intent({ state: 'stopped' }), 8080, () => false),
    false,
  );
  assert.equal(
    stopStillInForce(intent({ state: 'serving' }), 8080, () => true),
    false,
  );
  assert.equal(
    stopStillInForce(intent({ state: 'stopped', port: 9090 }), 8080, () => true),
    false,
  );
});

test('the intent file round-trips, ignores garbage, and is private (0600)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kiro-intent-'));
  try {
    const f = new ServeIntentFile(dir);
    assert.equal(await f.read(), undefined);
    const i = intent({ state: 'serving' });
    await f.write(i);
    assert.deepEqual(await f.read(), i);
    const { statSync } = await import('node:fs');
    assert.equal(statSync(f.path).mode & 0o777, 0o600);
    await writeFile(f.path, '{"state":"serving"');
    assert.equal(await f.read(), undefined);
    let changes = 0;
    const w = f.watch(() => changes++, 50);
    await f.write(intent({ state: 'stopped' }));
    for (let i = 0; i < 40 && changes === 0; i++) await new Promise((r) => setTimeout(r, 25));
    w.dispose();
    assert.ok(changes >= 1, 'a write is noticed');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
