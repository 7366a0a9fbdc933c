// Design §6 network non-negotiables against the real server on port 0: loopback by default,
// non-loopback refused without API key + allow-list, Host/Origin checks (DNS rebinding), CORS
// only when configured. Every refusal is in the caller's dialect.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestProxy, type TestProxy } from '../../helpers/proxy.ts';
import { ProxyError } from '../../../src/core/errors.ts';
import { http, postJson, ANTHROPIC_BODY, OPENAI_BODY } from './http.ts';

function assertAnthropicError(json: any, type: string): void {
  assert.equal(json.type, 'error');
  assert.equal(json.error.type, type);
  assert.equal(typeof json.error.message, 'string');
}

function assertOpenAIError(json: any): void {
  assert.equal(typeof json.error.message, 'string');
  assert.ok('type' in json.error);
}

describe('bind policy', () => {
  test('binds to loopback by default', async () => {
    const tp = await startTestProxy();
    try {
      assert.equal(tp.proxy.status().host, '127.0.0.1');
      assert.match(tp.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const r = await http(tp.port, { path: '/health', headers: { host: `127.0.0.1:${tp.port}` } });
      assert.equal(r.status, 200);
    } finally {
      await tp.close();
    }
  });

  test('a non-loopback host without an API key refuses to start', async () => {
    await assert.rejects(startTestProxy({ host: '0.0.0.0', apiKey: undefined, allowedHosts: ['proxy.lan'] }), (err: unknown) => {
      assert.ok(err instanceof ProxyError);
      assert.equal(err.kind, 'permission');
      assert.match(err.message, /Refusing to listen on 0\.0\.0\.0/);
      assert.match(err.message, /API key/);
      return true;
    });
  });

  test('a non-loopback host with a key but no explicit allow-list refuses to start', async () => {
    for (const allowedHosts of [[], ['*']]) {
      await assert.rejects(startTestProxy({ host: '0.0.0.0', apiKey: 'k'.repeat(32), allowedHosts }), (err: unknown) => {
        assert.ok(err instanceof ProxyError);
        assert.match(err.message, /allowedHosts/);
        assert.doesNotMatch(err.message, /kkkkkkkk/, 'the key is never echoed');
        return true;
      });
    }
  });

  test('with key and allow-list it starts, and still checks Host and the key', async () => {
    const key = 'test-key-' + 'x'.repeat(24);
    const tp = await startTestProxy({ host: '0.0.0.0', apiKey: key, allowedHosts: ['proxy.lan'] });
    try {
      const ok = await http(tp.port, { path: '/v1/models', headers: { host: `proxy.lan:${tp.port}`, authorization: `Bearer ${key}` } });
      assert.equal(ok.status, 200);
      const noKey = await http(tp.port, { path: '/v1/models', headers: { host: `proxy.lan:${tp.port}` } });
      assert.equal(noKey.status, 401);
      const evil = await http(tp.port, { path: '/v1/models', headers: { host: `evil.com:${tp.port}`, authorization: `Bearer ${key}` } });
      assert.equal(evil.status, 403);
    } finally {
      await tp.close();
    }
  });
});

describe('Host and Origin checks (DNS rebinding), CORS', () => {
  let tp: TestProxy;
  before(async () => {
    tp = await startTestProxy();
  });
  after(() => tp.close());

  test('a foreign Host is refused with 403 in the dialect of the route', async () => {
    const port = tp.port;
    for (const host of ['evil.com', `evil.com:${port}`, `127.0.0.1.evil.com:${port}`, `127.0.0.1:${port + 1 === 65536 ? 1 : port + 1}`, `localhost:1`]) {
      const a = await postJson(port, '/v1/messages', ANTHROPIC_BODY, { host });
      assert.equal(a.status, 403, host);
      assertAnthropicError(a.json(), 'permission_error');
      assert.match(a.json().error.message, /not allowed/);
      const o = await postJson(port, '/v1/chat/completions', OPENAI_BODY, { host });
      assert.equal(o.status, 403, host);
      assertOpenAIError(o.json());
      assert.equal(o.headers['access-control-allow-origin'], undefined);
    }
    // GET routes too, even the public ones.
    const h = await http(port, { path: '/health', headers: { host: 'attacker.example' } });
    assert.equal(h.status, 403);
    // And the server keeps serving.
    const ok = await postJson(port, '/v1/messages', ANTHROPIC_BODY);
    assert.equal(ok.status, 200);
  });

  test('loopback names for our port are accepted', async () => {
    for (const host of [`127.0.0.1:${tp.port}`, `localhost:${tp.port}`]) {
      const r = await http(tp.port, { path: '/health', headers: { host } });
      assert.equal(r.status, 200, host);
    }
  });

  test('a cross-origin Origin is refused; no CORS headers unless configured', async () => {
    const port = tp.port;
    const host = `127.0.0.1:${port}`;
    for (const origin of ['http://evil.com', 'https://127.0.0.1.evil.com', 'null', `http://localhost:${port + 1}`]) {
      const r = await postJson(port, '/v1/messages', ANTHROPIC_BODY, { host, origin });
      assert.equal(r.status, 403, origin);
      assertAnthropicError(r.json(), 'permission_error');
      assert.equal(r.headers['access-control-allow-origin'], undefined);
    }
    // A preflight from a foreign origin gets no CORS grant.
    const pre = await http(port, {
      method: 'OPTIONS',
      path: '/v1/messages',
      headers: { host, origin: 'http://evil.com', 'access-control-request-method': 'POST' },
    });
    assert.ok(pre.status >= 400);
    assert.equal(pre.headers['access-control-allow-origin'], undefined);
    // Same-origin (the dashboard) works but gets no CORS headers either.
    const same = await http(port, { path: '/health', headers: { host, origin: `http://${host}` } });
    assert.equal(same.status, 200);
    assert.equal(same.headers['access-control-allow-origin'], undefined);
    const plain = await postJson(port, '/v1/messages', ANTHROPIC_BODY);
    assert.equal(plain.status, 200);
    for (const k of Object.keys(plain.headers)) assert.ok(!k.startsWith('access-control-'), `unexpected ${k}`);
  });

  test('a configured origin gets CORS headers and a 204 preflight', async () => {
    const cors = await startTestProxy({ corsOrigins: ['https://app.example'] });
    try {
      const host = `127.0.0.1:${cors.port}`;
      const pre = await http(cors.port, {
        method: 'OPTIONS',
        path: '/v1/chat/completions',
        headers: {
          host,
          origin: 'https://app.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization',
        },
      });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers['access-control-allow-origin'], 'https://app.example');
      assert.match(String(pre.headers['access-control-allow-methods']), /POST/);
      assert.equal(pre.headers['access-control-allow-headers'], 'content-type, authorization');
      const r = await postJson(cors.port, '/v1/chat/completions', OPENAI_BODY, { origin: 'https://app.example' });
      assert.equal(r.status, 200);
      assert.equal(r.headers['access-control-allow-origin'], 'https://app.example');
      // Another origin is still refused.
      const other = await postJson(cors.port, '/v1/chat/completions', OPENAI_BODY, { origin: 'https://other.example' });
      assert.equal(other.status, 403);
      assert.equal(other.headers['access-control-allow-origin'], undefined);
    } finally {
      await cors.close();
    }
  });
});
