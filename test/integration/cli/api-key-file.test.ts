// `kiro-proxy --api-key-file PATH` as users run it (issue 13 item 8): the key comes from the file and
// never shows in `ps`; a readable-by-others file and `--api-key K` on the command line warn once on
// stderr; a missing or empty file stops the start with a clear message.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cliSandbox, spawnCli } from '../../helpers/cli.ts';

const BODY = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
const post = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: BODY });

describe('--api-key-file', { concurrency: 2 }, () => {
  test('the key from a 0600 file guards /v1, is not on the command line, and nothing warns', async () => {
    const sb = await cliSandbox();
    const keyFile = join(sb.dir, 'proxy.key');
    await writeFile(keyFile, 'file-key-456\n', { mode: 0o600 });
    const cli = await spawnCli(['--port', '0', '--mock', '--api-key-file', keyFile], { sandbox: sb });
    try {
      const url = await cli.ready();
      assert.equal((await post(url)).status, 401);
      assert.equal((await post(url, { authorization: 'Bearer file-key-456' })).status, 200);
      assert.equal((await post(url, { 'x-api-key': 'file-key-456\n'.trim() })).status, 200);
      assert.ok(!cli.child.spawnargs.some((a) => a.includes('file-key-456')), 'the key is not in argv');
      assert.doesNotMatch(cli.stderr(), /warning/i, cli.stderr());
      assert.doesNotMatch(cli.stderr() + cli.stdout(), /file-key-456/, 'the key is never printed');
    } finally {
      await cli.cleanup();
      await rm(sb.dir, { recursive: true, force: true });
    }
  });

  test('a world-readable key file works and warns once with the fix; KIRO_PROXY_API_KEY_FILE works too', async () => {
    const sb = await cliSandbox();
    const keyFile = join(sb.dir, 'open.key');
    await writeFile(keyFile, 'env-file-key');
    await chmod(keyFile, 0o644);
    const cli = await spawnCli(['--port', '0', '--mock'], { sandbox: sb, env: { KIRO_PROXY_API_KEY_FILE: keyFile } });
    try {
      const url = await cli.ready();
      assert.equal((await post(url, { authorization: 'Bearer env-file-key' })).status, 200);
      const warnings = cli.stderr().match(/warning: API key file .* can be read or changed by other users \(mode 644\); run: chmod 600/g) ?? [];
      assert.equal(warnings.length, 1, cli.stderr());
    } finally {
      await cli.cleanup();
      await rm(sb.dir, { recursive: true, force: true });
    }
  });

  test('--api-key K on the command line warns once that ps shows it; the env var does not', async () => {
    const argv = await spawnCli(['--port', '0', '--mock', '--api-key', 'argv-key-789']);
    try {
      await argv.ready();
      assert.equal((argv.stderr().match(/warning: --api-key on the command line is visible to every user/g) ?? []).length, 1, argv.stderr());
      assert.match(argv.stderr(), /--api-key-file/);
      assert.doesNotMatch(argv.stderr(), /argv-key-789/, 'the warning does not repeat the key');
    } finally {
      await argv.cleanup();
    }
    const env = await spawnCli(['--port', '0', '--mock'], { env: { KIRO_PROXY_API_KEY: 'env-key-789' } });
    try {
      await env.ready();
      assert.doesNotMatch(env.stderr(), /warning/i, env.stderr());
    } finally {
      await env.cleanup();
    }
  });

  test('a missing or empty key file stops the start with exit 2 and says which file and why', async () => {
    const sb = await cliSandbox();
    const missing = join(sb.dir, 'missing.key');
    const empty = join(sb.dir, 'empty.key');
    await writeFile(empty, '\n', { mode: 0o600 });
    for (const [path, why] of [
      [missing, /does not exist/],
      [empty, /is empty/],
    ] as const) {
      const cli = await spawnCli(['--port', '0', '--mock', '--api-key-file', path], { sandbox: sb });
      try {
        const exit = await cli.exited();
        assert.equal(exit.code, 2, cli.stderr());
        assert.match(cli.stderr(), new RegExp(`API key file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `));
        assert.match(cli.stderr(), why);
        assert.equal(cli.stdout(), '', 'never ready');
      } finally {
        await cli.cleanup();
      }
    }
    await rm(sb.dir, { recursive: true, force: true });
  });
});
