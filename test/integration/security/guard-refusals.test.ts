// What a client sees when the guard refuses it, through the real server: the status, the error
// type and the stable code the guard decided (missing_host, host_not_allowed,
// origin_not_allowed, missing_api_key, invalid_api_key), in the shape of the route's dialect
// (OpenAI: error.type + error.code; Anthropic: error.type, its shape has no code field), with
// Connection: close and x-should-retry: false. Regression: the router once flattened the
// guard's decision and guessed the kind from the status, so a request without Host got
// `permission_error` and no code.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestProxy, type TestProxy } from '../../helpers/proxy.ts';
import { http, postJson, rawExchange, ANTHROPIC_BODY, OPENAI_BODY, type RawResponse } from './http.ts';

const KEY = 'guard-test-key-' + 'x'.repeat(20);

interface Expected {
  status: number;
  /** OpenAI `error.type` (Anthropic uses the same names for these kinds). */
  type: string;
  code: string;
  message: RegExp;
}

const ROUTES = [
  { path: '/v1/messages', body: ANTHROPIC_BODY, dialect: 'anthropic' },
  { path: '/v1/chat/completions', body: OPENAI_BODY, dialect: 'openai' },
  { path: '/v1/responses', body: { model: 'claude-sonnet-4-5', input: 'hello' }, dialect: 'openai' },
] as const;

function assertRefusal(
  r: { status: number; headers: Record<string, string | string[] | undefined>; json: unknown },
  dialect: 'anthropic' | 'openai',
  want: Expected,
  what: string,
): void {
  assert.equal(r.status, want.status, what);
  assert.equal(r.headers['x-should-retry'], 'false', what);
  assert.equal(r.headers['connection'], 'close', what);
  assert.match(String(r.headers['content-type']), /application\/json/, what);
  const body = r.json as { type?: string; error: { type: string; message: string; code?: string | null } };
  assert.equal(body.error.type, want.type, `${what}: ${JSON.stringify(body)}`);
  assert.match(body.error.message, want.message, what);
  if (dialect === 'anthropic') {
    assert.equal(body.type, 'error', what);
    assert.equal('code' in body.error, false, what);
  } else {
    assert.equal(body.error.code, want.code, `${what}: ${JSON.stringify(body)}`);
  }
}

/** A raw request without a Host header (no client library will send one). */
async function withoutHost(port: number, path: string, body: unknown, version: '1.0' | '1.1') {
  const text = JSON.stringify(body);
  const raw = await rawExchange(
    port,
    `POST ${path} HTTP/${version}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
  const [head = '', payload = ''] = raw.split('\r\n\r\n', 2);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
  }
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    json: JSON.parse(headers['transfer-encoding'] === 'chunked' ? dechunk(payload) : payload) as unknown,
  };
}

function dechunk(s: string): string {
  let out = '';
  for (let i = 0; ;) {
    const eol = s.indexOf('\r\n', i);
    const size = parseInt(s.slice(i, eol), 16);
    if (!(size > 0)) return out;
    out += s.slice(eol + 2, eol + 2 + size);
    i = eol + 2 + size + 2;
  }
}

const json = (r: RawResponse) => ({ status: r.status, headers: r.headers, json: r.json() as unknown });

describe('guard refusals through the real server', () => {
  let tp: TestProxy;
  let keyed: TestProxy;
  before(async () => {
    tp = await startTestProxy();
    keyed = await startTestProxy({ apiKey: KEY });
  });
  after(async () => {
    await tp.close();
    await keyed.close();
  });

  test('no Host header → 400 invalid_request_error with code missing_host (HTTP/1.1 and 1.0)', async () => {
    for (const version of ['1.1', '1.0'] as const) {
      for (const r of ROUTES) {
        const res = await withoutHost(tp.port, r.path, r.body, version);
        assertRefusal(
          res,
          r.dialect,
          { status: 400, type: 'invalid_request_error', code: 'missing_host', message: /Host header is required/ },
          `${r.path} HTTP/${version}`,
        );
      }
    }
  });

  test('a non-loopback Host → 403 permission_error with code host_not_allowed', async () => {
    for (const r of ROUTES) {
      const res = json(await postJson(tp.port, r.path, r.body, { host: `evil.example:${tp.port}` }));
      assertRefusal(
        res,
        r.dialect,
        { status: 403, type: 'permission_error', code: 'host_not_allowed', message: /Host "evil\.example:\d+" is not allowed/ },
        r.path,
      );
    }
  });

  test('a foreign Origin → 403 permission_error with code origin_not_allowed', async () => {
    for (const r of ROUTES) {
      const res = json(await postJson(tp.port, r.path, r.body, { origin: 'https://evil.example' }));
      assertRefusal(
        res,
        r.dialect,
        { status: 403, type: 'permission_error', code: 'origin_not_allowed', message: /Origin "https:\/\/evil\.example" is not allowed/ },
        r.path,
      );
    }
  });

  test('no key or a wrong key → 401 authentication_error with its code and WWW-Authenticate', async () => {
    for (const r of ROUTES) {
      const none = json(await postJson(keyed.port, r.path, r.body));
      assertRefusal(
        none,
        r.dialect,
        { status: 401, type: 'authentication_error', code: 'missing_api_key', message: /requires an API key/ },
        `${r.path} no key`,
      );
      assert.match(String(none.headers['www-authenticate']), /^Bearer/);
      const wrong = json(await postJson(keyed.port, r.path, r.body, { authorization: 'Bearer not-the-key' }));
      assertRefusal(
        wrong,
        r.dialect,
        { status: 401, type: 'authentication_error', code: 'invalid_api_key', message: /^Invalid API key\.$/ },
        `${r.path} wrong key`,
      );
      assert.ok(!JSON.stringify(wrong.json).includes('not-the-key'), 'the presented key is not echoed');
    }
  });

  test('after every refusal the server still serves a good request', async () => {
    await withoutHost(tp.port, '/v1/messages', ANTHROPIC_BODY, '1.1');
    const ok = await postJson(tp.port, '/v1/messages', ANTHROPIC_BODY);
    assert.equal(ok.status, 200);
    const health = await http(keyed.port, { path: '/health', headers: { host: `127.0.0.1:${keyed.port}` } });
    assert.equal(health.status, 200);
    const withKey = await postJson(keyed.port, '/v1/chat/completions', OPENAI_BODY, { authorization: `Bearer ${KEY}` });
    assert.equal(withKey.status, 200);
  });
});
