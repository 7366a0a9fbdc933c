// Seed 004's command lines (the Go AI Proxy's): `./aiproxy --model-provider kiro-api
// --kiro-oauth-creds-file kiro-creds.json --api-key K`, `--kiro-oauth-creds-base64`, and
// provider_pools.json for several accounts; plus the fallback model flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli, usage } from '../../../src/cli/args.ts';

test("seed 004's first command line parses: provider kiro-api is a no-op, the creds flag is --creds-file", () => {
  const o = parseCli(['--model-provider', 'kiro-api', '--kiro-oauth-creds-file', 'kiro-creds.json', '--api-key', 'K'], {});
  assert.equal(o.config.credsFile, 'kiro-creds.json');
  assert.equal(o.config.apiKey, 'K');
  assert.equal(parseCli(['--kiro-oauth-creds-base64', 'eyJ9'], {}).config.credsBase64, 'eyJ9');
  assert.equal(parseCli(['--model-provider=claude-kiro-oauth'], {}).config.credsFile, undefined);
  assert.doesNotThrow(() => parseCli([], { MODEL_PROVIDER: 'kiro-api' }));
});

test('any other provider is refused, naming the one supported', () => {
  assert.throws(() => parseCli(['--model-provider', 'gemini-cli-oauth'], {}), /not supported: this proxy serves Kiro only; use --model-provider kiro-api/);
  assert.throws(() => parseCli([], { MODEL_PROVIDER: 'openai-custom' }), /kiro-api/);
});

test('the seed creds env vars still feed --creds-file / --creds-base64 (the aliases add no env of their own)', () => {
  const o = parseCli([], { KIRO_OAUTH_CREDS_FILE: '/a.json', KIRO_OAUTH_CREDS_BASE64: 'eyJ9' });
  assert.deepEqual([o.config.credsFile, o.config.credsBase64], ['/a.json', 'eyJ9']);
  assert.equal(parseCli(['--kiro-oauth-creds-file', '/b.json'], { KIRO_OAUTH_CREDS_FILE: '/a.json' }).config.credsFile, '/b.json');
});

test('--provider-pools-file and --fallback-model, with their env vars', () => {
  assert.equal(parseCli(['--provider-pools-file', 'configs/provider_pools.json'], {}).config.providerPoolsFile, 'configs/provider_pools.json');
  assert.equal(parseCli([], { KIRO_PROXY_PROVIDER_POOLS_FILE: '/p.json' }).config.providerPoolsFile, '/p.json');
  assert.equal(parseCli([], {}).config.fallbackModel, undefined);
  assert.equal(parseCli(['--fallback-model', 'claude-sonnet-4.5'], {}).config.fallbackModel, 'claude-sonnet-4.5');
  assert.equal(parseCli([], { KIRO_PROXY_FALLBACK_MODEL: 'claude-haiku-4.5' }).config.fallbackModel, 'claude-haiku-4.5');
});

test('--help documents all of them', () => {
  const help = usage();
  for (const flag of [
    '--model-provider',
    'MODEL_PROVIDER',
    '--kiro-oauth-creds-file',
    '--kiro-oauth-creds-base64',
    '--provider-pools-file',
    'KIRO_PROXY_PROVIDER_POOLS_FILE',
    '--fallback-model',
  ]) {
    assert.ok(help.includes(flag), `--help lacks ${flag}`);
  }
});
