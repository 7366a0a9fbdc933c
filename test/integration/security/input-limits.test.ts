// "Bad input gets a clear 4xx in the caller's dialect; the server keeps serving" (design §6):
// body size limit, JSON depth, invalid JSON, a client that stalls mid-body, oversized headers.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { http, postJson, rawExchange, startWithDeps, ANTHROPIC_BODY, OPENAI_BODY } from './http.ts';

describe('request input limits', () => {
  let srv: Awaited<ReturnType<typeof startWithDeps>>;
  before(async () => {
    srv = await startWithDeps({ maxBodyBytes: 4096 }, { bodyTimeouts: { idleMs: 300, totalMs: 2000 } });
  });
  after(() => srv.close());

  const stillServes = async () => {
    const r = await postJson(srv.port, '/v1/messages', ANTHROPIC_BODY);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().type, 'message');
  };

  test('the default body limit is 32 MiB', async () => {
    const { defaultConfig } = await import('../../../src/core/config.ts');
    assert.equal(defaultConfig().maxBodyBytes, 32 * 1024 * 1024);
  });

  test('a body over the limit gets 413 in the dialect shape, Connection: close, and the server keeps serving', async () => {
    const big = { ...ANTHROPIC_BODY, messages: [{ role: 'user', content: 'x'.repeat(8000) }] };
    const a = await postJson(srv.port, '/v1/messages', big);
    assert.equal(a.status, 413);
    assert.equal(a.json().type, 'error');
    assert.equal(a.json().error.type, 'request_too_large');
    assert.match(a.json().error.message, /exceeds the 0\.00 MiB limit|exceeds the .* limit/);
    assert.equal(a.headers['connection'], 'close');
    assert.ok(a.headers['x-kiro-proxy-request-id'], 'error responses carry the request id');

    const o = await postJson(srv.port, '/v1/chat/completions', { ...OPENAI_BODY, messages: [{ role: 'user', content: 'y'.repeat(8000) }] });
    assert.equal(o.status, 413);
    assert.equal(typeof o.json().error.message, 'string');

    // Without Content-Length (chunked): detected while streaming.
    const head = `POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const chunk = 'z'.repeat(6000);
    const raw = await rawExchange(srv.port, head, `${chunk.length.toString(16)}\r\n${chunk}\r\n`, 3000);
    assert.match(raw, /^HTTP\/1\.1 413 /);
    assert.match(raw, /connection: close/i);
    await stillServes();
  });

  test('deeply nested JSON is refused with 400 before parsing', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const small = await startWithDeps({});
    try {
      const r = await postJson(small.port, '/v1/messages', `{"model":"m","messages":${deep}}`);
      assert.equal(r.status, 400);
      assert.equal(r.json().error.type, 'invalid_request_error');
      assert.match(r.json().error.message, /nested deeper than 64 levels/);
      const ok = await postJson(small.port, '/v1/messages', ANTHROPIC_BODY);
      assert.equal(ok.status, 200);
    } finally {
      await small.close();
    }
  });

  test('invalid JSON gets 400 with a clear message (where it broke), in each dialect', async () => {
    const a = await postJson(srv.port, '/v1/messages', '{"model": "m", "messages": [}');
    assert.equal(a.status, 400);
    assert.equal(a.json().error.type, 'invalid_request_error');
    assert.match(a.json().error.message, /not valid JSON.*position \d+/s);
    const o = await postJson(srv.port, '/v1/chat/completions', '{"model": ');
    assert.equal(o.status, 400);
    assert.match(o.json().error.message, /not valid JSON/);
    const r = await postJson(srv.port, '/v1/responses', 'not json at all');
    assert.equal(r.status, 400);
    assert.match(r.json().error.message, /not valid JSON/);
    const empty = await postJson(srv.port, '/v1/messages', '');
    assert.equal(empty.status, 400);
    assert.match(empty.json().error.message, /empty/);
    // Valid JSON that is not a valid request: still a clear 400.
    const shape = await postJson(srv.port, '/v1/messages', { model: 'm', messages: 'nope' });
    assert.equal(shape.status, 400);
    assert.equal(shape.json().error.type, 'invalid_request_error');
    await stillServes();
  });

  test('a client that sends half a body and stalls gets 408 and the server keeps serving', async () => {
    const body = JSON.stringify(ANTHROPIC_BODY);
    const head = `POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const started = Date.now();
    const raw = await rawExchange(srv.port, head, body.slice(0, 20), 5000);
    assert.match(raw, /^HTTP\/1\.1 408 /, raw.slice(0, 200));
    assert.match(raw, /connection: close/i);
    assert.match(raw, /"type":"error"/);
    assert.match(raw, /no request body data/);
    assert.ok(Date.now() - started < 4000, 'answered by the idle timeout, not the test timeout');
    await stillServes();
    const entry = srv.proxy.logs().find((e) => e.status === 408);
    assert.ok(entry, 'the stalled request is in the request log');
    assert.equal(entry.errorClass, 'body_timeout');
  });

  test('oversized headers get 431 and the server keeps serving', async () => {
    const head = `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`;
    const raw = await rawExchange(srv.port, head, '', 3000);
    assert.match(raw, /^HTTP\/1\.1 431 /);
    const h = await http(srv.port, { path: '/health', headers: { host: `127.0.0.1:${srv.port}` } });
    assert.equal(h.status, 200);
    await stillServes();
  });
});
