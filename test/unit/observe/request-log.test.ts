import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestLogEntry } from '../../../src/core/proxy-types.ts';
import { RequestLog } from '../../../src/core/observe/request-log.ts';
import { JsonlSink } from '../../../src/core/observe/jsonl-sink.ts';
import { SecretRegistry } from '../../../src/core/observe/redact.ts';

function entry(n: number, over: Partial<RequestLogEntry> = {}): RequestLogEntry {
  return { id: `r${n}`, time: 1_000 + n, method: 'POST', route: '/v1/messages', status: 200, durationMs: 10, stream: false, ...over };
}

describe('RequestLog ring buffer', () => {
  test('keeps only the newest `capacity` entries, newest first', () => {
    const log = new RequestLog({ capacity: 3 });
    for (let i = 1; i <= 5; i++) log.add(entry(i));
    assert.equal(log.size, 3);
    assert.deepEqual(
      log.list().map((e) => e.id),
      ['r5', 'r4', 'r3'],
    );
    assert.equal(log.get('r2'), undefined);
    assert.equal(log.get('r4')?.id, 'r4');
    assert.deepEqual(
      log.list({ limit: 2 }).map((e) => e.id),
      ['r5', 'r4'],
    );
  });

  test('default capacity is 1000', () => {
    const log = new RequestLog();
    for (let i = 0; i < 1005; i++) log.add(entry(i));
    assert.equal(log.capacity, 1000);
    assert.equal(log.size, 1000);
    assert.equal(log.list().at(-1)?.id, 'r5');
  });

  test('filters by route, status, model, account, text and time', () => {
    const log = new RequestLog({ capacity: 10 });
    log.add(entry(1, { route: '/v1/chat/completions', modelRequested: 'gpt-4o', modelSent: 'claude-sonnet-4.5', accountId: 'a1' }));
    log.add(entry(2, { status: 429, errorClass: 'rate_limited', errorMessage: 'Too many requests', accountId: 'a2' }));
    log.add(entry(3, { status: 500, rules: ['drop_orphan_tool_result'], modelRequested: 'claude-opus-4' }));
    log.add(entry(4, { route: '/v1/responses', status: 200 }));
    const ids = (f: Parameters<RequestLog['list']>[0]) => log.list(f).map((e) => e.id);
    assert.deepEqual(ids({ route: '/v1/messages' }), ['r3', 'r2']);
    assert.deepEqual(ids({ route: '/v1/*' }), ['r4', 'r3', 'r2', 'r1']);
    assert.deepEqual(ids({ status: 'error' }), ['r3', 'r2']);
    assert.deepEqual(ids({ status: '4xx' }), ['r2']);
    assert.deepEqual(ids({ status: 500 }), ['r3']);
    assert.deepEqual(ids({ model: 'claude-sonnet-4.5' }), ['r1']);
    assert.deepEqual(ids({ model: 'gpt-4o' }), ['r1']);
    assert.deepEqual(ids({ accountId: 'a2' }), ['r2']);
    assert.deepEqual(ids({ text: 'TOO MANY' }), ['r2']);
    assert.deepEqual(ids({ text: 'orphan_tool' }), ['r3']);
    assert.deepEqual(ids({ since: 1_003 }), ['r4', 'r3']);
  });

  test('listeners get every new entry; a throwing listener does not break add()', () => {
    const errors: unknown[] = [];
    const log = new RequestLog({ capacity: 2, onListenerError: (e) => errors.push(e) });
    const seen: string[] = [];
    log.onEntry(() => {
      throw new Error('listener bug');
    });
    const sub = log.onEntry((e) => seen.push(e.id));
    log.add(entry(1));
    sub.dispose();
    log.add(entry(2));
    assert.deepEqual(seen, ['r1']);
    assert.equal(errors.length, 2);
  });

  test('stored entries are redacted copies, and frozen', () => {
    const reg = new SecretRegistry();
    reg.add('s3cr3t-registered-token');
    const log = new RequestLog({ registry: reg });
    const input = entry(1, {
      requestBody: '{"messages":[],"api_key":"sk-live-abcdef123456"}',
      errorMessage: 'upstream said s3cr3t-registered-token is bad',
    });
    const stored = log.add(input);
    assert.ok(!stored.requestBody!.includes('sk-live-abcdef123456'));
    assert.ok(!stored.errorMessage!.includes('s3cr3t-registered-token'));
    assert.ok(input.requestBody!.includes('sk-live-abcdef123456'), 'caller object untouched');
    assert.ok(Object.isFrozen(stored));
  });

  test('clear empties the ring', () => {
    const log = new RequestLog({ capacity: 2 });
    log.add(entry(1));
    log.clear();
    assert.equal(log.size, 0);
    assert.deepEqual(log.list(), []);
    log.add(entry(2));
    assert.deepEqual(
      log.list().map((e) => e.id),
      ['r2'],
    );
  });

  test('rejects a nonsensical capacity', () => {
    assert.throws(() => new RequestLog({ capacity: 0 }), RangeError);
  });
});

describe('RequestLog with a JSONL sink', () => {
  test('entries reach the file, bodies only when the entry has them; close flushes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kp-log-'));
    try {
      const sink = new JsonlSink({ dir });
      const log = new RequestLog({ sink });
      log.add(entry(1));
      log.add(entry(2, { requestBody: '{"prompt":"hi"}', responseBody: 'hello' }));
      await log.close();
      const lines = (await readFile(join(dir, 'requests.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.equal(lines.length, 2);
      assert.equal(lines[0].id, 'r1');
      assert.ok(!('requestBody' in lines[0]));
      assert.equal(lines[1].requestBody, '{"prompt":"hi"}');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
