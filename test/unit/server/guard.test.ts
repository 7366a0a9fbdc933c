import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { checkRequest, guardError, isPublicRoute, type GuardConfig, type GuardDecision } from '../../../src/core/server/guard.ts';
import { ProxyError } from '../../../src/core/errors.ts';

const KEY = 'test-proxy-key-0123';
const base: GuardConfig = { host: '127.0.0.1', port: 8080, apiKey: undefined, allowedHosts: [], corsOrigins: [] };

function check(headers: IncomingHttpHeaders, over: Partial<GuardConfig> = {}, method = 'GET', url = '/v1/models'): GuardDecision {
  return checkRequest({ method, url, headers: { host: '127.0.0.1:8080', ...headers } }, { ...base, ...over });
}
function denied(d: GuardDecision) {
  assert.equal(d.ok, false, JSON.stringify(d));
  return d;
}

describe('Host header (DNS rebinding)', () => {
  test('loopback names on our port pass', () => {
    for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080', 'LOCALHOST:8080', 'localhost.:8080']) {
      assert.equal(check({ host }).ok, true, host);
    }
  });

  test('foreign names, look-alikes and other ports are refused with 403', () => {
    for (const host of [
      'evil.com',
      'evil.com:8080',
      '127.0.0.1.evil.com:8080',
      'localhost.evil.com:8080',
      '127.0.0.1:9999',
      'localhost',
      '[::1]:80',
      'user@127.0.0.1:8080',
      '127.0.0.1:8080/x',
      '',
    ]) {
      const d = denied(check({ host }));
      if (host === '') assert.equal(d.code, 'missing_host');
      else {
        assert.equal(d.status, 403, host);
        assert.equal(d.code, 'host_not_allowed');
      }
    }
  });

  test('allowedHosts entries match by name (any port) or name:port', () => {
    assert.equal(check({ host: 'proxy.lan' }, { allowedHosts: ['proxy.lan'] }).ok, true);
    assert.equal(check({ host: 'proxy.lan:443' }, { allowedHosts: ['proxy.lan'] }).ok, true);
    assert.equal(check({ host: 'proxy.lan:8080' }, { allowedHosts: ['proxy.lan:8080'] }).ok, true);
    assert.equal(check({ host: 'proxy.lan:9090' }, { allowedHosts: ['proxy.lan:8080'] }).ok, false);
    assert.equal(check({ host: 'Proxy.LAN:8080' }, { allowedHosts: ['proxy.lan'] }).ok, true);
  });

  test('a specific bound address is accepted on our port; a wildcard bind accepts nothing extra', () => {
    assert.equal(check({ host: '192.168.1.5:8080' }, { host: '192.168.1.5' }).ok, true);
    assert.equal(check({ host: '192.168.1.5:8080' }, { host: '0.0.0.0' }).ok, false);
    assert.equal(check({ host: '192.168.1.5:8080' }, { host: '0.0.0.0', allowedHosts: ['192.168.1.5'] }).ok, true);
  });

  test('absolute-form request targets are refused', () => {
    const d = denied(checkRequest({ method: 'GET', url: 'http://evil.com/v1/models', headers: { host: '127.0.0.1:8080' } }, base));
    assert.equal(d.status, 400);
    assert.equal(d.code, 'bad_request_target');
  });
});

