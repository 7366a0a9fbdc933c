import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlSink } from '../../../src/core/observe/jsonl-sink.ts';

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'kp-sink-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const pad = 'x'.repeat(200);

test('write() is synchronous and returns before anything touches the disk', async () => {
  await withDir(async (dir) => {
    const sink = new JsonlSink({ dir: join(dir, 'nested', 'logs') });
    assert.equal(sink.write({ n: 1 }), true);
    // The directory is created by the async drain, not by write() itself.
    await assert.rejects(stat(join(dir, 'nested')));
    await sink.close();
    assert.equal((await readFile(sink.path, 'utf8')).trim(), '{"n":1}');
  });
});

test('rotates by size and keeps N old files, newest in .1', async () => {
  await withDir(async (dir) => {
    const sink = new JsonlSink({ dir, maxBytes: 1024, keep: 2 });
    for (let n = 0; n < 40; n++) sink.write({ n, pad });
    await sink.close();
    const files = (await readdir(dir)).sort();
    assert.deepEqual(files, ['requests.1.jsonl', 'requests.2.jsonl', 'requests.jsonl']);
    for (const f of files) assert.ok((await stat(join(dir, f))).size <= 1024, `${f} over the limit`);
    const read = async (f: string) =>
      (await readFile(join(dir, f), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).n as number);
    const live = await read('requests.jsonl');
    const one = await read('requests.1.jsonl');
    const two = await read('requests.2.jsonl');
    assert.equal(live.at(-1), 39);
    // Consecutive, no loss between the kept files.
    assert.equal(one.at(-1)! + 1, live[0]);
    assert.equal(two.at(-1)! + 1, one[0]);
  });
});

test('appends to an existing file and counts its size toward rotation', async () => {
  await withDir(async (dir) => {
    const a = new JsonlSink({ dir, maxBytes: 1024, keep: 1 });
    for (let n = 0; n < 4; n++) a.write({ n, pad });
    await a.close();
    const b = new JsonlSink({ dir, maxBytes: 1024, keep: 1 });
    for (let n = 4; n < 8; n++) b.write({ n, pad });
    await b.close();
    assert.deepEqual((await readdir(dir)).sort(), ['requests.1.jsonl', 'requests.jsonl']);
  });
});

test('a full queue drops lines instead of growing without bound; writes after close are dropped', async () => {
  await withDir(async (dir) => {
    const sink = new JsonlSink({ dir, maxQueuedLines: 5 });
    let accepted = 0;
    for (let n = 0; n < 50; n++) if (sink.write({ n })) accepted++;
    await sink.close();
    assert.ok(accepted < 50 && sink.dropped === 50 - accepted, `accepted ${accepted}, dropped ${sink.dropped}`);
    assert.equal(sink.write({ late: true }), false);
    const lines = (await readFile(sink.path, 'utf8')).trim().split('\n');
    assert.equal(lines.length, accepted);
  });
});

test('an unwritable directory reports errors and does not throw into the caller', async () => {
  await withDir(async (dir) => {
    const errors: unknown[] = [];
    const file = join(dir, 'file');
    await (await import('node:fs/promises')).writeFile(file, '');
    const sink = new JsonlSink({ dir: join(file, 'sub'), onError: (e) => errors.push(e) });
    assert.doesNotThrow(() => sink.write({ n: 1 }));
    await sink.close();
    assert.equal(errors.length, 1);
    assert.equal(sink.dropped, 1);
  });
});

test('lines written close together are coalesced and reach the file after the batch delay, in order, without flush()', async () => {
  await withDir(async (dir) => {
    const sink = new JsonlSink({ dir, batchDelayMs: 30 });
    for (let n = 0; n < 50; n++) sink.write({ n });
    // Nothing is written (not even the directory made) before the batch delay has passed.
    await assert.rejects(stat(sink.path));
    let text = '';
    for (let i = 0; i < 100 && text.split('\n').length < 51; i++) {
      await new Promise((r) => setTimeout(r, 20));
      text = await readFile(sink.path, 'utf8').catch(() => '');
    }
    assert.deepEqual(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).n as number),
      Array.from({ length: 50 }, (_, n) => n),
    );
    await sink.close();
  });
});

test('flush() writes a pending batch at once; batchDelayMs 0 writes without waiting', async () => {
  await withDir(async (dir) => {
    const sink = new JsonlSink({ dir, batchDelayMs: 60_000 });
    sink.write({ n: 1 });
    await sink.flush();
    assert.equal((await readFile(sink.path, 'utf8')).trim(), '{"n":1}');
    await sink.close();
    const eager = new JsonlSink({ dir: join(dir, 'eager'), batchDelayMs: 0 });
    eager.write({ n: 2 });
    await eager.flush();
    assert.equal((await readFile(eager.path, 'utf8')).trim(), '{"n":2}');
    await eager.close();
  });
});
