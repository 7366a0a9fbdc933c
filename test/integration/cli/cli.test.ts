// The headless CLI as users run it: `node src/cli/main.ts …` in a child process.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cliSandbox, spawnCli, type CliProcess } from '../../helpers/cli.ts';

async function withCli<T>(args: string[], fn: (cli: CliProcess) => Promise<T>, env?: Record<string, string>): Promise<T> {
  const cli = await spawnCli(args, env ? { env } : {});
  try {
    return await fn(cli);
  } finally {
    await cli.cleanup();
  }
}

const readyLines = (out: string) => out.split('\n').filter((l) => /http:\/\/127\.0\.0\.1:\d+/.test(l));

// Independent child processes on port 0 and their own sandboxes: run two at a time (the CI box has 2 CPUs).
describe('kiro-proxy CLI', { concurrency: 2 }, () => {
  test('--port 0 --mock: one ready line, /health, both dialects answer from the mock frames, SIGTERM exits 0', async () => {
    await withCli(['--port', '0', '--mock'], async (cli) => {
      const url = await cli.ready();
      assert.match(url, /^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
      assert.equal(readyLines(cli.stdout()).length, 1, cli.stdout());
      assert.equal(cli.stdout().trim().split('\n').length, 1, `stdout holds only the ready line: ${cli.stdout()}`);
      assert.doesNotMatch(cli.stderr(), /No Kiro credentials found/, '--mock silences the banner');

      const health = await fetch(`${url}/health`);
      assert.equal(health.status, 200);
      const hj = (await health.json()) as { status: string; mode: string };
      assert.equal(hj.status, 'ok');
      assert.equal(hj.mode, 'mock');

      const chat = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi [[mock:text through the mock frames]]' }] }),
      });
      assert.equal(chat.status, 200);
      const cj = (await chat.json()) as { choices: { message: { content: string } }[] };
      assert.equal(cj.choices[0]!.message.content, 'through the mock frames');

      const msg = await fetch(`${url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: 'plain hello' }] }),
      });
      assert.equal(msg.status, 200);
      const mj = (await msg.json()) as { content: { type: string; text: string }[] };
      assert.equal(mj.content[0]!.text, 'Mock Kiro reply to: plain hello');

      const t0 = Date.now();
      cli.child.kill('SIGTERM');
      const exit = await cli.exited(10_000);
      assert.deepEqual(exit, { code: 0, signal: null }, cli.stderr());
      assert.ok(Date.now() - t0 < 10_000);
    });
  });

  test('SIGINT exits 0 promptly', async () => {
    await withCli(['--port', '0', '--mock'], async (cli) => {
      await cli.ready();
      cli.child.kill('SIGINT');
      assert.deepEqual(await cli.exited(10_000), { code: 0, signal: null }, cli.stderr());
    });
  });

  test('--help exits 0 with the usage; an unknown flag exits 2 with a clear message', async () => {
    await withCli(['--help'], async (cli) => {
      assert.deepEqual(await cli.exited(), { code: 0, signal: null });
      assert.match(cli.stdout(), /Usage: kiro-proxy/);
      assert.match(cli.stdout(), /--port/);
      assert.match(cli.stdout(), /--mock/);
    });
    await withCli(['--port', '0', '--bogus-flag'], async (cli) => {
      assert.deepEqual(await cli.exited(), { code: 2, signal: null });
      assert.match(cli.stderr(), /unknown option "--bogus-flag"/);
      assert.equal(cli.stdout(), '');
    });
    await withCli(['--port', 'abc'], async (cli) => {
      assert.equal((await cli.exited()).code, 2);
      assert.match(cli.stderr(), /--port must be/);
    });
  });

  test('no credentials and no --mock → the banner on stderr, mock mode', async () => {
    await withCli(['--port', '0'], async (cli) => {
      const url = await cli.ready();
      assert.match(cli.stderr(), /No Kiro credentials found: running with the built-in MOCK upstream/);
      assert.doesNotMatch(cli.stdout(), /No Kiro credentials/, 'the banner stays off stdout');
      const hj = (await (await fetch(`${url}/health`)).json()) as { mode: string };
      assert.equal(hj.mode, 'mock');
    });
  });

  test('a broken --creds-file → a warning naming the file and the field, never a crash', async () => {
    const sb = await cliSandbox();
    try {
      const bad = join(sb.dir, 'bad-creds.json');
      await writeFile(bad, JSON.stringify({ refreshToken: 12345, authMethod: 'social' }));
      const cli = await spawnCli(['--port', '0', '--creds-file', bad], { sandbox: sb });
      try {
        const url = await cli.ready();
        assert.match(cli.stderr(), new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: refreshToken: must be a string`), cli.stderr());
        assert.equal((await fetch(`${url}/health`)).status, 200);
      } finally {
        await cli.cleanup();
      }

      const notJson = join(sb.dir, 'not-json.json');
      await writeFile(notJson, '{"refreshToken": ');
      const cli2 = await spawnCli(['--port', '0', '--creds-file', notJson], { sandbox: sb });
      try {
        await cli2.ready();
        assert.match(cli2.stderr(), /not-json\.json: invalid JSON/, cli2.stderr());
      } finally {
        await cli2.cleanup();
      }

      const missing = join(sb.dir, 'missing.json');
      const cli3 = await spawnCli(['--port', '0', '--creds-file', missing], { sandbox: sb });
      try {
        await cli3.ready();
        assert.match(cli3.stderr(), /missing\.json: file not found/, cli3.stderr());
      } finally {
        await cli3.cleanup();
      }
    } finally {
      await rm(sb.dir, { recursive: true, force: true });
    }
  });

  test('a non-loopback --host without --api-key refuses to start', async () => {
    await withCli(['--port', '0', '--mock', '--host', '0.0.0.0'], async (cli) => {
      const exit = await cli.exited();
      assert.notEqual(exit.code, 0);
      assert.match(cli.stderr(), /0\.0\.0\.0/);
      assert.match(cli.stderr(), /api key|--api-key/i);
      assert.equal(readyLines(cli.stdout()).length, 0);
    });
  });

  test('port in use → a clear error, exit 1, never another port', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      await withCli(['--port', String(port), '--mock'], async (cli) => {
        const exit = await cli.exited();
        assert.equal(exit.code, 1, cli.stderr());
        assert.match(cli.stderr(), new RegExp(`port ${port}.*already in use`));
        assert.equal(cli.stdout(), '', 'no ready line on another port');
      });
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });

  test('--api-key via env: /v1 needs the key, /health does not', async () => {
    await withCli(
      ['--port', '0', '--mock'],
      async (cli) => {
        const url = await cli.ready();
        const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
        const denied = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        assert.equal(denied.status, 401);
        const dj = (await denied.json()) as { error: { message: string } };
        assert.equal(typeof dj.error.message, 'string');
        const ok = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer env-key-123' },
          body,
        });
        assert.equal(ok.status, 200);
        assert.equal((await fetch(`${url}/health`)).status, 200);
        assert.doesNotMatch(cli.stderr() + cli.stdout(), /env-key-123/, 'the key is never printed');
      },
      { KIRO_PROXY_API_KEY: 'env-key-123' },
    );
  });
});
