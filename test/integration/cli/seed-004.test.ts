// Seed 004's command line as its users type it, against the headless CLI and the strict mock
// Kiro: `--model-provider kiro-api --kiro-oauth-creds-file kiro-creds.json --api-key K`, plus
// a provider_pools.json holding a second account, and the X-Model-Provider header on requests.
// The pools entry points at a creds file: its rotated refresh token is written back there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockKiro, type MockKiro } from '../../../src/core/kiro-mock/index.ts';
import { spawnCli, type CliProcess } from '../../helpers/cli.ts';

let mock: MockKiro;
let dir: string;
let cli: CliProcess | undefined;
before(async () => {
  mock = await startMockKiro({});
  dir = await mkdtemp(join(tmpdir(), 'kiro-seed004-'));
});
after(async () => {
  await cli?.cleanup();
  await mock?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A social account the proxy must refresh before its first request (no access token yet). */
function refreshOnly(): Record<string, unknown> {
  const a = mock.addAccount({ authMethod: 'social', provider: 'Google', rotateRefreshToken: true });
  return { refreshToken: a.refreshToken, authMethod: 'social', provider: 'Google', ...(a.profileArn ? { profileArn: a.profileArn } : {}), region: 'us-east-1' };
}

test(
  'seed 004: --model-provider kiro-api --kiro-oauth-creds-file … --api-key K, a provider_pools.json account, X-Model-Provider',
  { timeout: 180_000 },
  async () => {
    const creds = join(dir, 'kiro-creds.json');
    const poolAccount = join(dir, 'pool-account.json');
    const pools = join(dir, 'provider_pools.json');
    const first = refreshOnly();
    const second = refreshOnly();
    await writeFile(creds, JSON.stringify(first));
    await writeFile(poolAccount, JSON.stringify(second));
    // Relative to the pools file's folder (the CLI runs in the repo, where no such file exists).
    await writeFile(
      pools,
      JSON.stringify({ 'claude-kiro-oauth': [{ uuid: 'pool-1', customName: 'second', KIRO_OAUTH_CREDS_FILE_PATH: 'pool-account.json', isHealthy: true }] }),
    );
    cli = await spawnCli([
      '--port',
      '0',
      '--model-provider',
      'kiro-api',
      '--kiro-oauth-creds-file',
      creds,
      '--provider-pools-file',
      pools,
      '--api-key',
      'K',
      '--strategy',
      'round-robin',
      '--kiro-endpoint',
      mock.url,
      '--kiro-auth-endpoint',
      mock.url,
      '--kiro-oidc-endpoint',
      mock.url,
    ]);
    const url = await cli.ready(90_000);
    const auth = { authorization: 'Bearer K', 'x-model-provider': 'kiro-api' };
    const instances = (await (await fetch(`${url}/loadbalancer/instances`, { headers: auth })).json()) as { id: string; state: string }[];
    assert.equal(instances.length, 2, `${JSON.stringify(instances)}\n${cli.stderr()}`);
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'claude-3-sonnet-20240229',
          messages: [{ role: 'user', content: `Hello, Claude! (conversation ${i})` }],
          max_tokens: 100,
        }),
      });
      const text = await r.text();
      assert.equal(r.status, 200, `${text}\n${cli.stderr()}`);
      assert.match((JSON.parse(text) as { model: string }).model, /^claude-sonnet-/);
    }
    // Two conversations, round robin: both accounts were refreshed and served; the pools entry's
    // file holds the rotated token.
    assert.equal(mock.chatRequests().length, 2);
    const written = JSON.parse(await readFile(poolAccount, 'utf8')) as { refreshToken: string; accessToken?: string };
    assert.ok(written.accessToken, `the refreshed access token was written back to the pools entry's file: ${Object.keys(written).join(', ')}`);
    assert.notEqual(written.refreshToken, second['refreshToken'], 'the rotated refresh token replaced the old one in that file');
    cli.child.kill('SIGTERM');
    assert.equal((await cli.exited(30_000)).code, 0);
  },
);
