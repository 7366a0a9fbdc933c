import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSecretStore } from '../../../src/core/accounts/store/file-secret-store.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'kiro-secrets-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('FileSecretStore', () => {
  test('creates KIRO_PROXY_HOME 0700 and secrets.json 0600; set/get/delete round-trip', async () => {
    const home = join(root, 'home', '.kiro-proxy');
    const store = FileSecretStore.inHome(home);
    assert.equal(await store.get('a'), undefined);
    await store.set('a', 'one');
    await store.set('b', 'two');
    assert.equal(await store.get('a'), 'one');
    assert.deepEqual((await store.keys()).sort(), ['a', 'b']);
    if (process.platform !== 'win32') {
      assert.equal((await stat(home)).mode & 0o777, 0o700);
      assert.equal((await stat(join(home, 'secrets.json'))).mode & 0o777, 0o600);
    }
    await store.delete('a');
    assert.equal(await store.get('a'), undefined);
    // A second instance (another process) sees the same data.
    assert.equal(await new FileSecretStore(join(home, 'secrets.json')).get('b'), 'two');
  });

  test('concurrent sets all land', async () => {
    const store = new FileSecretStore(join(root, 'c', 'secrets.json'));
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set(`k${i}`, `v${i}`)));
    const doc = JSON.parse(await readFile(join(root, 'c', 'secrets.json'), 'utf8'));
    assert.equal(Object.keys(doc).length, 20);
    assert.equal(await store.get('__proto__'), undefined);
  });

  test('a corrupt file is an error naming it, never silently replaced', async () => {
    await mkdir(join(root, 'bad'));
    const p = join(root, 'bad', 'secrets.json');
    await writeFile(p, '{"a": "b"');
    const store = new FileSecretStore(p);
    await assert.rejects(store.get('a'), /secrets\.json: invalid JSON/);
    await assert.rejects(store.set('a', 'c'), /secrets\.json: invalid JSON/);
    assert.equal(await readFile(p, 'utf8'), '{"a": "b"');
  });
});
