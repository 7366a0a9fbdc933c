// Team gateway, account identity: an instance first started after the creds file was rotated (a
// new container, an empty KIRO_PROXY_HOME) gives the account the id the team knows its token by,
// so it shares the account's state, adopts the newest shared token and refreshes through the
// team's single flight (the strict mock refuses a reused refresh token). Redis away when such an
// instance starts: today's naming, said clearly, and a warning naming both ids once Redis is back.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tokenFingerprint } from '../../../src/core/accounts/tokens/token-fingerprint.ts';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';
import { chat, startFleet, type Fleet, type Member } from './gateway-fleet.ts';
import { eventually, openUp } from './helpers.ts';

const idOf = (m: Member) => m.proxy.accounts.list()[0]!.id;

/** One rotation made by `m`: the upstream kills the access token, a request makes `m` refresh. */
async function rotateOn(fleet: Fleet, m: Member, what: string): Promise<void> {
  const acct = fleet.mock.account('solo')!;
  const before = acct.refreshCount;
  fleet.mock.expireAccessToken('solo');
  const r = await chat(m.url, what);
  assert.equal(r.status, 200, r.body);
  assert.equal(acct.refreshCount, before + 1, `${what}: one refresh\n${JSON.stringify(fleet.mock.refreshLog)}`);
}

const fileHolds = async (path: string, token: string) => (await readFile(path, 'utf8')).includes(token);

