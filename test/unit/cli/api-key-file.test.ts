// --api-key-file / KIRO_PROXY_API_KEY_FILE (issue 13 item 8, design §3): parsing and the file reader.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliUsageError, parseCli, usage } from '../../../src/cli/args.ts';
import { ApiKeyFileError, readApiKeyFile } from '../../../src/cli/api-key-file.ts';

describe('parseCli: where the API key comes from', () => {
  test('--api-key-file and its env var name the file; the key itself is not set yet', () => {
    const a = parseCli(['--api-key-file', '/run/secrets/key'], {});
    assert.equal(a.apiKeyFile, '/run/secrets/key');
    assert.equal(a.config.apiKey, undefined);
    assert.ok(!a.apiKeyInArgv);
    assert.equal(parseCli([], { KIRO_PROXY_API_KEY_FILE: '/k' }).apiKeyFile, '/k');
    assert.equal(parseCli(['--api-key-file=/k2'], {}).apiKeyFile, '/k2');
  });

  test('--api-key in argv is flagged (ps shows it); from the environment it is not', () => {
    const argv = parseCli(['--api-key', 'K'], {});
    assert.equal(argv.config.apiKey, 'K');
    assert.equal(argv.apiKeyInArgv, true);
    const env = parseCli([], { KIRO_PROXY_API_KEY: 'K' });
    assert.equal(env.config.apiKey, 'K');
    assert.ok(!env.apiKeyInArgv);
  });

  test('a flag wins over the other source in the environment', () => {
    const f = parseCli(['--api-key-file', '/k'], { KIRO_PROXY_API_KEY: 'from-env' });
    assert.equal(f.config.apiKey, undefined);
    assert.equal(f.apiKeyFile, '/k');
    const k = parseCli(['--api-key', 'K'], { KIRO_PROXY_API_KEY_FILE: '/k' });
    assert.equal(k.config.apiKey, 'K');
    assert.equal(k.apiKeyFile, undefined);
  });

  test('both sources at the same level are refused', () => {
    assert.throws(
      () => parseCli(['--api-key', 'K', '--api-key-file', '/k'], {}),
      (e: unknown) => e instanceof CliUsageError && /either --api-key or --api-key-file/.test(e.message),
    );
    assert.throws(() => parseCli(['--api-key-file=/k', '--api-key=K'], {}), CliUsageError);
    assert.throws(() => parseCli([], { KIRO_PROXY_API_KEY: 'K', KIRO_PROXY_API_KEY_FILE: '/k' }), /both set/);
  });

  test('--help documents the flag and its env var', () => {
    assert.match(usage(), /--api-key-file <value>\s+the API key read from this file.*\[KIRO_PROXY_API_KEY_FILE\]/);
  });
});

describe('readApiKeyFile', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiro-proxy-keyfile-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const file = async (name: string, content: string, mode = 0o600) => {
    const p = join(dir, name);
    await writeFile(p, content, { mode });
    await chmod(p, mode);
    return p;
  };

  test('the key without its trailing newline (LF or CRLF); a private file gives no warning', async () => {
    assert.deepEqual(await readApiKeyFile(await file('lf', 'sk-proxy-123\n')), { key: 'sk-proxy-123' });
    assert.deepEqual(await readApiKeyFile(await file('crlf', 'sk-proxy-123\r\n')), { key: 'sk-proxy-123' });
    assert.deepEqual(await readApiKeyFile(await file('bare', 'sk-proxy-123')), { key: 'sk-proxy-123' });
  });

  test('a group- or world-readable file works but warns, naming the mode and the fix', async () => {
    const p = await file('open', 'k\n', 0o644);
    const r = await readApiKeyFile(p, 'linux');
    assert.equal(r.key, 'k');
    assert.match(r.warning ?? '', /other users \(mode 644\); run: chmod 600 /);
    assert.equal((await readApiKeyFile(await file('group', 'k', 0o640), 'linux')).warning !== undefined, true);
    assert.equal((await readApiKeyFile(p, 'win32')).warning, undefined, 'POSIX modes mean nothing on Windows');
  });

  test('clear errors: missing, empty, several lines, a directory, too big', async () => {
    const bad = async (p: string, re: RegExp) =>
      assert.rejects(readApiKeyFile(p), (e: unknown) => e instanceof ApiKeyFileError && re.test(e.message) && e.message.includes(p));
    await bad(join(dir, 'nope'), /does not exist/);
    await bad(await file('empty', '\n'), /is empty/);
    await bad(await file('blank', '   '), /is empty/);
    await bad(await file('two', 'a\nb\n'), /more than one line/);
    const sub = join(dir, 'sub');
    await mkdir(sub);
    await bad(sub, /not a regular file/);
    await bad(await file('big', 'x'.repeat(5000)), /expected the key on one line/);
  });
});
