// The configuration schema (src/core/config/schema.ts) and what is derived from it: the defaults,
// the config.json subset, the admin patch, the CLI flags, env vars and --help, the VS Code settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, configShape, facts, valueSchema, type ConfigKey } from '../../../src/core/config/schema.ts';
import { ADMIN_KEYS, FILE_KEYS } from '../../../src/core/config/surfaces.ts';
import { CLI_FLAGS } from '../../../src/core/config/cli-flags.ts';
import { VSCODE_SETTINGS, type VscodeSetting } from '../../../src/core/config/vscode-settings.ts';
import { defaultConfig } from '../../../src/core/config.ts';
import { configPatchSchema } from '../../../src/core/admin/protocol.ts';
import { readSettingsFile } from '../../../src/core/settings-file.ts';
import { CliUsageError, parseCli, usage } from '../../../src/cli/args.ts';

const keys = Object.keys(configShape) as ConfigKey[];

test('defaultConfig() is the schema’s defaults plus the home and SSO cache paths, and passes the schema', () => {
  const d = defaultConfig();
  assert.equal(d.home, join(homedir(), '.kiro-proxy'));
  assert.equal(d.ssoCache, join(homedir(), '.aws', 'sso', 'cache'));
  assert.deepEqual(configSchema.parse(d), d);
  for (const key of keys) if (key !== 'providerPoolsFile') assert.ok(Object.hasOwn(d, key), `defaultConfig() lacks ${key}`);
  assert.equal(defaultConfig({ port: 1 }).port, 1);
  // Fresh objects on every call: a host mutating its config must not change the next one's defaults.
  const a = defaultConfig();
  a.truncation.autoTruncate = true;
  a.allowedHosts.push('x');
  a.endpoints.runtime = 'http://x';
  assert.deepEqual(defaultConfig(), d);
});

test('the design §3 contract: flag, env and default of every CLI flag it names', () => {
  const d = defaultConfig();
  const contract: [flag: string, env: string | undefined, value: unknown][] = [
    ['--port', 'KIRO_PROXY_PORT', d.port === 8080],
    ['--host', 'KIRO_PROXY_HOST', d.host === '127.0.0.1'],
    ['--api-key', 'KIRO_PROXY_API_KEY', d.apiKey === undefined],
    ['--home', 'KIRO_PROXY_HOME', d.home.endsWith('.kiro-proxy')],
    ['--sso-cache', 'KIRO_SSO_CACHE', d.ssoCache.endsWith(join('.aws', 'sso', 'cache'))],
    ['--creds-file', 'KIRO_OAUTH_CREDS_FILE', d.credsFile === undefined],
    ['--creds-base64', 'KIRO_OAUTH_CREDS_BASE64', d.credsBase64 === undefined],
    ['--mock', 'KIRO_MOCK_MODE', d.mock === false],
    ['--kiro-endpoint', 'KIRO_API_ENDPOINT', d.endpoints.runtime === 'https://q.{region}.amazonaws.com'],
    ['--kiro-auth-endpoint', 'KIRO_AUTH_ENDPOINT', d.endpoints.auth === 'https://prod.us-east-1.auth.desktop.kiro.dev'],
    ['--kiro-oidc-endpoint', 'KIRO_OIDC_ENDPOINT', d.endpoints.oidc === 'https://oidc.{region}.amazonaws.com'],
    ['--api-key-file', 'KIRO_PROXY_API_KEY_FILE', true],
    ['--model-provider', 'MODEL_PROVIDER', true],
    ['--kiro-oauth-creds-file', undefined, true],
    ['--kiro-oauth-creds-base64', undefined, true],
    ['--redis-url', 'KIRO_PROXY_REDIS_URL', d.redisUrl === undefined],
  ];
  for (const [flag, env, defaultHolds] of contract) {
    const row = CLI_FLAGS.find((f) => f.flag === flag);
    assert.ok(row, `${flag} is missing`);
    assert.equal(row.env, env, `${flag}'s env`);
    assert.equal(defaultHolds, true, `${flag}'s default`);
  }
});

test('the CLI table: every field it names is in the schema; flags and env vars are unique; all in --help', () => {
  const help = usage();
  const flags = new Set<string>();
  const envs = new Set<string>();
  for (const f of CLI_FLAGS) {
    if (f.key) assert.ok(Object.hasOwn(configShape, f.key.split('.')[0]!), `${f.flag}: ${f.key}`);
    assert.ok(!flags.has(f.flag), f.flag);
    flags.add(f.flag);
    if (f.env) {
      assert.ok(!envs.has(f.env), f.env);
      envs.add(f.env);
    }
    assert.ok(help.includes(f.flag) && (!f.env || help.includes(`[${f.env}]`)), `--help lacks ${f.flag}`);
  }
  assert.match(help, /Environment only: KIRO_PROXY_STATE_KEY \(team mode\)/);
  assert.match(help, /--cooldown <value> +cooldown after throttling, seconds \(default 300\)/, 'defaults come from the schema');
  assert.match(help, /--request-timeout <value> +overall upstream request timeout, seconds \(default 600; 0 = none\)/, 'in the flag’s unit');
});

