import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configDiff, readKiroSettings, settingsToConfig, SETTING_DEFAULTS } from '../../../src/vscode/settings-to-config.ts';
import { defaultConfig } from '../../../src/core/config.ts';

const host = (env: Record<string, string> = {}, apiKey: string | undefined = 'kp-k') => ({ env, globalStorage: '/gs', apiKey });

test('missing or ill-typed settings fall back to the defaults', () => {
  const s = readKiroSettings((k) => ({ port: 'eighty', host: '  ', cooldownSeconds: -5, truncationStrategy: 'yolo', modelMapping: ['x'] })[k as string]);
  assert.deepEqual(s, SETTING_DEFAULTS);
});

test('defaults match the core defaults where both exist', () => {
  const core = defaultConfig();
  const cfg = settingsToConfig(SETTING_DEFAULTS, core, host());
  assert.equal(cfg.port, core.port);
  assert.equal(cfg.host, core.host);
  assert.equal(cfg.cooldownSeconds, core.cooldownSeconds);
  assert.deepEqual(cfg.truncation, core.truncation);
  assert.equal(cfg.selectionStrategy, core.selectionStrategy);
});

test('the API key is used only when required; state lives in globalStorage unless KIRO_PROXY_HOME', () => {
  const on = settingsToConfig(SETTING_DEFAULTS, defaultConfig(), host());
  assert.equal(on.apiKey, 'kp-k');
  assert.equal(on.home, '/gs');
  const off = settingsToConfig({ ...SETTING_DEFAULTS, requireApiKey: false }, defaultConfig(), host({ KIRO_PROXY_HOME: '/h' }));
  assert.equal(off.apiKey, undefined);
  assert.equal(off.home, '/h');
});

test('env overrides for the SSO cache and mock mode (the e2e suite relies on them)', () => {
  const cfg = settingsToConfig(SETTING_DEFAULTS, defaultConfig(), host({ KIRO_SSO_CACHE: '/sso', KIRO_MOCK_MODE: 'true' }));
  assert.equal(cfg.ssoCache, '/sso');
  assert.equal(cfg.mock, true);
  const explicit = settingsToConfig({ ...SETTING_DEFAULTS, ssoCachePath: '/mine' }, defaultConfig(), host({ KIRO_SSO_CACHE: '/sso' }));
  assert.equal(explicit.ssoCache, '/mine');
});

test('the editor asks before importing the SSO cache unless told "always"', () => {
  assert.equal(settingsToConfig(SETTING_DEFAULTS, defaultConfig(), host()).importSsoCacheOnStart, false);
  assert.equal(settingsToConfig({ ...SETTING_DEFAULTS, importSsoCache: 'always' }, defaultConfig(), host()).importSsoCacheOnStart, true);
});

test('configDiff returns only changed fields', () => {
  const a = settingsToConfig(SETTING_DEFAULTS, defaultConfig(), host());
  const b = settingsToConfig({ ...SETTING_DEFAULTS, port: 9999, truncationStrategy: 'auto' }, defaultConfig(), host());
  assert.deepEqual(Object.keys(configDiff(a, b)).sort(), ['port', 'truncation']);
  assert.deepEqual(configDiff(a, a), {});
});

test('kiroProxy.redisUrl turns team mode on; empty falls back to KIRO_PROXY_REDIS_URL; a non-Redis URL is ignored', () => {
  const none = settingsToConfig(SETTING_DEFAULTS, defaultConfig(), host());
  assert.equal(none.redisUrl, undefined);
  const set = settingsToConfig(
    readKiroSettings((k) => (k === 'redisUrl' ? ' redis://r:6379 ' : undefined)),
    defaultConfig(),
    host(),
  );
  assert.equal(set.redisUrl, 'redis://r:6379');
  const env = settingsToConfig(SETTING_DEFAULTS, defaultConfig(), host({ KIRO_PROXY_REDIS_URL: 'rediss://:pw@r:6380', KIRO_PROXY_REDIS_PREFIX: 'team-a' }));
  assert.equal(env.redisUrl, 'rediss://:pw@r:6380');
  assert.equal(env.redisPrefix, 'team-a');
  const bad = settingsToConfig(
    readKiroSettings((k) => (k === 'redisUrl' ? 'http://r:6379' : undefined)),
    defaultConfig(),
    host(),
  );
  assert.equal(bad.redisUrl, undefined);
});
