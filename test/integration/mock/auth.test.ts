import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startMockKiro, type MockKiro } from '../../../src/core/kiro-mock/server.ts';
import { simpleRequest } from '../../unit/mock/example-request.ts';
import { chat, postJson } from './client.ts';

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

describe('mock Kiro auth services', () => {
  let mock: MockKiro;
  before(async () => {
    mock = await startMockKiro({ deviceIntervalSeconds: 1 });
  });
  after(() => mock.close());

  test('social refresh: camelCase response, new token works, count increments', async () => {
    const a = mock.addAccount({ authMethod: 'social' });
    assert.ok(a.refreshToken.length > 100 && a.refreshToken.includes(':'));
    const r = await postJson(`${mock.url}/refreshToken`, { refreshToken: a.refreshToken });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json).sort(), ['accessToken', 'expiresIn', 'profileArn', 'refreshToken']);
    assert.equal(r.json.refreshToken, a.refreshToken, 'no rotation by default');
    assert.equal(r.json.expiresIn, 3600);
    assert.equal(a.refreshCount, 1);
    assert.equal((await chat(mock, r.json.accessToken, simpleRequest('hi'))).status, 200);
  });

  test('social refresh with rotation kills the old refresh token', async () => {
    const a = mock.addAccount({ rotateRefreshToken: true });
    const old = a.refreshToken;
    const r = await postJson(`${mock.url}/refreshToken`, { refreshToken: old });
    assert.notEqual(r.json.refreshToken, old);
    assert.equal(mock.account(r.json.refreshToken)?.id, a.id);
    const again = await postJson(`${mock.url}/refreshToken`, { refreshToken: old });
    assert.equal(again.status, 400);
    assert.deepEqual(again.json, { message: 'Invalid refresh token provided', error: 'invalid_grant' });
  });

  test('social refresh: unknown / revoked token is invalid_grant; IdC token is Bad credentials', async () => {
    assert.equal((await postJson(`${mock.url}/refreshToken`, { refreshToken: 'aorAAAAAnope' })).status, 400);
    const a = mock.addAccount();
    mock.revokeRefreshToken(a.id);
    assert.equal((await postJson(`${mock.url}/refreshToken`, { refreshToken: a.refreshToken })).json.error, 'invalid_grant');
    const idc = mock.addAccount({ authMethod: 'idc' });
    const r = await postJson(`${mock.url}/refreshToken`, { refreshToken: idc.refreshToken });
    assert.deepEqual([r.status, r.json], [401, { message: 'Bad credentials' }]);
  });

  test('IdC refresh via OIDC CreateToken (JSON camelCase)', async () => {
    const a = mock.addAccount({ authMethod: 'idc', rotateRefreshToken: true });
    const body = { clientId: a.clientId, clientSecret: a.clientSecret, grantType: 'refresh_token', refreshToken: a.refreshToken };
    const r = await postJson(`${mock.url}/token`, body);
    assert.equal(r.status, 200);
    assert.equal(r.json.tokenType, 'Bearer');
    assert.equal(r.json.expiresIn, 3600);
    assert.equal(r.json.profileArn, undefined);
    assert.notEqual(r.json.refreshToken, body.refreshToken);
    const stale = await postJson(`${mock.url}/token`, body);
    assert.deepEqual([stale.status, stale.json], [400, { error: 'invalid_grant', error_description: 'Invalid refresh token provided' }]);
    assert.match(stale.headers.get('x-amzn-errortype') ?? '', /InvalidGrantException/);
    const wrongClient = await postJson(`${mock.url}/token`, { ...body, refreshToken: r.json.refreshToken, clientSecret: 'nope' });
    assert.equal(wrongClient.json.error, 'invalid_client');
    assert.equal(a.refreshCount, 1);
  });

  test('generic OAuth form refresh answers snake_case', async () => {
    const a = mock.addAccount({ authMethod: 'oauth' });
    const form = (rt: string) =>
      fetch(`${mock.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: a.clientId!, client_secret: a.clientSecret!, refresh_token: rt }),
      });
    const ok = await form(a.refreshToken);
    assert.equal(ok.status, 200);
    const j = (await ok.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(j).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
    const bad = await form('nope');
    assert.deepEqual([bad.status, await bad.json()], [400, { error: 'invalid_grant', error_description: 'Invalid refresh token provided' }]);
    const json = await postJson(`${mock.url}/oauth2/token`, { grant_type: 'refresh_token' });
    assert.equal(json.status, 400);
  });

  test('device code flow: pending, slow_down, approved, then consumed', async () => {
    const m = await startMockKiro({ deviceSlowDownPolls: 1 });
    try {
      const reg = await postJson(`${m.url}/client/register`, {
        clientName: 'Kiro Proxy',
        clientType: 'public',
        scopes: ['codewhisperer:completions', 'codewhisperer:conversations'],
        grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
        issuerUrl: 'https://view.awsapps.com/start',
      });
      assert.equal(reg.status, 200);
      const { clientId, clientSecret } = reg.json;
      assert.ok(reg.json.clientSecretExpiresAt > reg.json.clientIdIssuedAt);
      const da = await postJson(`${m.url}/device_authorization`, { clientId, clientSecret, startUrl: 'https://view.awsapps.com/start' });
      assert.equal(da.status, 200);
      assert.match(da.json.userCode, /^[A-Z]{4}-[A-Z]{4}$/);
      assert.equal(da.json.interval, 1);
      assert.equal(da.json.verificationUriComplete, `${da.json.verificationUri}?user_code=${da.json.userCode}`);
      const poll = () =>
        postJson(`${m.url}/token`, { clientId, clientSecret, grantType: 'urn:ietf:params:oauth:grant-type:device_code', deviceCode: da.json.deviceCode });
      assert.deepEqual((await poll()).json, { error: 'slow_down' });
      assert.deepEqual((await poll()).json, { error: 'authorization_pending' });
      assert.equal(m.approveDevice(da.json.userCode), true);
      const done = await poll();
      assert.equal(done.status, 200);
      assert.equal(done.json.tokenType, 'Bearer');
      assert.equal((await chat(m, done.json.accessToken, simpleRequest('hi'))).status, 200);
      const acct = m.account(done.json.refreshToken)!;
      assert.equal(acct.authMethod, 'idc');
      assert.equal(acct.clientId, clientId);
      assert.equal((await poll()).json.error, 'invalid_grant');
      // The OIDC refresh of the new account uses the registered client.
      const refreshed = await postJson(`${m.url}/token`, { clientId, clientSecret, grantType: 'refresh_token', refreshToken: done.json.refreshToken });
      assert.equal(refreshed.status, 200);
    } finally {
      await m.close();
    }
  });

  test('device code flow: auto-approve, deny, expiry, bad grant type', async () => {
    let now = 1_000_000;
    const m = await startMockKiro({ autoApproveDevicesAfterPolls: 2, now: () => now });
    try {
      const { clientId, clientSecret } = (await postJson(`${m.url}/client/register`, { clientName: 'x', clientType: 'public' })).json;
      const start = async () => (await postJson(`${m.url}/device_authorization`, { clientId, clientSecret, startUrl: 'https://view.awsapps.com/start' })).json;
      const poll = (deviceCode: string, grantType = 'urn:ietf:params:oauth:grant-type:device_code') =>
        postJson(`${m.url}/token`, { clientId, clientSecret, grantType, deviceCode });
      const d1 = await start();
      assert.equal((await poll(d1.deviceCode)).json.error, 'authorization_pending');
      assert.equal((await poll(d1.deviceCode)).json.error, 'authorization_pending');
      assert.equal((await poll(d1.deviceCode)).status, 200);
      const d2 = await start();
      assert.equal(m.denyDevice(d2.userCode), true);
      assert.equal((await poll(d2.deviceCode)).json.error, 'access_denied');
      const d3 = await start();
      now += 601_000;
      assert.equal((await poll(d3.deviceCode)).json.error, 'expired_token');
      assert.equal((await poll(d3.deviceCode, 'device_code')).json.error, 'unsupported_grant_type');
      const badClient = await postJson(`${m.url}/device_authorization`, { clientId, clientSecret: 'x', startUrl: 'https://view.awsapps.com/start' });
      assert.equal(badClient.json.error, 'invalid_client');
    } finally {
      await m.close();
    }
  });

  test('social PKCE login: /login redirects with code+state, /oauth/token checks the verifier', async () => {
    const { verifier, challenge } = pkce();
    const redirect = 'http://127.0.0.1:19876/oauth/callback';
    const q = new URLSearchParams({ idp: 'Github', redirect_uri: redirect, code_challenge: challenge, code_challenge_method: 'S256', state: 'st-1' });
    const res = await fetch(`${mock.url}/login?${q.toString()}`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const loc = new URL(res.headers.get('location')!);
    assert.equal(`${loc.origin}${loc.pathname}`, redirect);
    assert.equal(loc.searchParams.get('state'), 'st-1');
    const code = loc.searchParams.get('code')!;
    const wrong = await postJson(`${mock.url}/oauth/token`, { code, code_verifier: pkce().verifier, redirect_uri: redirect });
    assert.deepEqual([wrong.status, wrong.json.error], [400, 'invalid_grant']);
    const ok = await postJson(`${mock.url}/oauth/token`, { code, code_verifier: verifier, redirect_uri: redirect });
    assert.equal(ok.status, 200);
    assert.deepEqual(Object.keys(ok.json).sort(), ['accessToken', 'expiresIn', 'profileArn', 'refreshToken']);
    assert.equal(mock.account(ok.json.refreshToken)?.provider, 'Github');
    const reuse = await postJson(`${mock.url}/oauth/token`, { code, code_verifier: verifier, redirect_uri: redirect });
    assert.equal(reuse.status, 400);
    const bad = await fetch(`${mock.url}/login?idp=Facebook&redirect_uri=https://evil.example/cb`, { redirect: 'manual' });
    assert.equal(bad.status, 400);
    await bad.body?.cancel();
  });

  test('IdC authorization code + PKCE', async () => {
    const redirect = 'http://127.0.0.1:7777/oauth/callback';
    const { clientId, clientSecret } = (
      await postJson(`${mock.url}/client/register`, {
        clientName: 'x',
        clientType: 'public',
        redirectUris: [redirect],
        grantTypes: ['authorization_code', 'refresh_token'],
      })
    ).json;
    const { verifier, challenge } = pkce();
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirect,
      scopes: 'codewhisperer:completions',
      state: 's',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const res = await fetch(`${mock.url}/authorize?${q.toString()}`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const tok = await postJson(`${mock.url}/token`, {
      clientId,
      clientSecret,
      grantType: 'authorization_code',
      code,
      redirectUri: redirect,
      codeVerifier: verifier,
    });
    assert.equal(tok.status, 200);
    assert.equal(mock.account(tok.json.refreshToken)?.authMethod, 'idc');
  });

  test('two concurrent requests after expiry cause exactly the refreshes the client makes', async () => {
    const a = mock.addAccount({ accessTokenExpired: true });
    const before = a.refreshCount;
    assert.equal((await chat(mock, a.accessToken, simpleRequest('hi'))).status, 403);
    await postJson(`${mock.url}/refreshToken`, { refreshToken: a.refreshToken });
    assert.equal(a.refreshCount - before, 1);
    const rs = await Promise.all([chat(mock, a.accessToken, simpleRequest('a')), chat(mock, a.accessToken, simpleRequest('b'))]);
    assert.deepEqual(
      rs.map((r) => r.status),
      [200, 200],
    );
    assert.equal(mock.state().accounts.find((x) => x.id === a.id)?.refreshCount, 1);
  });
});
