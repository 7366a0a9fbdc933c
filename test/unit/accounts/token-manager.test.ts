import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { TokenManager, type RefreshFn, type TokenStatus } from '../../../src/core/accounts/tokens/token-manager.ts';
import { RefreshError } from '../../../src/core/accounts/tokens/refresh-error.ts';
import type { KiroCredential } from '../../../src/core/accounts/credentials/credential.ts';
import type { RefreshResult } from '../../../src/core/accounts/tokens/token-refresh.ts';
import { RT, RT2, AT, AT2 } from './fixtures.ts';

const MIN = 60_000;

function fakeClock(start = Date.UTC(2026, 0, 1)) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** A refresh function the test resolves by hand, counting calls. */
function manualRefresh() {
  const pending: { resolve: (r: RefreshResult) => void; reject: (e: unknown) => void; cred: KiroCredential }[] = [];
  const fn: RefreshFn = (cred) => new Promise((resolve, reject) => pending.push({ resolve, reject, cred }));
  return { fn, pending };
}

const tick = () => new Promise((r) => setImmediate(r));
const signal = () => new AbortController().signal;

describe('TokenManager', () => {
  test('returns the cached token while more than 10 minutes are left, refreshes ahead of expiry', async () => {
    const clock = fakeClock();
    let calls = 0;
    const tm = new TokenManager({
      credential: { kind: 'social', accessToken: AT, refreshToken: RT, expiresAt: clock.now() + 30 * MIN },
      clock,
      refresh: async () => {
        calls++;
        return { accessToken: AT2, expiresAt: clock.now() + 60 * MIN };
      },
    });
    assert.equal(await tm.getAccessToken({ signal: signal() }), AT);
    clock.advance(19 * MIN); // 11 min left
    assert.equal(await tm.getAccessToken({ signal: signal() }), AT);
    assert.equal(calls, 0);
    clock.advance(2 * MIN); // 9 min left: refresh now, before it expires
    assert.equal(await tm.getAccessToken({ signal: signal() }), AT2);
    assert.equal(calls, 1);
    assert.equal(tm.status().expiresAt, clock.now() + 60 * MIN);
  });

  test('a credential without expiry is refreshed on first use', async () => {
    const m = manualRefresh();
    const tm = new TokenManager({ credential: { kind: 'idc', accessToken: AT, refreshToken: RT }, clock: fakeClock(), refresh: m.fn });
    const p = tm.getAccessToken({ signal: signal() });
    await tick();
    assert.equal(m.pending.length, 1);
    m.pending[0]!.resolve({ accessToken: AT2, expiresAt: Date.now() + 60 * MIN });
    assert.equal(await p, AT2);
  });

  test('concurrent callers share exactly one refresh', async () => {
    const clock = fakeClock();
    const m = manualRefresh();
    const statuses: TokenStatus[] = [];
    const tm = new TokenManager({ credential: { kind: 'social', refreshToken: RT, expiresAt: clock.now() - 1 }, clock, refresh: m.fn });
    tm.onChange((s) => statuses.push(s));
    const callers = Array.from({ length: 5 }, () => tm.getAccessToken({ signal: signal() }));
    await tick();
    assert.equal(m.pending.length, 1);
    assert.equal(tm.status().refreshing, true);
    m.pending[0]!.resolve({ accessToken: AT2, refreshToken: RT2, expiresAt: clock.now() + 60 * MIN });
    assert.deepEqual(await Promise.all(callers), [AT2, AT2, AT2, AT2, AT2]);
    assert.equal(m.pending.length, 1);
    assert.equal(tm.credential.refreshToken, RT2);
    assert.equal(statuses.at(-1)!.refreshing, false);
  });

  test('rotated tokens are handed to persist before callers get the new token', async () => {
    const clock = fakeClock();
    const persisted: KiroCredential[] = [];
    const tm = new TokenManager({
      credential: { kind: 'social', refreshToken: RT, provider: 'Google', expiresAt: clock.now() },
      clock,
      refresh: async () => ({
        accessToken: AT2,
        refreshToken: RT2,
        expiresAt: clock.now() + 60 * MIN,
        profileArn: 'arn:aws:codewhisperer:us-east-1:1:profile/X',
      }),
      persist: async (c) => {
        await tick();
        persisted.push(c);
      },
    });
    await tm.getAccessToken({ signal: signal() });
    assert.deepEqual(persisted, [
      {
        kind: 'social',
        refreshToken: RT2,
        accessToken: AT2,
        provider: 'Google',
        expiresAt: clock.now() + 60 * MIN,
        profileArn: 'arn:aws:codewhisperer:us-east-1:1:profile/X',
      },
    ]);
  });

  test('a persist failure is logged, the token is still served', async () => {
    const clock = fakeClock();
    const logged: string[] = [];
    const log = (m: string) => logged.push(m);
    const tm = new TokenManager({
      credential: { kind: 'social', refreshToken: RT },
      clock,
      refresh: async () => ({ accessToken: AT2, expiresAt: clock.now() + 60 * MIN }),
      persist: () => {
        throw new Error('disk full');
      },
      logger: { trace: log, debug: log, info: log, warn: log, error: log },
      label: 'acct-1',
    });
    assert.equal(await tm.getAccessToken({ signal: signal() }), AT2);
    assert.match(logged.join('\n'), /acct-1: refreshed token could not be saved: disk full/);
  });

  test('invalid_grant → needs_login, listeners told, later calls fail fast until the credential is replaced', async () => {
    const clock = fakeClock();
    let calls = 0;
    const tm = new TokenManager({
      credential: { kind: 'social', refreshToken: RT, accessToken: AT, expiresAt: clock.now() + MIN },
      clock,
      label: 'Google (creds.json[0])',
      refresh: async () => {
        calls++;
        if (calls === 1) throw new RefreshError('social token refresh failed: HTTP 400 invalid_grant', { code: 'invalid_grant', permanent: true, status: 400 });
        return { accessToken: AT2, expiresAt: clock.now() + 60 * MIN };
      },
    });
    const states: string[] = [];
    tm.onChange((s) => states.push(s.state));
    await assert.rejects(tm.getAccessToken({ signal: signal() }), { name: 'RefreshError', code: 'invalid_grant' });
    assert.equal(tm.state, 'needs_login');
    assert.ok(states.includes('needs_login'));
    await assert.rejects(tm.getAccessToken({ signal: signal() }), (e: unknown) => {
      assert.ok(e instanceof RefreshError);
      assert.equal(e.code, 'needs_login');
      assert.equal(e.permanent, true);
      assert.match(e.message, /Google \(creds\.json\[0\]\) needs a new login: social token refresh failed/);
      return true;
    });
    assert.equal(calls, 1);
    tm.replaceCredential({ kind: 'social', refreshToken: RT2 });
    assert.equal(tm.state, 'ok');
    assert.equal(await tm.getAccessToken({ signal: signal() }), AT2);
    assert.equal(states.at(-1), 'ok');
  });

  test('a transient failure keeps serving a still-valid token and backs off; an expired one fails', async () => {
    const clock = fakeClock();
    let calls = 0;
    const tm = new TokenManager({
      credential: { kind: 'social', refreshToken: RT, accessToken: AT, expiresAt: clock.now() + 5 * MIN },
      clock,
      refresh: async () => {
        calls++;
        throw new RefreshError('social token refresh failed: HTTP 503 server', { code: 'server', permanent: false, status: 503 });
      },
    });
    assert.equal(await tm.getAccessToken({ signal: signal() }), AT);
    assert.equal(await tm.getAccessToken({ signal: signal() }), AT);
    assert.equal(calls, 1); // backing off
    clock.advance(31_000);
    assert.equal(await tm.getAccessToken({ signal: signal() }), AT);
    assert.equal(calls, 2);
    assert.equal(tm.state, 'ok');
    assert.equal(tm.status().lastError?.code, 'server');
    clock.advance(5 * MIN);
    await assert.rejects(tm.getAccessToken({ signal: signal() }), { code: 'server' });
  });

  test('forceRefresh after a 403 refreshes once even with a fresh token; a stale rejectedToken does not', async () => {
    const clock = fakeClock();
    let n = 0;
    const tm = new TokenManager({
      credential: { kind: 'social', refreshToken: RT, accessToken: AT, expiresAt: clock.now() + 50 * MIN },
      clock,
      refresh: async () => ({ accessToken: `${AT2}-${++n}`, expiresAt: clock.now() + 60 * MIN }),
    });
    const [a, b] = await Promise.all([
      tm.getAccessToken({ signal: signal(), forceRefresh: true, rejectedToken: AT }),
      tm.getAccessToken({ signal: signal(), forceRefresh: true, rejectedToken: AT }),
    ]);
    assert.equal(n, 1);
    assert.deepEqual([a, b], [`${AT2}-1`, `${AT2}-1`]);
    // Someone else already replaced AT: no second refresh.
    assert.equal(await tm.getAccessToken({ signal: signal(), forceRefresh: true, rejectedToken: AT }), `${AT2}-1`);
    assert.equal(n, 1);
    assert.equal(await tm.getAccessToken({ signal: signal(), forceRefresh: true }), `${AT2}-2`);
  });

  test('a caller that aborts stops waiting; the shared refresh still completes for the others', async () => {
    const clock = fakeClock();
    const m = manualRefresh();
    const tm = new TokenManager({ credential: { kind: 'social', refreshToken: RT }, clock, refresh: m.fn });
    const ac = new AbortController();
    const first = tm.getAccessToken({ signal: ac.signal });
    const second = tm.getAccessToken({ signal: signal() });
    await tick();
    ac.abort();
    await assert.rejects(first, { name: 'AbortError' });
    m.pending[0]!.resolve({ accessToken: AT2, expiresAt: clock.now() + 60 * MIN });
    assert.equal(await second, AT2);
    assert.equal(m.pending.length, 1);
  });

  test('api keys never refresh', async () => {
    let calls = 0;
    const tm = new TokenManager({
      credential: { kind: 'api_key', accessToken: 'ksk_test_key_1234' },
      clock: fakeClock(),
      refresh: async () => {
        calls++;
        return { accessToken: 'x', expiresAt: 0 };
      },
    });
    assert.equal(await tm.getAccessToken({ signal: signal(), forceRefresh: true }), 'ksk_test_key_1234');
    assert.equal(calls, 0);
  });

  test('a refresh for a credential that was replaced meanwhile is discarded', async () => {
    const clock = fakeClock();
    const m = manualRefresh();
    const tm = new TokenManager({ credential: { kind: 'social', refreshToken: RT }, clock, refresh: m.fn });
    const p = tm.getAccessToken({ signal: signal() });
    await tick();
    tm.replaceCredential({ kind: 'social', refreshToken: RT2, accessToken: 'fresh-login-token', expiresAt: clock.now() + 60 * MIN });
    m.pending[0]!.resolve({ accessToken: 'stale', expiresAt: clock.now() + 60 * MIN });
    assert.equal(await p, 'fresh-login-token');
    assert.equal(tm.credential.refreshToken, RT2);
  });

  describe('a refresh the refresher defers (team mode while Redis is away)', () => {
    /** A manager whose token has 5 min left and whose refresher defers unless urgent; the calls with their urgency. */
    function deferring() {
      const clock = fakeClock();
      const calls: boolean[] = [];
      const tm = new TokenManager({
        credential: { kind: 'social', accessToken: AT, refreshToken: RT, expiresAt: clock.now() + 5 * MIN },
        clock,
        refresh: async (_cred, _signal, { urgent }) => {
          calls.push(urgent);
          if (!urgent) throw new RefreshError('put off', { code: 'deferred', permanent: false });
          return { accessToken: AT2, expiresAt: clock.now() + 60 * MIN };
        },
      });
      return { clock, calls, tm };
    }

    test('while the token works it is served, the refresher is asked again only after the back-off, and no error shows', async () => {
      const { clock, calls, tm } = deferring();
      assert.equal(await tm.getAccessToken({ signal: signal() }), AT);
      assert.equal(await tm.getAccessToken({ signal: signal() }), AT);
      assert.deepEqual(calls, [false], 'not asked again within the back-off');
      assert.equal(tm.status().lastError, undefined, 'a deferral is not a failure');
      assert.equal(tm.state, 'ok');
      clock.advance(31_000);
      assert.equal(await tm.getAccessToken({ signal: signal() }), AT);
      assert.deepEqual(calls, [false, false]);
    });

    test('the last minute of the token, or a token upstream rejected, cannot wait: the refresh is urgent', async () => {
      const rejected = deferring();
      assert.equal(await rejected.tm.getAccessToken({ signal: signal() }), AT);
      assert.equal(await rejected.tm.getAccessToken({ signal: signal(), forceRefresh: true, rejectedToken: AT }), AT2);
      assert.deepEqual(rejected.calls, [false, true]);

      const expiring = deferring();
      assert.equal(await expiring.tm.getAccessToken({ signal: signal() }), AT);
      expiring.clock.advance(4.5 * MIN); // 30 s left: no longer handed out
      assert.equal(await expiring.tm.getAccessToken({ signal: signal() }), AT2);
      assert.deepEqual(expiring.calls, [false, true]);
    });

    test('an urgent caller that joins a refresh being deferred gets a refreshed token', async () => {
      const clock = fakeClock();
      const calls: boolean[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const tm = new TokenManager({
        credential: { kind: 'social', accessToken: AT, refreshToken: RT, expiresAt: clock.now() + 5 * MIN },
        clock,
        refresh: async (_c, _s, { urgent }) => {
          calls.push(urgent);
          if (!urgent) {
            await gate;
            throw new RefreshError('put off', { code: 'deferred', permanent: false });
          }
          return { accessToken: AT2, expiresAt: clock.now() + 60 * MIN };
        },
      });
      const relaxed = tm.getAccessToken({ signal: signal() });
      await tick();
      const forced = tm.getAccessToken({ signal: signal(), forceRefresh: true, rejectedToken: AT });
      await tick();
      release();
      assert.equal(await relaxed, AT);
      assert.equal(await forced, AT2);
      assert.deepEqual(calls, [false, true]);
    });
  });

  test('a token issued for less than the refresh-ahead window is used, not refreshed again at once', async () => {
    const clock = fakeClock();
    let calls = 0;
    const tm = new TokenManager({
      credential: { kind: 'social', accessToken: AT, refreshToken: RT, expiresAt: clock.now() + 5 * MIN },
      clock,
      refresh: async () => {
        calls++;
        return { accessToken: calls === 1 ? AT2 : AT, expiresAt: clock.now() + 5 * MIN };
      },
    });
    assert.equal(await tm.getAccessToken({ signal: signal() }), AT2, 'inside the 10 min window: refreshed');
    for (let i = 0; i < 5; i++) assert.equal(await tm.getAccessToken({ signal: signal() }), AT2);
    assert.equal(calls, 1, 'the fresh 5 min token is not refreshed again on every call');
    clock.advance(2 * MIN); // 3 min left of 5
    assert.equal(await tm.getAccessToken({ signal: signal() }), AT2);
    clock.advance(MIN); // 2 min left: under half its life
    assert.equal(await tm.getAccessToken({ signal: signal() }), AT);
    assert.equal(calls, 2);
  });
});
