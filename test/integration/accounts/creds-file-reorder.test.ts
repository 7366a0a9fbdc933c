// A creds file is the user's: they reorder and extend it while the proxy runs, from an editor
// buffer that may hold tokens the proxy has rotated since. Write-back finds each account's entry
// by the tokens it held, never by position; after a restart every account works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startMockKiro } from '../../../src/core/kiro-mock/index.ts';
import { sandbox, startProxy, tokenFile, writeJson, chat } from './durability-harness.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the user reverses and extends a 3-entry creds file while refreshes run; after a restart all accounts work', async (t) => {
  const mock = await startMockKiro({});
  t.after(() => mock.close());
  const sb = await sandbox();
  t.after(() => sb.close());
  // 601 s: the proxy refreshes (10 min ahead) about once a second per account, and every
  // refresh kills the previous refresh token.
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => mock.addAccount({ id, rotateRefreshToken: true, accessTokenTtlSeconds: 601 }));
  const file = join(sb.dir, 'creds.json');
  await writeJson(file, [tokenFile(a!), tokenFile(b!), tokenFile(c!)]);

  const p1 = await startProxy(mock, sb, { credsFile: file, importSsoCacheOnStart: false });
  t.after(() => p1.stop());
  const before = p1.proxy.accounts.list().map((x) => x.id);
  assert.equal(before.length, 3);

  let failures = 0;
  let served = 0;
  let running = true;
  const loops = [0, 1].map(async () => {
    while (running) {
      const s = await chat(p1.url, `conversation ${served + failures}`);
      if (s === 200) served++;
      else failures++;
      await sleep(100);
    }
  });
  await sleep(1_500);
  // The editor opens the file…
  const buffer = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>[];
  await sleep(1_500);
  // …and saves it reversed, with a fourth account added, over whatever the proxy wrote meanwhile.
  await writeJson(file, [...buffer].reverse().concat([tokenFile(d!)]));
  await sleep(3_000);
  running = false;
  await Promise.all(loops);
  assert.equal(failures, 0, `every request was answered (${served} served)`);
  assert.ok(mock.refreshLog.length >= 3, `refreshes ran meanwhile (${mock.refreshLog.length})`);
  const during = p1.proxy.accounts.list();
  assert.equal(during.length, 4, 'the added entry became an account without a restart');
  assert.ok(
    during.every((x) => x.state === 'active'),
    JSON.stringify(during.map((x) => [x.label, x.state, x.stateReason])),
  );
  await p1.stop();

  const p2 = await startProxy(mock, sb, { credsFile: file, importSsoCacheOnStart: false });
  t.after(() => p2.stop());
  const after = p2.proxy.accounts.list();
  assert.equal(after.length, 4);
  for (const id of before)
    assert.ok(
      after.some((x) => x.id === id),
      `account ${id} kept its id across reorder and restart`,
    );
  for (const acct of after) {
    const v = await p2.proxy.accounts.refresh(acct.id);
    assert.equal(v.state, 'active', `${acct.label}: ${v.stateReason ?? ''}`);
  }
  for (let i = 0; i < 8; i++) assert.equal(await chat(p2.url, `conversation ${i}`), 200);
  const usedBy = new Set(
    p2.proxy.accounts
      .list()
      .filter((x) => x.counters.requests > 0)
      .map((x) => x.id),
  );
  assert.equal(usedBy.size, 4, 'round-robin served every account');
  await p2.stop();

  // The file ends with each account's live token in its own (moved) entry.
  const final = JSON.parse(await readFile(file, 'utf8')) as { refreshToken: string }[];
  assert.deepEqual(
    final.map((e) => mock.account(e.refreshToken)?.id),
    ['c', 'b', 'a', 'd'],
  );
  assert.equal((await stat(file)).mode & 0o077, 0, 'no group/other access to a file holding our tokens');
  assert.deepEqual(
    (await readdir(sb.dir)).filter((n) => n.endsWith('.tmp')),
    [],
  );
});
