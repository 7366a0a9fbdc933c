// Login flows against the strict mock's auth endpoints: Kiro social PKCE with a loopback
// redirect, and the RFC 8628 device code flow (Builder ID and IAM Identity Center).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMockKiro, type MockKiro } from '../../../src/core/kiro-mock/server.ts';
import { loginWithSocial } from '../../../src/core/kiro/login/social-pkce.ts';
import { BUILDER_ID_START_URL, startDeviceLogin } from '../../../src/core/kiro/login/device-code.ts';
import { LoginError } from '../../../src/core/kiro/login/login-http.ts';
import type { Clock } from '../../../src/core/proxy-types.ts';

/** Polling waits are recorded, not slept: the flow logic is under test, not the wall clock. */
function fastClock(): Pick<Clock, 'now' | 'setTimeout'> & { waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    now: () => Date.now(),
    setTimeout(fn, ms) {
      waits.push(ms);
      const h = setTimeout(fn, 1);
      return { clear: () => clearTimeout(h) };
    },
  };
}

/** A browser that follows the login page's redirect to our loopback server. */
const browser = (seen: string[]) => async (url: string) => {
  seen.push(url);
  const res = await fetch(url, { redirect: 'follow' });
  await res.text();
};

describe('social login (PKCE + loopback redirect)', () => {
  let mock: MockKiro;
  before(async () => {
    mock = await startMockKiro();
  });
  after(() => mock.close());

  for (const provider of ['Google', 'Github'] as const) {
    test(`${provider}: the code comes back to 127.0.0.1 and is exchanged for working tokens`, async () => {
      const seen: string[] = [];
      const cred = await loginWithSocial({ provider, authEndpoint: mock.endpoints.auth, openUrl: browser(seen), signal: new AbortController().signal });
      const login = new URL(seen[0]!);
      assert.equal(login.pathname, '/login');
      assert.equal(login.searchParams.get('idp'), provider);
      assert.equal(login.searchParams.get('code_challenge_method'), 'S256');
      assert.match(login.searchParams.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
      assert.equal(cred.kind, 'social');
      assert.equal(cred.provider, provider);
      const account = mock.account(cred.refreshToken!);
      assert.ok(account, 'the mock issued these tokens');
      assert.equal(account.provider, provider);
      assert.equal(cred.accessToken, account.accessToken);
      assert.equal(cred.profileArn, account.profileArn);
      assert.ok((cred.expiresAt ?? 0) > Date.now());
      const exchange = mock.requests.find((r) => r.path === '/oauth/token');
      assert.ok(exchange);
    });
  }

  test('a callback with a foreign state is refused; the real one still completes', async () => {
    const cred = await loginWithSocial({
      provider: 'Google',
      authEndpoint: mock.endpoints.auth,
      signal: new AbortController().signal,
      openUrl: async (url) => {
        const redirect = new URL(url).searchParams.get('redirect_uri')!;
        const forged = await fetch(`${redirect}?code=evil&state=not-ours`);
        assert.equal(forged.status, 400);
        await forged.text();
        await (await fetch(url)).text();
      },
    });
    assert.equal(cred.kind, 'social');
  });

  test('the user cancelling in the browser gives a clear error, and the loopback port is closed', async () => {
    let redirect = '';
    await assert.rejects(
      loginWithSocial({
        provider: 'Github',
        authEndpoint: mock.endpoints.auth,
        signal: new AbortController().signal,
        openUrl: async (url) => {
          const u = new URL(url);
          redirect = u.searchParams.get('redirect_uri')!;
          await (await fetch(`${redirect}?error=access_denied&state=${u.searchParams.get('state')}`)).text();
        },
      }),
      (err: unknown) => err instanceof LoginError && err.code === 'denied',
    );
    await assert.rejects(fetch(redirect));
  });

  test('abort while waiting for the browser ends the flow', async () => {
    const ctl = new AbortController();
    const p = loginWithSocial({ provider: 'Google', authEndpoint: mock.endpoints.auth, signal: ctl.signal, openUrl: () => undefined });
    setTimeout(() => ctl.abort(new Error('user closed the dialog')), 20);
    await assert.rejects(p, /user closed the dialog/);
  });
});

describe('device code login (Builder ID, IAM Identity Center)', () => {
  let mock: MockKiro;
  before(async () => {
    mock = await startMockKiro({ deviceIntervalSeconds: 2 });
  });
  after(() => mock.close());

  test('Builder ID: user code shown, pending polls, approval → idc credential that refreshes', async () => {
    const clock = fastClock();
    const flow = await startDeviceLogin({ oidcEndpoint: mock.endpoints.oidc, signal: new AbortController().signal, clock });
    assert.match(flow.userCode, /^[A-Z]{4}-[A-Z]{4}$/);
    assert.ok(flow.verificationUri.length > 0);
    assert.ok(flow.verificationUriComplete?.includes(flow.userCode));
    const register = mock.requests.find((r) => r.path === '/client/register')!;
    assert.equal((register.body as { issuerUrl: string }).issuerUrl, BUILDER_ID_START_URL);
    const auth = mock.requests.find((r) => r.path === '/device_authorization')!;
    assert.equal((auth.body as { startUrl: string }).startUrl, BUILDER_ID_START_URL);

    const done = flow.complete();
    // Let a few polls see authorization_pending, then approve like the user would.
    while (mock.requests.filter((r) => r.path === '/token').length < 3) await new Promise((r) => setTimeout(r, 5));
    assert.equal(mock.approveDevice(flow.userCode), true);
    const cred = await done;
    assert.equal(cred.kind, 'idc');
    assert.equal(cred.provider, 'BuilderId');
    assert.equal(cred.oidcRegion, 'us-east-1');
    assert.ok(cred.clientId && cred.clientSecret);
    assert.ok(mock.account(cred.refreshToken!));
    assert.ok(
      clock.waits.every((ms) => ms === 2000),
      `polled at the server's interval: ${clock.waits.join(',')}`,
    );

    const refreshed = await fetch(`${mock.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: cred.clientId, clientSecret: cred.clientSecret, grantType: 'refresh_token', refreshToken: cred.refreshToken }),
    });
    assert.equal(refreshed.status, 200);
  });

  test('slow_down adds 5 s to the polling interval', async () => {
    const slow = await startMockKiro({ deviceIntervalSeconds: 1, deviceSlowDownPolls: 2, autoApproveDevicesAfterPolls: 1 });
    try {
      const clock = fastClock();
      const flow = await startDeviceLogin({ oidcEndpoint: slow.endpoints.oidc, signal: new AbortController().signal, clock });
      const cred = await flow.complete();
      assert.equal(cred.kind, 'idc');
      assert.deepEqual(clock.waits.slice(0, 4), [1000, 6000, 11000, 11000]);
    } finally {
      await slow.close();
    }
  });

  test('IAM Identity Center: the organisation start URL and region are used', async () => {
    const clock = fastClock();
    const startUrl = 'https://my-org.awsapps.com/start';
    const flow = await startDeviceLogin({ oidcEndpoint: mock.endpoints.oidc, region: 'eu-west-1', startUrl, signal: new AbortController().signal, clock });
    const auth = mock.requests.filter((r) => r.path === '/device_authorization').at(-1)!;
    assert.equal((auth.body as { startUrl: string }).startUrl, startUrl);
    const done = flow.complete();
    mock.approveDevice(flow.userCode);
    const cred = await done;
    assert.equal(cred.provider, 'Enterprise');
    assert.equal(cred.oidcRegion, 'eu-west-1');
    assert.equal(cred.startUrl, startUrl);
  });

  test('a refused login and an expired code end the polling with clear errors', async () => {
    const clock = fastClock();
    const denied = await startDeviceLogin({ oidcEndpoint: mock.endpoints.oidc, signal: new AbortController().signal, clock });
    mock.denyDevice(denied.userCode);
    await assert.rejects(denied.complete(), (e: unknown) => e instanceof LoginError && e.code === 'denied');

    const short = await startMockKiro({ deviceIntervalSeconds: 1, deviceExpiresInSeconds: 1 });
    try {
      const realWait: Pick<Clock, 'now' | 'setTimeout'> = {
        now: () => Date.now(),
        setTimeout(fn, ms) {
          const h = setTimeout(fn, ms);
          return { clear: () => clearTimeout(h) };
        },
      };
      const expiring = await startDeviceLogin({ oidcEndpoint: short.endpoints.oidc, signal: new AbortController().signal, clock: realWait });
      await assert.rejects(expiring.complete(), (e: unknown) => e instanceof LoginError && e.code === 'expired');
    } finally {
      await short.close();
    }
  });

  test('abort stops the polling at once', async () => {
    const ctl = new AbortController();
    const flow = await startDeviceLogin({ oidcEndpoint: mock.endpoints.oidc, signal: ctl.signal });
    const p = flow.complete();
    ctl.abort(new Error('cancelled'));
    await assert.rejects(p, /cancelled/);
  });
});
