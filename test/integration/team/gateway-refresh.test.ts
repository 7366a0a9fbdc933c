// Team gateway, token refresh: one refresh per rotation across instances (the strict mock counts
// refreshes and refuses a rotated-away refresh token), and an instance killed in the middle of
// its refresh loses no account (its lease runs out, another instance refreshes).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';
import { STATE_KEY, chat, startFleet, type Member } from './gateway-fleet.ts';
import { eventually } from './helpers.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'gateway-instance.ts');

describe('team gateway: one refresh per rotation', { skip: redisSkip }, () => {
  for (const source of ['base64', 'file'] as const) {
    test(`50 concurrent requests over 3 instances with a dead access token cause exactly one refresh per rotation (twice; credentials from ${source})`, async (t) => {
      const redis = await redisForTest(t);
      // base64: each instance holds its own copy (as in compose.yaml), only Redis can keep them in
      // step. file: one creds file on one machine, written by the refresh winner only; the
      // instances start while it holds the first token (so all give the account the same id).
      const fleet = await startFleet(t, { redisUrl: redis.url, instances: 3, source, accounts: [{ id: 'solo' }], config: { accountConcurrency: 0 } });
      const acct = fleet.mock.account('solo')!;
      const ids = new Set(fleet.members.map((m) => m.proxy.accounts.list()[0]!.id));
      assert.equal(ids.size, 1, 'one account id on every instance');
      for (let rotation = 1; rotation <= 2; rotation++) {
        // Upstream kills every access token the instances hold: each request gets 403 and needs a new one.
        fleet.mock.expireAccessToken('solo');
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => chat(fleet.members[i % 3]!.url, `request ${rotation}.${i}`)));
        assert.deepEqual(
          results.filter((r) => r.status !== 200).map((r) => r.body),
          [],
        );
        assert.equal(acct.refreshCount, rotation, `rotation ${rotation}: one refresh\n${JSON.stringify(fleet.mock.refreshLog)}`);
        const served = new Set(fleet.members.filter((m) => m.proxy.logs().some((e) => e.status === 200)).map((m) => m.name));
        assert.equal(served.size, 3, 'every instance served');
      }
      const log = fleet.mock.refreshLog;
      assert.equal(log.length, 2, 'no refresh was tried with a dead token either');
      assert.ok(
        log.every((e) => e.status === 200),
        JSON.stringify(log),
      );
      for (const m of fleet.members) assert.equal(m.proxy.accounts.list()[0]!.state, 'active', m.name);
      // Every instance keeps the live token in its own store, not only the one that refreshed.
      await eventually(
        () => fleet.members.every((m) => [...m.secrets.values()].some((v) => v.includes(acct.refreshToken))),
        5000,
        'the live token in every store',
      );
    });
  }

  test('the refreshing instance is killed (SIGKILL) mid-refresh: its lease runs out, another instance refreshes once, the account lives', async (t) => {
    const redis = await redisForTest(t);
    const fleet = await startFleet(t, { redisUrl: redis.url, instances: 1, accounts: [{ id: 'k' }] });
    const b = fleet.members[0] as Member;
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', FIXTURE], {
      env: {
        ...process.env,
        KIRO_PROXY_STATE_KEY: STATE_KEY,
        GW_REDIS_URL: redis.url,
        GW_PREFIX: fleet.prefix,
        GW_CREDS_FILE: fleet.credsFile,
        GW_ENDPOINTS: JSON.stringify(fleet.mock.endpoints),
        GW_HOME: join(fleet.dir, 'child'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, sig) => resolve(sig)));
    t.after(() => void child.kill('SIGKILL'));
    const childUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve((JSON.parse(line) as { url: string }).url);
      });
      void exited.then(() => reject(new Error(`child exited: ${stderr}`)));
    });

    const acct = fleet.mock.account('k')!;
    const original = acct.refreshToken;
    fleet.mock.setRefreshAbandonWhenClientGone(true);
    fleet.mock.setRefreshDelay(2000);
    fleet.mock.expireAccessToken('k');
    const childCall = chat(childUrl, 'on the child').catch(() => undefined);
    await eventually(() => fleet.mock.refreshLog.length === 1, 20_000, 'the child to send its refresh');
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    await childCall;
    fleet.mock.setRefreshDelay(0);

    const r = await chat(b.url, 'on the survivor');
    assert.equal(r.status, 200, r.body);
    await eventually(() => fleet.mock.refreshLog[0]!.answeredAt !== undefined, 10_000, 'the killed refresh to be settled');
    const log = fleet.mock.refreshLog;
    assert.equal(log[0]!.abandoned, true, "the killed instance's refresh never reached Kiro");
    assert.equal(acct.refreshCount, 1, 'one refresh, by the survivor');
    assert.notEqual(acct.refreshToken, original);
    assert.ok(
      log.slice(1).every((e) => e.status === 200),
      JSON.stringify(log),
    );
    assert.equal(b.proxy.accounts.list()[0]!.state, 'active');
    // And it keeps working.
    assert.equal((await chat(b.url, 'again')).status, 200);
  });
});
