import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  refreshSocial,
  refreshIdc,
  refreshOAuth,
  refreshCredential,
  observedRefresh,
  type TokenRefreshOutcome,
} from '../../../src/core/accounts/tokens/token-refresh.ts';
import { RefreshError } from '../../../src/core/accounts/tokens/refresh-error.ts';
import type { KiroCredential } from '../../../src/core/accounts/credentials/credential.ts';
import { startStub, json, type Stub } from './http-stub.ts';
import { RT, RT2, AT, AT2, CLIENT_SECRET, assertNoSecrets } from './fixtures.ts';

const NOW = Date.UTC(2026, 0, 1);
const now = () => NOW;
const stubs: Stub[] = [];
after(() => Promise.all(stubs.map((s) => s.close())));
async function stub(...args: Parameters<typeof startStub>): Promise<Stub> {
  const s = await startStub(...args);
  stubs.push(s);
  return s;
}
const signal = () => new AbortController().signal;

async function rejectsWith(p: Promise<unknown>, check: (e: RefreshError) => void): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof RefreshError, `expected RefreshError, got ${String(err)}`);
    assertNoSecrets(err.message);
    check(err);
    return true;
  });
}

describe('social refresh (kiro-protocol.md §2.1)', () => {
  const cred: KiroCredential = { kind: 'social', refreshToken: RT, accessToken: AT, provider: 'Google' };

  test('POST {auth}/refreshToken with JSON {refreshToken} and the Kiro IDE user agent', async () => {
    const s = await stub((_req, res) =>
      json(res, 200, { accessToken: AT2, refreshToken: RT2, profileArn: 'arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK', expiresIn: 3600 }),
    );
    const r = await refreshSocial(`${s.base}/`, cred, signal(), { now, machineId: 'a'.repeat(64) });
    assert.deepEqual(r, {
      accessToken: AT2,
      refreshToken: RT2,
      expiresAt: NOW + 3_600_000,
      profileArn: 'arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK',
    });
    const req = s.requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/refreshToken');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.match(req.headers['user-agent'] ?? '', new RegExp(`^KiroIDE-\\d+\\.\\d+\\.\\d+-${'a'.repeat(64)}$`));
    assert.deepEqual(JSON.parse(req.body), { refreshToken: RT });
  });

  test('without a machine id a stable 64-hex one is derived', async () => {
    const s = await stub((_req, res) => json(res, 200, { accessToken: AT2, expiresIn: 60 }));
    const r1 = await refreshSocial(s.base, cred, signal(), { now });
    await refreshSocial(s.base, cred, signal(), { now });
    assert.equal(r1.refreshToken, undefined);
    assert.equal(r1.expiresAt, NOW + 60_000);
    const ua = s.requests.map((r) => r.headers['user-agent']);
    assert.match(ua[0]!, /-[0-9a-f]{64}$/);
    assert.equal(ua[0], ua[1]);
  });

  test('"Invalid refresh token provided" is permanent; 401 is permanent; 500 and 429 are transient', async () => {
    const answers: [number, unknown][] = [
      [400, { message: 'Invalid refresh token provided' }],
      [401, { message: 'Unauthorized' }],
      [500, { message: 'Internal error' }],
      [429, { message: 'Too many requests' }],
    ];
    const s = await stub((_req, res) => {
      const [status, body] = answers.shift()!;
      json(res, status, body);
    });
    await rejectsWith(refreshSocial(s.base, cred, signal()), (e) => {
      assert.deepEqual([e.permanent, e.status, e.code], [true, 400, 'invalid_grant']);
      assert.match(e.message, /social token refresh failed: HTTP 400 invalid_grant \(Invalid refresh token provided\)/);
    });
    await rejectsWith(refreshSocial(s.base, cred, signal()), (e) => assert.deepEqual([e.permanent, e.code], [true, 'unauthorized']));
    await rejectsWith(refreshSocial(s.base, cred, signal()), (e) => assert.deepEqual([e.permanent, e.code], [false, 'server']));
    await rejectsWith(refreshSocial(s.base, cred, signal()), (e) => assert.deepEqual([e.permanent, e.code], [false, 'rate_limited']));
  });

  test('an error body echoing our token is redacted', async () => {
    const s = await stub((req, res) => json(res, 400, { message: `bad request: ${req.body}` }));
    await rejectsWith(refreshSocial(s.base, cred, signal()), (e) => assert.equal(e.permanent, false));
  });
});