describe('team gateway: one account id on every instance, whatever token the file holds', { skip: redisSkip }, () => {
  test('instances first started after rotations (same file; an older copy elsewhere) take the team id, adopt the newest token, refresh once', async (t) => {
    const redis = await redisForTest(t);
    const fleet = await startFleet(t, { redisUrl: redis.url, instances: 1, accounts: [{ id: 'solo' }], config: { accountConcurrency: 0 } });
    const acct = fleet.mock.account('solo')!;
    const a = fleet.members[0]!;
    const id = idOf(a);
    const seen = [acct.refreshToken, acct.accessToken];

    await rotateOn(fleet, a, 'rotation 1');
    seen.push(acct.refreshToken, acct.accessToken);
    await eventually(() => fileHolds(fleet.credsFile, acct.refreshToken), 5000, 'the winner to write the file');
    // A container that copied the file then (its own path): one rotation behind from now on.
    const stale = join(fleet.dir, 'stale-creds.json');
    await writeFile(stale, await readFile(fleet.credsFile, 'utf8'), { mode: 0o600 });
    await rotateOn(fleet, a, 'rotation 2');
    seen.push(acct.refreshToken, acct.accessToken);
    await eventually(() => fileHolds(fleet.credsFile, acct.refreshToken), 5000, 'the winner to write the file');

    // Fresh homes: no record of this account anywhere but in Redis.
    const b = await fleet.add('b');
    const c = await fleet.add('c', { credsFile: stale });
    assert.equal(idOf(b), id, 'same file, rotated since A started: the team id');
    assert.equal(idOf(c), id, 'an older copy at another path: the team id');
    assert.match(c.logger.text('info'), /the team knows this credential as account/);
    // C adopts the newest shared token (its file holds a dead one) before it needs a refresh.
    await eventually(() => [...c.secrets.values()].some((v) => v.includes(acct.refreshToken)), 5000, 'C to adopt the shared token');
    assert.equal((await chat(c.url, 'served by c with the adopted token')).status, 200);
    assert.equal(acct.refreshCount, 2, 'no refresh for that');

    // A refresh forced on C goes through the team's single flight: one refresh with the live token.
    await rotateOn(fleet, c, 'rotation 3 on c');
    seen.push(acct.refreshToken, acct.accessToken);
    // And the others adopt it: the next rotation, asked of all three at once, is one refresh.
    fleet.mock.expireAccessToken('solo');
    const results = await Promise.all([a, b, c, a, b, c].map((m, i) => chat(m.url, `rotation 4, ${i}`)));
    assert.deepEqual(
      results.filter((r) => r.status !== 200).map((r) => r.body),
      [],
    );
    assert.equal(acct.refreshCount, 4, JSON.stringify(fleet.mock.refreshLog));
    seen.push(acct.refreshToken, acct.accessToken);
    const log = fleet.mock.refreshLog;
    assert.equal(log.length, 4, 'no refresh was tried with a dead token');
    assert.ok(
      log.every((e) => e.status === 200),
      `no invalid_grant: ${JSON.stringify(log)}`,
    );
    for (const m of fleet.members) assert.equal(m.proxy.accounts.list()[0]!.state, 'active', m.name);

    // Redis holds neither a token nor a plain fingerprint of one, in any key or value.
    const conn = await openUp(t, redis.url);
    const raw: string[] = [];
    let identities = 0;
    for (const k of await conn.command<string[]>(['KEYS', '*'])) {
      raw.push(k);
      const type = await conn.command<string>(['TYPE', k]);
      if (type === 'hash') raw.push(...(await conn.command<string[]>(['HGETALL', k])));
      else if (type === 'string') raw.push(await conn.command<string>(['GET', k]));
      if (k.includes(':ident:')) {
        identities++;
        assert.match(k, /^\{[^}]+\}:ident:[0-9a-f]{32}$/);
        assert.equal(await conn.command<string>(['GET', k]), id);
      }
    }
    assert.ok(identities >= 5, `every refresh token the account held is indexed (${identities})`);
    const dump = raw.join('\n');
    for (const secret of seen) {
      assert.ok(!dump.includes(secret), 'no token in Redis');
      assert.ok(!dump.includes(tokenFingerprint(secret)), 'no plain token fingerprint in Redis');
    }
  });

  test("the SSO cache's token file: an instance first started after a rotation imports it under the team's id", async (t) => {
    const redis = await redisForTest(t);
    const fleet = await startFleet(t, { redisUrl: redis.url, instances: 0, accounts: [{ id: 'solo' }] });
    const acct = fleet.mock.account('solo')!;
    const sso = join(fleet.dir, 'sso');
    await mkdir(sso, { recursive: true });
    const file = join(sso, 'kiro-auth-token.json');
    const tokenFile = () => ({
      accessToken: acct.accessToken,
      refreshToken: acct.refreshToken,
      expiresAt: new Date(acct.accessTokenExpiresAt).toISOString(),
      authMethod: 'social',
      provider: acct.provider,
      profileArn: acct.profileArn,
    });
    await writeFile(file, JSON.stringify(tokenFile()), { mode: 0o600 });
    const fromSso = { credsFile: undefined, ssoCache: sso, importSsoCacheOnStart: true };
    const a = await fleet.add('a', fromSso);
    await rotateOn(fleet, a, 'rotation 1');
    await eventually(() => fileHolds(file, acct.refreshToken), 5000, 'the winner to write the token file');
    const b = await fleet.add('b', fromSso);
    assert.equal(idOf(b), idOf(a));
    await rotateOn(fleet, b, 'rotation 2 on b');
    assert.ok(
      fleet.mock.refreshLog.every((e) => e.status === 200),
      JSON.stringify(fleet.mock.refreshLog),
    );
  });

  test('Redis away when a new instance starts: it names the account from the file, says so, and warns once Redis is back', async (t) => {
    const redis = await redisForTest(t, { persistence: true });
    const fleet = await startFleet(t, { redisUrl: redis.url, instances: 1, accounts: [{ id: 'solo' }] });
    const a = fleet.members[0]!;
    await rotateOn(fleet, a, 'rotation 1');
    const acct = fleet.mock.account('solo')!;
    await eventually(() => fileHolds(fleet.credsFile, acct.refreshToken), 5000, 'the winner to write the file');

    await redis.stop();
    const b = await fleet.add('b');
    assert.notEqual(idOf(b), idOf(a), "without Redis the file's token alone names the account");
    assert.match(b.logger.text('warn'), /could not ask the team \(Redis\) whether it knows this credential/);
    await redis.start();
    await eventually(
      () => b.logger.text('warn').includes(`already knows its refresh token as account ${idOf(a)}`),
      15_000,
      'the clash warning once Redis is back',
    );
    assert.ok(!b.logger.text().includes(acct.refreshToken), 'no token in a log line');
  });
});