describe('Origin', () => {
  test('absent Origin (SDKs, curl) is fine and gets no CORS headers', () => {
    const d = check({});
    assert.ok(d.ok);
    assert.deepEqual(d.headers, {});
  });

  test('our own dashboard origin passes without CORS headers', () => {
    for (const origin of ['http://127.0.0.1:8080', 'http://localhost:8080', 'http://[::1]:8080']) {
      const d = check({ origin });
      assert.ok(d.ok, origin);
      assert.deepEqual(d.headers, {});
    }
    assert.ok(check({ host: 'proxy.lan:8080', origin: 'http://proxy.lan:8080' }, { allowedHosts: ['proxy.lan'] }).ok);
  });

  test('foreign origins are refused, including other local ports and "null"', () => {
    for (const origin of ['https://evil.com', 'http://localhost:3000', 'http://127.0.0.1.evil.com:8080', 'https://127.0.0.1:8080', 'null', 'not a url']) {
      const d = denied(check({ origin }));
      assert.equal(d.status, 403, origin);
      assert.equal(d.code, 'origin_not_allowed');
      assert.deepEqual(d.headers, {}, 'no CORS headers for refused origins');
    }
  });

  test('configured CORS origins get CORS headers; preflight is answered without a key', () => {
    const cfg = { corsOrigins: ['https://app.example'], apiKey: KEY };
    const d = check({ origin: 'https://app.example', authorization: `Bearer ${KEY}` }, cfg);
    assert.ok(d.ok);
    assert.equal(d.headers['Access-Control-Allow-Origin'], 'https://app.example');
    assert.equal(d.headers['Vary'], 'Origin');

    const pre = check(
      { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      cfg,
      'OPTIONS',
      '/v1/chat/completions',
    );
    assert.ok(pre.ok && pre.preflight);
    assert.equal(pre.headers['Access-Control-Allow-Headers'], 'authorization, content-type');
    assert.match(pre.headers['Access-Control-Allow-Methods']!, /POST/);

    // A denied request from an allowed origin still carries CORS headers so the page can read the 401.
    const noKey = denied(check({ origin: 'https://app.example' }, cfg));
    assert.equal(noKey.status, 401);
    assert.equal(noKey.headers['Access-Control-Allow-Origin'], 'https://app.example');
  });

  test('preflight from an unlisted origin is refused', () => {
    const d = denied(check({ origin: 'https://evil.com', 'access-control-request-method': 'POST' }, {}, 'OPTIONS', '/v1/messages'));
    assert.equal(d.status, 403);
  });
});

describe('API key', () => {
  const cfg = { apiKey: KEY };

  test('no key configured: everything passes the key check', () => {
    assert.ok(check({}).ok);
  });

  test('Authorization: Bearer and x-api-key are both accepted', () => {
    assert.ok(check({ authorization: `Bearer ${KEY}` }, cfg).ok);
    assert.ok(check({ authorization: `bearer  ${KEY} ` }, cfg).ok);
    assert.ok(check({ 'x-api-key': KEY }, cfg).ok);
    // Anthropic SDKs send both when the user also sets an auth token.
    assert.ok(check({ authorization: 'Bearer something-else', 'x-api-key': KEY }, cfg).ok);
  });

  test('missing or wrong key → 401 with a clear message that never echoes the key', () => {
    const missing = denied(check({}, cfg));
    assert.equal(missing.status, 401);
    assert.equal(missing.code, 'missing_api_key');
    assert.match(missing.message, /x-api-key/);
    assert.equal(missing.headers['WWW-Authenticate'], 'Bearer realm="kiro-proxy"');
    for (const h of [{ authorization: 'Bearer wrong-key' }, { 'x-api-key': `${KEY}x` }, { authorization: `Basic ${KEY}` }, { 'x-api-key': KEY.slice(0, -1) }]) {
      const d = denied(check(h, cfg));
      assert.equal(d.status, 401);
      assert.ok(!d.message.includes('wrong-key') && !d.message.includes(KEY));
    }
    assert.equal(denied(check({ authorization: `Basic ${KEY}` }, cfg)).code, 'missing_api_key');
  });

  test('protected and public routes', () => {
    for (const [method, url] of [
      ['POST', '/v1/messages'],
      ['GET', '/v1/models'],
      ['GET', '/metrics'],
      ['GET', '/loadbalancer/instances'],
      ['GET', '/api/accounts'],
      ['POST', '/health'],
      ['GET', '/healthz'],
      ['GET', '/dashboard/../api/accounts'],
      ['GET', '/dashboard/%2e%2e/api/accounts'],
    ] as const) {
      assert.equal(denied(check({}, cfg, method, url)).status, 401, `${method} ${url}`);
    }
    for (const [method, url] of [
      ['GET', '/health'],
      ['HEAD', '/health'],
      ['HEAD', '/'],
      ['GET', '/'],
      ['GET', '/health?verbose=1'],
      ['GET', '/dashboard'],
      ['GET', '/dashboard/app.js'],
    ] as const) {
      const d = check({}, cfg, method, url);
      assert.ok(d.ok && d.isPublic, `${method} ${url}`);
    }
    assert.equal(check({}, { ...cfg, dashboardShellPublic: false }, 'GET', '/dashboard').ok, false);
    assert.equal(isPublicRoute('GET', '/dashboard/a\\..\\b'), false);
  });

  test('public routes still enforce Host', () => {
    assert.equal(denied(check({ host: 'evil.com' }, cfg, 'GET', '/health')).status, 403);
  });
});

test('guardError turns a decision into a ProxyError the dialects can render', () => {
  const err = guardError(denied(check({}, { apiKey: KEY })));
  assert.ok(err instanceof ProxyError);
  assert.equal(err.kind, 'authentication');
  assert.equal(err.status, 401);
  assert.equal(err.code, 'missing_api_key');
  const host = guardError(denied(check({ host: 'evil.com' })));
  assert.equal(host.kind, 'permission');
  assert.equal(host.status, 403);
});
