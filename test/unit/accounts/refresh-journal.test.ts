// The refresh journal: a rotated token written by a process that then crashed is folded into the
// store when it is newer, an older or torn entry is dropped, and a live process's entry is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { RefreshJournal } from '../../../src/core/accounts/tokens/refresh-journal.ts';
import { readAccountRecord, writeAccountRecord } from '../../../src/core/accounts/store/account-record.ts';
import type { Logger, SecretStore } from '../../../src/core/proxy-types.ts';

const logger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const memory = (): SecretStore => {
  const m = new Map<string, string>();
  return { get: async (k) => m.get(k), set: async (k, v) => void m.set(k, v), delete: async (k) => void m.delete(k) };
};
const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());

test("a crashed process's newer token is folded into the store; older and torn entries are dropped; a live one stays", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kiro-journal-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = memory();
  await writeAccountRecord(store, 'acct-a', { credential: { kind: 'social', refreshToken: 'rt-1', accessToken: 'at-1', expiresAt: 1_000 }, history: ['x'] });
  await writeAccountRecord(store, 'acct-b', { credential: { kind: 'social', refreshToken: 'rt-b2', accessToken: 'at-b2', expiresAt: 5_000 }, history: [] });
  const j = new RefreshJournal(dir);
  await j.prepare();
  const pid = deadPid();
  await writeFile(join(dir, `acct-a.${pid}.0000aaaa.json`), JSON.stringify({ id: 'acct-a', refreshToken: 'rt-2', accessToken: 'at-2', expiresAt: 2_000 }));
  await writeFile(join(dir, `acct-b.${pid}.0000bbbb.json`), JSON.stringify({ id: 'acct-b', refreshToken: 'rt-b1', accessToken: 'at-b1', expiresAt: 4_000 }));
  await writeFile(join(dir, `acct-a.${pid}.0000cccc.json`), '{"id":"acct-a","refreshTo');
  const remove = await j.write('acct-a', { refreshToken: 'rt-live', expiresAt: 9_000 });

  assert.deepEqual(await j.recover(store, logger), ['acct-a']);
  assert.equal((await readAccountRecord(store, 'acct-a'))!.credential.refreshToken, 'rt-2');
  assert.equal((await readAccountRecord(store, 'acct-b'))!.credential.refreshToken, 'rt-b2', 'an older token never replaces a newer one');
  assert.equal((await readdir(dir)).length, 1, "only the live process's entry is left");
  await remove();
  assert.deepEqual(await readdir(dir), []);
});
