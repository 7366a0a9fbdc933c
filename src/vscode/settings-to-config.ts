// kiroProxy.* settings (+ the documented env overrides) → the core's ProxyConfig. Pure: no vscode.
import { join } from 'node:path';
import { homedir } from 'node:os';
import type { ProxyConfig } from '../core/proxy-types.ts';
import { truncationSwitches } from '../core/admin/truncation-strategy.ts';
import { configShape, facts, valueSchema } from '../core/config/schema.ts';
import { VSCODE_SETTINGS, type KiroSettings, type VscodeSetting, type VscodeSettingName } from '../core/config/vscode-settings.ts';

export type { KiroSettings } from '../core/config/vscode-settings.ts';

const NAMES = Object.keys(VSCODE_SETTINGS) as VscodeSettingName[];

/** Every setting's default, from the schema (core/config/vscode-settings.ts). */
export const SETTING_DEFAULTS: KiroSettings = Object.fromEntries(NAMES.map((n) => [n, facts(VSCODE_SETTINGS[n].schema).default])) as KiroSettings;

/** Reads each setting through `get`, falling back to the default for a missing, ill-typed or out-of-bounds value. */
export function readKiroSettings(get: (key: keyof KiroSettings) => unknown): KiroSettings {
  const out: Record<string, unknown> = {};
  for (const name of NAMES) {
    const raw = get(name);
    const value = typeof raw === 'string' ? raw.trim() : name === 'modelMapping' ? validEntries(raw) : raw;
    const { schema }: VscodeSetting = VSCODE_SETTINGS[name];
    const parsed = schema.safeParse(value);
    out[name] = parsed.success ? parsed.data : facts(schema).default;
  }
  return out as KiroSettings;
}

/** A mapping keeps its valid entries (one bad line must not drop the others). */
function validEntries(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const entry = VSCODE_SETTINGS.modelMapping.schema;
  return Object.fromEntries(Object.entries(raw as Record<string, unknown>).filter(([from, to]) => entry.safeParse({ [from]: to }).success));
}

export interface HostEnv {
  /** KIRO_PROXY_HOME, KIRO_SSO_CACHE, KIRO_MOCK_MODE (the same env the headless proxy reads). */
  env: Record<string, string | undefined>;
  /** The extension's global storage folder: the default state home inside VS Code. */
  globalStorage: string;
  apiKey: string | undefined;
}

/** Settings that are not their field's own value; every other setting with a `key` is copied ('' = none). */
const VIEWS = new Set<VscodeSettingName>([
  'requireApiKey',
  'truncationStrategy',
  'maxRequestBytes',
  'modelMapping',
  'ssoCachePath',
  'mockMode',
  'importSsoCache',
  'redisUrl',
]);

/** The config fields the settings decide; everything else stays at the core's defaults. */
export function settingsToConfig(s: KiroSettings, defaults: ProxyConfig, host: HostEnv): ProxyConfig {
  const env = host.env;
  const out: Record<string, unknown> = { ...defaults };
  for (const name of NAMES) {
    const { key }: VscodeSetting = VSCODE_SETTINGS[name];
    if (key === undefined || VIEWS.has(name)) continue;
    const value = s[name];
    out[key] = value === '' && facts(configShape[key]).optional ? undefined : value;
  }
  return {
    ...(out as ProxyConfig),
    apiKey: s.requireApiKey ? host.apiKey : undefined,
    home: env['KIRO_PROXY_HOME'] || host.globalStorage,
    ssoCache: expandHome(s.ssoCachePath) || env['KIRO_SSO_CACHE'] || defaults.ssoCache || join(homedir(), '.aws', 'sso', 'cache'),
    mock: s.mockMode || env['KIRO_MOCK_MODE'] === 'true' || env['KIRO_MOCK_MODE'] === '1',
    truncation: {
      ...defaults.truncation,
      ...truncationSwitches(s.truncationStrategy),
      ...(s.maxRequestBytes !== undefined ? { maxRequestBytes: s.maxRequestBytes } : {}),
    },
    modelMap: { ...defaults.modelMap, ...s.modelMapping },
    importSsoCacheOnStart: s.importSsoCache === 'always',
    // Team mode: the setting, else the env the headless proxy reads (checked as the CLI checks it).
    redisUrl: s.redisUrl || fromEnv('redisUrl', env['KIRO_PROXY_REDIS_URL']) || undefined,
    redisPrefix: fromEnv('redisPrefix', env['KIRO_PROXY_REDIS_PREFIX']) ?? defaults.redisPrefix,
  };
}

/** The fields of `next` that differ from `prev` (shallow, JSON-compared). */
export function configDiff(prev: ProxyConfig, next: ProxyConfig): Partial<ProxyConfig> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(next) as (keyof ProxyConfig)[]) {
    if (JSON.stringify(prev[key]) !== JSON.stringify(next[key])) out[key] = next[key];
  }
  return out;
}

/** An env value the schema accepts for `key`, trimmed; else undefined. */
function fromEnv(key: 'redisUrl' | 'redisPrefix', raw: string | undefined): string | undefined {
  const v = raw?.trim();
  return v && valueSchema(key).safeParse(v).success ? v : undefined;
}

function expandHome(p: string): string {
  if (p === '~') return homedir();
  if (p.startsWith('~/')) return join(homedir(), p.slice(2));
  return p;
}