test('the CLI checks each value against the schema’s bounds, in the flag’s unit', () => {
  const ok = (argv: string[]) => parseCli(argv, {}).config;
  const refused = (argv: string[], message: RegExp) =>
    assert.throws(
      () => parseCli(argv, {}),
      (e) => e instanceof CliUsageError && message.test(e.message),
    );
  assert.equal(ok(['--cooldown', '86400']).cooldownSeconds, 86_400);
  refused(['--cooldown', '86401'], /--cooldown must be 0\.\.86400, got 86401/);
  assert.equal(ok(['--request-timeout', '3600']).requestTimeoutMs, 3_600_000);
  refused(['--request-timeout', '3601'], /--request-timeout must be 0\.\.3600/);
  assert.equal(ok(['--max-body-mb', '2']).maxBodyBytes, 2 * 1024 * 1024);
  assert.equal(ok(['--account-concurrency', '1024']).accountConcurrency, 1024);
  refused(['--account-concurrency', '1025'], /0\.\.1024/);
  refused(['--max-request-bytes', '9999'], /--max-request-bytes must be 10000\.\.50000000/);
  refused(['--strategy', 'random'], /--strategy must be one of least-used, round-robin, most-quota, got "random"/);
  assert.throws(() => parseCli([], { KIRO_PROXY_COOLDOWN_SECONDS: '100000' }), /KIRO_PROXY_COOLDOWN_SECONDS must be 0\.\.86400/);
});

test('redisUrl and redisPrefix: flag, env, validation', () => {
  assert.equal(parseCli(['--redis-url', ' redis://r:6379 '], {}).config.redisUrl, 'redis://r:6379');
  assert.equal(parseCli([], { KIRO_PROXY_REDIS_URL: 'rediss://r' }).config.redisUrl, 'rediss://r');
  assert.equal(parseCli(['--redis-url', ''], {}).config.redisUrl, undefined);
  assert.throws(() => parseCli(['--redis-url', 'http://r'], {}), /--redis-url must start with redis:\/\/ or rediss:\/\//);
  assert.throws(
    () => parseCli(['--redis-url', 'http://user:s3cret@r'], {}),
    (e) => e instanceof CliUsageError && !e.message.includes('s3cret') && e.message.includes('//***@r'),
  );
  assert.equal(parseCli([], { KIRO_PROXY_REDIS_PREFIX: 'team-a' }).config.redisPrefix, 'team-a');
  assert.throws(() => parseCli(['--redis-prefix', 'a b'], {}), /--redis-prefix must be 1-64 characters/);
});

test('config.json: its keys are schema fields, checked with the schema’s bounds', async (t) => {
  for (const k of FILE_KEYS) assert.ok(Object.hasOwn(configShape, k), k);
  const home = mkdtempSync(join(tmpdir(), 'kp-schema-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  writeFileSync(join(home, 'config.json'), JSON.stringify({ settings: { cooldownSeconds: 86_401, accountConcurrency: 1024, requestTimeoutMs: 3_600_001 } }));
  const read = await readSettingsFile(home);
  assert.deepEqual(read.settings, { accountConcurrency: 1024 });
  assert.equal(read.problems.length, 2);
  assert.match(read.problems[0]!, /settings\.cooldownSeconds: must be an integer from 0 to 86400/);
});

test('the admin patch: the ADMIN_KEYS fields with exactly the schema’s bounds, never a network field', () => {
  const shape = configPatchSchema._zod.def.shape;
  for (const k of ADMIN_KEYS) assert.deepEqual(facts(shape[k]), { ...facts(valueSchema(k)), optional: true }, k);
  for (const k of ['port', 'host', 'apiKey', 'corsOrigins', 'allowedHosts', 'home', 'redisUrl']) assert.ok(!Object.hasOwn(shape, k), k);
  assert.equal(configPatchSchema.safeParse({ accountConcurrency: 1024, cooldownSeconds: 86_400 }).success, true);
  assert.equal(configPatchSchema.safeParse({ accountConcurrency: 1025 }).success, false);
  assert.equal(configPatchSchema.safeParse({ maxRequestBytes: 9_999 }).success, false);
});

test('the VS Code table: each setting names a schema field (or none) and reuses its schema where it is the field’s value', () => {
  for (const [name, s] of Object.entries(VSCODE_SETTINGS as Record<string, VscodeSetting>)) {
    if (s.key) assert.ok(Object.hasOwn(configShape, s.key), `${name}: ${s.key}`);
  }
  assert.equal(VSCODE_SETTINGS.cooldownSeconds.schema, configShape.cooldownSeconds);
  assert.equal(facts(VSCODE_SETTINGS.maxRequestBytes.schema).max, 50_000_000);
});

test("the README's Options table names real flags with their env vars and the schema's defaults", () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf('## Options'), readme.indexOf('\n## ', readme.indexOf('## Options') + 1));
  const help = usage();
  let rows = 0;
  for (const m of table.matchAll(/^\| `(--[a-z0-9-]+)[^|]*\| `?([A-Z0-9_]+)[^|]*\| ([^|]*)\|$/gm)) {
    const [, flag, env, dflt] = m as unknown as [string, string, string, string];
    const row = CLI_FLAGS.find((f) => f.flag === flag);
    assert.ok(row, `README names ${flag}, which the CLI does not have`);
    if (env !== 'as') assert.equal(row.env, env, `${flag}'s env in the README`);
    // A plain number in the README is the default --help shows (from the schema).
    const n = /^(\d+)\b/.exec(dflt.trim())?.[1];
    if (n !== undefined)
      assert.ok(help.includes(`${flag} <value>`) && new RegExp(`${flag} <value> +[^\\n]*\\(default ${n}\\b`).test(help), `${flag}: README says ${n}`);
    rows++;
  }
  assert.ok(rows > 10, `read ${rows} rows of the README's Options table`);
});
