import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ProxyError } from '../../../src/core/errors.ts';
import { jsonDepthExceeds, parseJsonBody, readJsonBody, shouldCloseConnection, SERVER_LIMITS, type ReadJsonOptions } from '../../../src/core/server/body.ts';

// A real server on port 0, answering like the proxy will: the parsed body, or the error's status.
function startServer(opts: ReadJsonOptions): Promise<{ server: Server; port: number }> {
  const server = createServer(
    { maxHeaderSize: SERVER_LIMITS.maxHeaderSize },
    (req, res) =>
      void (async () => {
        try {
          const body = await readJsonBody(req, opts);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ got: body }));
        } catch (err) {
          const e = err instanceof ProxyError ? err : new ProxyError('internal', 'x');
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (shouldCloseConnection(e)) headers['connection'] = 'close';
          res.writeHead(e.status, headers).end(JSON.stringify({ code: e.code, message: e.message }));
        }
      })(),
  );
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port })));
}

function post(port: number, body: string | Buffer): Promise<{ status: number; json: { code?: string; message?: string; got?: unknown } }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Raw socket client: writes `head`, then whatever `drive` sends; resolves with the status line. */
function raw(port: number, head: string, drive?: (write: (s: string | Buffer) => boolean) => void): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let text = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      text += d;
      if (/\r\n\r\n[\s\S]*\}/.test(text)) {
        sock.destroy();
        resolve({ status: Number(text.slice(9, 12)), text });
      }
    });
    sock.on('error', (e) => (text ? resolve({ status: Number(text.slice(9, 12)), text }) : reject(e)));
    sock.on('close', () => resolve({ status: Number(text.slice(9, 12)), text }));
    sock.write(head);
    drive?.((s) => !sock.destroyed && sock.write(s));
  });
}

