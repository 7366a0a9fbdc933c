import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SseWriter } from '../../../src/core/server/sse.ts';

/** A server whose one request is handled by `fn`; resolves with the body as the client read it. */
async function withStream(fn: (sse: SseWriter, res: ServerResponse) => Promise<void>, readDelayMs = 0): Promise<{ reads: string[] }> {
  const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    const sse = new SseWriter(res);
    sse.open();
    void fn(sse, res).finally(() => sse.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/' }, (res) => {
        const reads: string[] = [];
        res.setEncoding('utf8');
        if (readDelayMs > 0) {
          res.pause();
          setTimeout(() => res.resume(), readDelayMs);
        }
        res.on('data', (d: string) => reads.push(d));
        res.on('end', () => resolve({ reads }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

test('events written in one tick leave together; events of later ticks leave on their own', async () => {
  const { reads } = await withStream(async (sse) => {
    for (let i = 0; i < 50; i++) assert.equal(sse.write(`data: ${i}\n\n`), true);
    await new Promise((r) => setTimeout(r, 30));
    void sse.write('data: late\n\n');
    await new Promise((r) => setTimeout(r, 30));
  });
  const body = reads.join('');
  assert.equal(body, Array.from({ length: 50 }, (_, i) => `data: ${i}\n\n`).join('') + 'data: late\n\n');
  // The 50 same-tick events arrived before the late one was even written.
  const lateRead = reads.findIndex((r) => r.includes('late'));
  assert.ok(lateRead > 0, `reads: ${JSON.stringify(reads)}`);
  assert.ok(!reads[lateRead]!.includes('data: 49'));
});

test('a client that does not read makes write wait (backpressure), then everything arrives in order', async () => {
  let sawPromise = false;
  const chunk = 'data: ' + 'x'.repeat(64 * 1024) + '\n\n';
  const { reads } = await withStream(async (sse) => {
    for (let i = 0; i < 200; i++) {
      const r = sse.write(chunk);
      if (r instanceof Promise) {
        sawPromise = true;
        assert.equal(await r, true);
      } else await new Promise((res) => setImmediate(res));
    }
  }, 100);
  assert.ok(sawPromise, 'write never reported backpressure');
  assert.equal(reads.join('').length, chunk.length * 200);
});

test('end() sends what is still queued before its own text', async () => {
  const { reads } = await withStream(async (sse, res) => {
    void sse.write('data: a\n\n');
    sse.end('data: b\n\n');
    assert.equal(res.writableEnded, true);
  });
  assert.equal(reads.join(''), 'data: a\n\ndata: b\n\n');
});

test('open() alone still sends the headers (the client sees the stream before any event)', async () => {
  let opened = false;
  const server = createServer((_req, res) => {
    new SseWriter(res).open();
    setTimeout(() => res.end(), 200);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const t0 = Date.now();
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/' }, (res) => {
      opened = Date.now() - t0 < 150;
      assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  assert.ok(opened, 'headers arrived only with the end of the response');
});
