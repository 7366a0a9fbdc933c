// The seed's own workflow: log in to the Kiro IDE with A, the proxy imports it; log in with B
// (the IDE writes B over kiro-auth-token.json). The proxy must keep A from its own store, never
// write A over B, and take B as a second account — across restarts too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startMockKiro } from '../../../src/core/kiro-mock/index.ts';
import { sandbox, startProxy, tokenFile, writeJson, chat } from './durability-harness.ts';

test("the IDE logs in another account: A keeps working from the proxy's copy, the file keeps B's live token, B becomes a second account", async (t) => {
  const mock = await startMockKiro({});
  t.after(() => mock.close());
  const sb = await sandbox();
  t.after(() => sb.close());
  const a = mock.addAccount({ id: 'alice', rotateRefreshToken: true });
  const b = mock.addAccount({ id: 'bob', rotateRefreshToken: true });
  const file = join(sb.sso, 'kiro-auth-token.json');
  await writeJson(file, tokenFile(a));

  // As in VS Code (kiroProxy.importSsoCache "never"): accounts come in through Scan Tokens only.
  const p1 = await startProxy(mock, sb, { importSsoCacheOnStart: false });
  t.after(() => p1.stop());
  const [scanned] = await p1.proxy.accounts.scanSsoCache();
  const acctA = await p1.proxy.accounts.importSsoFile(scanned!.path);
  assert.equal(await chat(p1.url), 200);

  // The IDE logs in B: it writes B's tokens over the file.
  await writeJson(file, tokenFile(b));
  const bRefresh = b.refreshToken;
  // The proxy refreshes A.
  const after = await p1.proxy.accounts.refresh(acctA.id);
  assert.equal(after.state, 'active');
  assert.match(after.notice ?? '', /holds another Kiro account/);
  const onDisk = JSON.parse(await readFile(file, 'utf8')) as { refreshToken: string };
  assert.equal(onDisk.refreshToken, bRefresh, 'the file still holds B');
  assert.ok(mock.account(bRefresh), "B's refresh token is still live at Kiro");
  assert.equal(mock.account('alice')!.refreshCount, 1);
  assert.equal(mock.account('bob')!.refreshCount, 0, "nobody used B's token");
  assert.equal(await chat(p1.url), 200);
  assert.match(p1.logger.text('warn'), /now holds another Kiro account/);

  // B can be imported as a second account (Scan Tokens).
  const [found] = await p1.proxy.accounts.scanSsoCache();
  assert.equal(found!.alreadyImported, false);
  const viewB = await p1.proxy.accounts.importSsoFile(found!.path);
  assert.notEqual(viewB.id, acctA.id);
  assert.equal(p1.proxy.accounts.list().length, 2);
  await p1.stop();

  // Restart: both accounts come back from the store; A is never written to the file again.
  const p2 = await startProxy(mock, sb, { importSsoCacheOnStart: false });
  t.after(() => p2.stop());
  const ids = p2.proxy.accounts
    .list()
    .map((x) => x.id)
    .sort();
  assert.deepEqual(ids, [acctA.id, viewB.id].sort());
  for (const id of ids) assert.equal((await p2.proxy.accounts.refresh(id)).state, 'active');
  const final = JSON.parse(await readFile(file, 'utf8')) as { refreshToken: string };
  assert.equal(final.refreshToken, mock.account('bob')!.refreshToken, "the file holds B's current token (written back for B only)");
  assert.ok((await stat(file)).mode % 0o1000 <= 0o600);
  const secrets = await stat(join(sb.home, 'secrets.json'));
  assert.equal(secrets.mode & 0o777, 0o600);
});

test('headless start with the SSO cache: a new login in the IDE becomes a second account by itself, the first keeps working', async (t) => {
  const mock = await startMockKiro({});
  t.after(() => mock.close());
  const sb = await sandbox();
  t.after(() => sb.close());
  const a = mock.addAccount({ id: 'alice', rotateRefreshToken: true });
  const b = mock.addAccount({ id: 'bob', rotateRefreshToken: true });
  const file = join(sb.sso, 'kiro-auth-token.json');
  await writeJson(file, tokenFile(a));
  const p = await startProxy(mock, sb, { importSsoCacheOnStart: true });
  t.after(() => p.stop());
  assert.equal(p.proxy.accounts.list().length, 1);
  await writeJson(file, tokenFile(b));
  const deadline = Date.now() + 15_000;
  while (p.proxy.accounts.list().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const list = p.proxy.accounts.list();
  assert.equal(list.length, 2, 'the watcher imported B');
  for (const acct of list) assert.equal((await p.proxy.accounts.refresh(acct.id)).state, 'active');
  assert.equal((JSON.parse(await readFile(file, 'utf8')) as { refreshToken: string }).refreshToken, mock.account('bob')!.refreshToken);
  await p.stop();
  // A restart finds both and makes no third.
  const p2 = await startProxy(mock, sb, { importSsoCacheOnStart: true });
  t.after(() => p2.stop());
  assert.deepEqual(
    p2.proxy.accounts
      .list()
      .map((x) => x.id)
      .sort(),
    list.map((x) => x.id).sort(),
  );
});
