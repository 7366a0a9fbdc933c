import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, readFile, readdir, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { writeFileAtomic, readJsonFile, JsonFileError } from '../../../src/core/fs/atomic-write.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiro-atomic-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  test('writes the content and leaves no temp file behind', async () => {
    const p = join(dir, 'a.json');
    await writeFileAtomic(p, '{"a":1}');
    await writeFileAtomic(p, '{"a":2}');
    assert.equal(await readFile(p, 'utf8'), '{"a":2}');
    assert.deepEqual(
      (await readdir(dir)).filter((n) => n.includes('a.json')),
      ['a.json'],
    );
  });

  test('applies an explicit mode regardless of umask and preserves an existing mode', { skip: process.platform === 'win32' }, async () => {
    const p = join(dir, 'secret.json');
    await writeFileAtomic(p, 'x', { mode: 0o600 });
    assert.equal((await stat(p)).mode & 0o777, 0o600);
    const q = join(dir, 'kept.json');
    await writeFile(q, 'old');
    await chmod(q, 0o640);
    await writeFileAtomic(q, 'new');
    assert.equal((await stat(q)).mode & 0o777, 0o640);
    assert.equal(await readFile(q, 'utf8'), 'new');
  });

  test('a failed write leaves the old file and no temp file', async () => {
    const p = join(dir, 'missing-dir', 'x.json');
    await assert.rejects(writeFileAtomic(p, 'x'));
    const q = join(dir, 'stays.json');
    await writeFileAtomic(q, 'old');
    // A directory in the way makes rename fail after the temp file was written.
    const blocked = join(dir, 'blocked');
    await mkdir(join(blocked, 'child'), { recursive: true });
    await assert.rejects(writeFileAtomic(blocked, 'data'));
    assert.equal((await readdir(dir)).filter((n) => n.endsWith('.tmp')).length, 0);
    assert.equal(await readFile(q, 'utf8'), 'old');
  });

  test('a process SIGKILLed while rewriting a large file never leaves a half file', { skip: process.platform === 'win32', timeout: 60_000 }, async () => {
    const target = join(dir, 'big.json');
    const child = join(dir, 'writer.mjs');
    const moduleUrl = pathToFileURL(join(import.meta.dirname, '../../../src/core/fs/atomic-write.ts')).href;
    // Each round writes ~2 MB whose last element tells the round apart; readers must always see a complete array.
    await writeFile(
      child,
      `import { writeFileAtomic } from ${JSON.stringify(moduleUrl)};
       const target = process.argv[2];
       for (let round = 0; ; round++) {
         const doc = { round, items: Array.from({ length: 40000 }, (_, i) => ({ i, pad: 'x'.repeat(32), round })) };
         await writeFileAtomic(target, JSON.stringify(doc));
         if (round === 0) process.stdout.write('ready\\n');
       }`,
    );
    for (let attempt = 0; attempt < 5; attempt++) {
      const proc = spawn(process.execPath, [child, target], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        proc.stdout.once('data', () => resolve());
        proc.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
      });
      await new Promise((r) => setTimeout(r, 20 + attempt * 37));
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
      const doc = (await readJsonFile(target)) as { round: number; items: unknown[] };
      assert.equal(doc.items.length, 40000);
    }
  });
});

describe('readJsonFile', () => {
  test('parses JSON and tolerates a BOM', async () => {
    const p = join(dir, 'bom.json');
    await writeFile(p, '\ufeff{"ok":true}');
    assert.deepEqual(await readJsonFile(p), { ok: true });
  });

  test('names the file and the failure without echoing the content', async () => {
    const missing = join(dir, 'nope.json');
    await assert.rejects(readJsonFile(missing), (err: unknown) => {
      assert.ok(err instanceof JsonFileError);
      assert.equal(err.code, 'not_found');
      assert.match(err.message, /nope\.json: file not found/);
      return true;
    });
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"refreshToken": "aorSECRETSECRET"');
    await assert.rejects(readJsonFile(broken), (err: unknown) => {
      assert.ok(err instanceof JsonFileError);
      assert.equal(err.code, 'invalid_json');
      assert.ok(err.message.startsWith(`${broken}: invalid JSON`));
      assert.ok(!err.message.includes('SECRET'));
      return true;
    });
    const empty = join(dir, 'empty.json');
    await writeFile(empty, '  \n');
    await assert.rejects(readJsonFile(empty), /empty\.json: file is empty/);
  });
});

describe('writeFileAtomic with private content', () => {
  test(
    'never leaves a secret more readable than 0600, keeps a stricter mode, and names its temp files after the writer',
    { skip: process.platform === 'win32' },
    async () => {
      const { listLeftoverTmps, tmpNameFor } = await import('../../../src/core/fs/atomic-write.ts');
      const ide = join(dir, 'ide-token.json');
      await writeFile(ide, '{}');
      await chmod(ide, 0o644);
      await writeFileAtomic(ide, '{"refreshToken":"x"}', { private: true });
      assert.equal((await stat(ide)).mode & 0o777, 0o600, 'a 0644 file the IDE made is tightened once it holds our tokens');
      const ro = join(dir, 'readonly-token.json');
      await writeFile(ro, '{}');
      await chmod(ro, 0o400);
      await writeFileAtomic(ro, '{"refreshToken":"y"}', { private: true });
      assert.equal((await stat(ro)).mode & 0o777, 0o400, 'a stricter mode is kept');
      const fresh = join(dir, 'fresh-token.json');
      await writeFileAtomic(fresh, 'z', { private: true });
      assert.equal((await stat(fresh)).mode & 0o777, 0o600);

      const leftover = tmpNameFor(fresh, 4242);
      await writeFile(leftover, 'half');
      const found = await listLeftoverTmps(fresh);
      assert.deepEqual(
        found.map((f) => f.pid),
        [4242],
      );
      assert.deepEqual(await listLeftoverTmps(join(dir, 'nothing.json')), []);
    },
  );
});