describe('readJsonBody against a real server', () => {
  let server: Server;
  let port: number;
  before(async () => {
    ({ server, port } = await startServer({ maxBytes: 1024, idleTimeoutMs: 200, totalTimeoutMs: 800, maxDepth: 8 }));
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test('a valid body is parsed (multi-byte UTF-8 split across chunks decodes correctly)', async () => {
    const bytes = Buffer.from('{"a":"é€"}');
    const r = await raw(port, `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${bytes.length}\r\n\r\n`, (write) => {
      write(bytes.subarray(0, 9)); // ends inside the 3-byte "€"
      setTimeout(() => write(bytes.subarray(9)), 20);
    });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /"got":\{"a":"é€"\}/);
  });

  test('oversize by Content-Length → 413 without reading, then the server keeps serving', async () => {
    const r = await raw(port, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\n\r\n');
    assert.equal(r.status, 413);
    assert.match(r.text, /body_too_large/);
    assert.match(r.text, /connection: close/i);
    assert.equal((await post(port, '{"ok":1}')).status, 200);
  });

  test('oversize while streaming (chunked, no Content-Length) → 413, server keeps serving', async () => {
    const r = await raw(port, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n', (write) => {
      const chunk = 'x'.repeat(300);
      let n = 0;
      const t = setInterval(() => {
        if (n++ > 10 || !write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`)) clearInterval(t);
      }, 5);
    });
    assert.equal(r.status, 413);
    assert.match(r.text, /"code":"body_too_large"/);
    const ok = await post(port, '{"still":"alive"}');
    assert.deepEqual(ok, { status: 200, json: { got: { still: 'alive' } } });
  });

  test('a client that stops sending → 408 after the idle timeout', async () => {
    const started = Date.now();
    const r = await raw(port, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{"a":');
    assert.equal(r.status, 408);
    assert.match(r.text, /body_timeout/);
    assert.ok(Date.now() - started < 700, 'idle limit, not the total one');
    assert.equal((await post(port, '{}')).status, 200);
  });

  test('a trickling client → 408 at the total time limit', async () => {
    let timer: NodeJS.Timeout | undefined;
    const r = await raw(port, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 500\r\n\r\n', (write) => {
      timer = setInterval(() => write(' '), 50);
    });
    clearInterval(timer);
    assert.equal(r.status, 408);
    assert.match(r.text, /did not arrive within/);
  });

  test('too deep JSON → 400 json_too_deep', async () => {
    const r = await post(port, '['.repeat(9) + ']'.repeat(9));
    assert.equal(r.status, 400);
    assert.equal(r.json.code, 'json_too_deep');
    assert.equal((await post(port, '['.repeat(8) + ']'.repeat(8))).status, 200);
  });

  test('invalid JSON → 400 with the position', async () => {
    const r = await post(port, '{"model": "x",\n "messages": [}');
    assert.equal(r.status, 400);
    assert.equal(r.json.code, 'invalid_json');
    assert.match(r.json.message!, /not valid JSON: .*position \d+/);
    assert.match(r.json.message!, /line 2 column 15/);
    const trailing = await post(port, '{"a":1} x');
    assert.match(trailing.json.message!, /position 8/);
    assert.match((await post(port, '{"a":1')).json.message!, /not valid JSON/);
  });

  test('empty body and invalid UTF-8 → 400', async () => {
    assert.equal((await post(port, '')).json.code, 'empty_body');
    assert.equal((await post(port, Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))).json.code, 'invalid_encoding');
  });
});

describe('an over-limit body is drained before the 413', () => {
  let server: Server;
  let port: number;
  before(async () => {
    ({ server, port } = await startServer({
      maxBytes: 1024,
      idleTimeoutMs: 2000,
      totalTimeoutMs: 10_000,
      drainBytes: 32 * 1024 * 1024,
      drainTimeoutMs: 20_000,
    }));
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  /** Sends `head` and then `total` bytes in 16 KiB writes as fast as the socket takes them; reports what came back and whether the socket was reset. */
  function sendAll(head: string, total: number, frame = (b: Buffer) => b): Promise<{ text: string; reset: boolean; sentAll: boolean }> {
    return new Promise((resolve) => {
      const sock = connect(port, '127.0.0.1');
      let text = '';
      let reset = false;
      let sent = 0;
      sock.setEncoding('utf8');
      sock.on('data', (d: string) => (text += d));
      sock.on('error', () => (reset = true));
      sock.on('close', () => resolve({ text, reset, sentAll: sent >= total }));
      sock.write(head);
      const pump = () => {
        while (sent < total) {
          const n = Math.min(16 * 1024, total - sent);
          sent += n;
          if (!sock.write(frame(Buffer.alloc(n, 0x61)))) return void sock.once('drain', pump);
        }
        if (head.includes('chunked')) sock.write('0\r\n\r\n');
      };
      pump();
    });
  }

  test('a client that writes its whole body before reading gets the 413, not a reset', async () => {
    // More than the loopback socket buffers hold, so a server that stops reading early makes the write fail.
    const size = 24 * 1024 * 1024;
    const r = await sendAll(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${size}\r\n\r\n`, size);
    assert.equal(r.reset, false, 'no ECONNRESET/EPIPE');
    assert.ok(r.sentAll);
    assert.match(r.text, /^HTTP\/1\.1 413 /);
    assert.match(r.text, /connection: close/i);
    assert.match(r.text, /"code":"body_too_large"/);
    assert.equal((await post(port, '{"ok":1}')).status, 200);
  });

  test('chunked without Content-Length: drained to its end, then 413', async () => {
    const chunk = (b: Buffer) => Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]);
    const r = await sendAll('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n', 24 * 1024 * 1024, chunk);
    assert.equal(r.reset, false);
    assert.match(r.text, /^HTTP\/1\.1 413 /);
  });

  test('a declared size beyond the drain allowance is refused at once, without reading', async () => {
    const started = Date.now();
    const r = await raw(port, `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${1024 + 32 * 1024 * 1024 + 1}\r\n\r\n`);
    assert.equal(r.status, 413);
    assert.ok(Date.now() - started < 250, 'not after the drain timeout');
  });

  test('a client that keeps sending forever is answered 413 and cut off after the drain timeout', async () => {
    const short = await startServer({ maxBytes: 1024, idleTimeoutMs: 2000, totalTimeoutMs: 10_000, drainBytes: 32 * 1024 * 1024, drainTimeoutMs: 300 });
    let timer: NodeJS.Timeout | undefined;
    try {
      const started = Date.now();
      const r = await raw(short.port, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n', (write) => {
        // 2 KiB every 10 ms: past the limit at once, far below the drain byte allowance within 300 ms.
        timer = setInterval(() => write(`800\r\n${'x'.repeat(2048)}\r\n`), 10);
      });
      assert.equal(r.status, 413);
      const took = Date.now() - started;
      assert.ok(took >= 250, `not before the drain timeout (${took} ms)`);
    } finally {
      clearInterval(timer);
      short.server.closeAllConnections();
      short.server.close();
    }
  });

  test('a client sending more than the drain allowance is answered 413 and cut off', async () => {
    const r = await sendAll('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n', 128 * 1024 * 1024, (b) =>
      Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]),
    );
    assert.equal(r.sentAll, false, 'the server closed before 128 MiB went through');
  });
});

describe('jsonDepthExceeds', () => {
  test('ignores brackets inside strings and escapes', () => {
    assert.equal(jsonDepthExceeds('{"a":"[[[[[[[[[[\\"[[[["}', 2), -1);
    assert.equal(jsonDepthExceeds('[[[1]]]', 3), -1);
    assert.equal(jsonDepthExceeds('[[[1]]]', 2), 2);
    assert.equal(jsonDepthExceeds('[{},{},{"a":[{}]}]', 4), -1);
  });

  test('a hostile 1M-deep array is rejected quickly, never reaching JSON.parse', () => {
    const evil = '['.repeat(1_000_000);
    const t = Date.now();
    assert.throws(
      () => parseJsonBody(Buffer.from(evil)),
      (e: unknown) => e instanceof ProxyError && e.code === 'json_too_deep' && e.status === 400,
    );
    assert.ok(Date.now() - t < 500);
  });
});
