// Team gateway from the headless CLI: team mode refuses to start without a usable
// KIRO_PROXY_STATE_KEY (and says how to make one, never echoing the Redis password), and with
// one it joins the team: /health shows it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { spawnCli } from '../../helpers/cli.ts';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';

const PASSWORD = 'pw-' + randomBytes(6).toString('hex');

describe('team gateway: the CLI', () => {
  test('refuses team mode without KIRO_PROXY_STATE_KEY, with a clear message and without the Redis password', async (t) => {
    const cli = await spawnCli(['--mock', '--port', '0', '--redis-url', `redis://proxy:${PASSWORD}@127.0.0.1:1`]);
    t.after(() => cli.cleanup());
    const exit = await cli.exited();
    assert.equal(exit.code, 2, cli.stderr());
    assert.match(cli.stderr(), /Team mode \(--redis-url\) needs KIRO_PROXY_STATE_KEY/);
    assert.match(cli.stderr(), /openssl rand -base64 32/);
    assert.ok(!(cli.stdout() + cli.stderr()).includes(PASSWORD), 'the password is never printed');
  });

  test('refuses a passphrase as KIRO_PROXY_STATE_KEY (env KIRO_PROXY_REDIS_URL), without echoing it', async (t) => {
    const cli = await spawnCli(['--mock', '--port', '0'], {
      env: { KIRO_PROXY_REDIS_URL: 'redis://127.0.0.1:1', KIRO_PROXY_STATE_KEY: 'correct horse battery staple' },
    });
    t.after(() => cli.cleanup());
    const exit = await cli.exited();
    assert.equal(exit.code, 2, cli.stderr());
    assert.match(cli.stderr(), /KIRO_PROXY_STATE_KEY is not a 32-byte key/);
    assert.ok(!cli.stderr().includes('horse'), 'the key is never echoed');
  });

  test('with a key it joins the team: /health shows team mode and Redis up', { skip: redisSkip }, async (t) => {
    const redis = await redisForTest(t);
    const cli = await spawnCli(['--mock', '--port', '0', '--redis-url', redis.url, '--redis-prefix', 'cli-test'], {
      env: { KIRO_PROXY_STATE_KEY: randomBytes(32).toString('base64') },
    });
    t.after(() => cli.cleanup());
    const url = await cli.ready();
    const h = (await (await fetch(`${url}/health`)).json()) as { status: string; team?: { mode: string; redis: string } };
    assert.equal(h.status, 'ok');
    assert.equal(h.team?.mode, 'redis');
    assert.equal(h.team?.redis, 'up');
    const r = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4.5', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(r.status, 200);
  });
});