describe('IdC refresh (kiro-protocol.md §2.2)', () => {
  const cred: KiroCredential = { kind: 'idc', refreshToken: RT, clientId: 'client-123', clientSecret: CLIENT_SECRET, oidcRegion: 'ap-southeast-2' };

  test('POST {oidc}/token, {region} substituted, camelCase JSON body and SDK headers', async () => {
    const s = await stub((_req, res) => json(res, 200, { accessToken: AT2, refreshToken: RT2, expiresIn: 3600, tokenType: 'Bearer' }));
    // The oidc base carries {region} in the host in production; a path segment keeps it testable on loopback.
    const r = await refreshIdc(`${s.base}/{region}`, cred, signal(), { now });
    assert.deepEqual(r, { accessToken: AT2, refreshToken: RT2, expiresAt: NOW + 3_600_000 });
    const req = s.requests[0]!;
    assert.equal(req.url, '/ap-southeast-2/token');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.match(String(req.headers['x-amz-user-agent']), /^aws-sdk-js\/\S+ KiroIDE$/);
    assert.match(req.headers['user-agent'] ?? '', /api\/sso-oidc#/);
    assert.match(String(req.headers['amz-sdk-invocation-id']), /^[0-9a-f-]{36}$/);
    assert.equal(req.headers['amz-sdk-request'], 'attempt=1; max=4');
    assert.deepEqual(JSON.parse(req.body), { clientId: 'client-123', clientSecret: CLIENT_SECRET, grantType: 'refresh_token', refreshToken: RT });
  });

  test('invalid_grant and ExpiredClientException are permanent; a missing registration fails before any request', async () => {
    const answers: [number, unknown, Record<string, string>][] = [
      [
        400,
        { error: 'invalid_grant', error_description: 'Invalid refresh token provided' },
        { 'x-amzn-errortype': 'InvalidGrantException:http://internal.amazon.com/' },
      ],
      [400, { error: 'invalid_client', error_description: 'Client is expired' }, { 'x-amzn-errortype': 'ExpiredClientException' }],
    ];
    const s = await stub((_req, res) => {
      const [status, body, headers] = answers.shift()!;
      json(res, status, body, headers);
    });
    await rejectsWith(refreshIdc(s.base, cred, signal()), (e) => assert.deepEqual([e.permanent, e.code], [true, 'invalid_grant']));
    await rejectsWith(refreshIdc(s.base, cred, signal()), (e) => assert.deepEqual([e.permanent, e.code], [true, 'expired_client']));
    await rejectsWith(refreshIdc(s.base, { ...cred, clientSecret: undefined }, signal()), (e) =>
      assert.deepEqual([e.permanent, e.code], [true, 'missing_client_registration']),
    );
    assert.equal(s.requests.length, 2);
  });
});

describe('OAuth refresh (creds-file OAuth form)', () => {
  const cred: KiroCredential = { kind: 'oauth', refreshToken: RT, clientId: 'my-client', clientSecret: CLIENT_SECRET, scope: 'api.access', tokenUrl: '' };

  test('form-encoded grant to token_url, snake_case answer', async () => {
    const s = await stub((_req, res) => json(res, 200, { access_token: AT2, refresh_token: RT2, expires_in: 1800, token_type: 'Bearer' }));
    const r = await refreshCredential({ runtime: '', auth: '', oidc: '' }, { ...cred, tokenUrl: `${s.base}/oauth/token` }, signal(), { now });
    assert.deepEqual(r, { accessToken: AT2, refreshToken: RT2, expiresAt: NOW + 1_800_000 });
    const req = s.requests[0]!;
    assert.equal(req.url, '/oauth/token');
    assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
    const form = new URLSearchParams(req.body);
    assert.deepEqual([...form.keys()], ['grant_type', 'client_id', 'client_secret', 'refresh_token', 'scope']);
    assert.deepEqual(Object.fromEntries(form), {
      grant_type: 'refresh_token',
      client_id: 'my-client',
      client_secret: CLIENT_SECRET,
      refresh_token: RT,
      scope: 'api.access',
    });
  });

  test('invalid_grant is permanent; a response without a token is transient', async () => {
    const answers: [number, unknown][] = [
      [400, { error: 'invalid_grant' }],
      [200, { token_type: 'Bearer' }],
    ];
    const s = await stub((_req, res) => {
      const [status, body] = answers.shift()!;
      json(res, status, body);
    });
    await rejectsWith(refreshOAuth(s.base, cred, signal()), (e) => assert.deepEqual([e.permanent, e.code], [true, 'invalid_grant']));
    await rejectsWith(refreshOAuth(s.base, cred, signal()), (e) => assert.deepEqual([e.permanent, e.code], [false, 'invalid_response']));
  });
});

describe('transport failures', () => {
  const cred: KiroCredential = { kind: 'social', refreshToken: RT };

  test('connection refused is transient', async () => {
    const s = await stub((_req, res) => json(res, 200, {}));
    await s.close();
    await rejectsWith(refreshSocial(s.base, cred, signal()), (e) => assert.deepEqual([e.permanent, e.code], [false, 'network']));
  });

  test('a server that never answers hits the timeout; the caller abort wins over it', async () => {
    const s = await stub(() => undefined);
    await rejectsWith(refreshSocial(s.base, cred, signal(), { timeoutMs: 100 }), (e) => assert.deepEqual([e.permanent, e.code], [false, 'timeout']));
    const ac = new AbortController();
    const p = refreshSocial(s.base, cred, ac.signal, { timeoutMs: 10_000 });
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(p, { name: 'AbortError' });
  });

  test('api keys are never sent anywhere', async () => {
    await rejectsWith(refreshCredential({ runtime: '', auth: 'http://127.0.0.1:1', oidc: '' }, { kind: 'api_key', accessToken: 'ksk_x' }, signal()), (e) =>
      assert.equal(e.code, 'not_refreshable'),
    );
  });
});

describe('observedRefresh: each call to the token endpoint reported by outcome (token_refreshes_total)', () => {
  const cred: KiroCredential = { kind: 'social', refreshToken: RT, accessToken: AT, provider: 'Google' };

  test('success, failure (transient), rejected (permanent); an aborted call and an API key are not reported', async () => {
    let answer = 200;
    const s = await stub((_req, res) => {
      if (answer === 200) return json(res, 200, { accessToken: AT2, refreshToken: RT2, expiresIn: 3600 });
      if (answer === 400) return json(res, 400, { error: 'invalid_grant' });
      if (answer === 0) return undefined;
      return json(res, answer, { message: 'down' });
    });
    const endpoints = { runtime: '', auth: s.base, oidc: '' };
    const seen: TokenRefreshOutcome[] = [];
    const report = (o: TokenRefreshOutcome) => void seen.push(o);
    await observedRefresh(endpoints, cred, signal(), { now }, report);
    answer = 503;
    await assert.rejects(observedRefresh(endpoints, cred, signal(), { now }, report));
    answer = 400;
    await assert.rejects(observedRefresh(endpoints, cred, signal(), { now }, report));
    answer = 0;
    const ac = new AbortController();
    const p = observedRefresh(endpoints, cred, ac.signal, { now }, report);
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(p);
    await assert.rejects(observedRefresh(endpoints, { kind: 'api_key', accessToken: 'ksk_x' }, signal(), {}, report));
    assert.deepEqual(seen, ['success', 'failure', 'rejected']);
  });
});
