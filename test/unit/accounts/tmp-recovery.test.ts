// Leftovers of a credential write that a crash interrupted, on disk: the newer token is put into
// the file, every leftover is deleted, and a tmp of a live process is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { recoverLeftoverTmps } from '../../../src/core/accounts/credentials/tmp-recovery.ts';
import { tmpNameFor } from '../../../src/core/fs/atomic-write.ts';
import type { Logger } from '../../../src/core/proxy-types.ts';

const lines: string[] = [];
const logger: Logger = { trace() {}, debug() {}, info() {}, warn: (m) => void lines.push(m), error: (m) => void lines.push(m) };
const deadPid = (): number => {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
};
const entry = (rt: string, exp: string) => ({ refreshToken: rt, accessToken: `at-${rt}`, expiresAt: exp, authMethod: 'social', provider: 'Google' });

test('a complete tmp with a newer token of one entry is recovered into the file; the others are removed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kiro-tmprec-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'creds.json');
  await writeFile(file, JSON.stringify([entry('a1', '2030-01-01T00:00:00Z'), entry('b1', '2030-01-01T00:00:00Z')]));
  const pid = deadPid();
  await writeFile(tmpNameFor(file, pid), JSON.stringify([entry('a1', '2030-01-01T00:00:00Z'), entry('b2', '2030-01-01T01:00:00Z')]));
  await writeFile(tmpNameFor(file, pid), '[{"refreshToken": "half'); // torn write
  await writeFile(tmpNameFor(file, pid), JSON.stringify([entry('a0', '2029-01-01T00:00:00Z'), entry('b1', '2030-01-01T00:00:00Z')])); // older

  const recovered = await recoverLeftoverTmps(file, 'creds-file', logger);
  assert.equal(recovered.length, 1);
  assert.equal(recovered[0]!.index, 1);
  const doc = JSON.parse(await readFile(file, 'utf8')) as { refreshToken: string }[];
  assert.deepEqual(
    doc.map((e) => e.refreshToken),
    ['a1', 'b2'],
  );
  assert.deepEqual(
    (await readdir(dir)).filter((n) => n.endsWith('.tmp')),
    [],
    'no leftover is kept',
  );
  assert.ok(
    lines.some((l) => /recovered the newer token of .*creds\.json\[1\]/.test(l)),
    lines.join('\n'),
  );
});

test('the tmp of a process that is still running is not touched', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kiro-tmprec-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'kiro-auth-token.json');
  await writeFile(file, JSON.stringify(entry('a1', '2030-01-01T00:00:00Z')));
  const mine = tmpNameFor(file, process.pid);
  await writeFile(mine, JSON.stringify(entry('a2', '2031-01-01T00:00:00Z')));
  assert.deepEqual(await recoverLeftoverTmps(file, 'sso-cache', logger), []);
  assert.equal((await readdir(dir)).filter((n) => n.endsWith('.tmp')).length, 1);
});
