// kiroProxy.* settings (+ the documented env overrides) → the core's ProxyConfig. Pure: no vscode.
import { join } from 'node:path';
import { homedir } from 'node:os';
import type { ProxyConfig, SelectionStrategy } from '../core/proxy-types.ts';
import { TRUNCATION_STRATEGIES, truncationSwitches, type TruncationStrategy } from '../core/admin/truncation-strategy.ts';
import { SELECTION_STRATEGIES } from '../core/admin/protocol.ts';

export type ImportSsoCacheMode = 'ask' | 'always' | 'never';

/** The settings as the user wrote them (unknown shapes tolerated, defaults applied). */
export interface KiroSettings {
  port: number;
  host: string;
  autoStart: boolean;
  requireApiKey: boolean;
  truncationStrategy: TruncationStrategy;
  maxRequestBytes: number | undefined;
  modelMapping: Record<string, string>;
  fallbackModel: string;
  selectionStrategy: SelectionStrategy;
  cooldownSeconds: number;
  logBodies: boolean;
  mockMode: boolean;
  ssoCachePath: string;
  importSsoCache: ImportSsoCacheMode;
  /** Team mode's Redis URL ('' = none; a value that is not redis:// or rediss:// is ignored). */
  redisUrl: string;
}

export const SETTING_DEFAULTS: KiroSettings = {
  port: 8080,
  host: '127.0.0.1',
  autoStart: false,
  requireApiKey: true,
  truncationStrategy: 'on-error',
  maxRequestBytes: undefined,
  modelMapping: {},
  fallbackModel: '',
  selectionStrategy: 'least-used',
  cooldownSeconds: 300,
  logBodies: false,
  mockMode: false,
  ssoCachePath: '',
  importSsoCache: 'ask',
  redisUrl: '',
};

/** Reads each setting through `get`, falling back to the default for a missing or ill-typed value. */
export function readKiroSettings(get: (key: keyof KiroSettings) => unknown): KiroSettings {
  const num = (k: keyof KiroSettings, d: number, min: number, max: number) => {
    const v = get(k);
    return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : d;
  };
  const bool = (k: keyof KiroSettings, d: boolean) => (typeof get(k) === 'boolean' ? (get(k) as boolean) : d);
  const str = (k: keyof KiroSettings, d: string) => (typeof get(k) === 'string' ? (get(k) as string).trim() : d);
  const oneOf = <T extends string>(k: keyof KiroSettings, values: readonly T[], d: T): T => (values.includes(get(k) as T) ? (get(k) as T) : d);
  const mapping = get('modelMapping');
  const modelMapping: Record<string, string> = {};
  if (mapping && typeof mapping === 'object' && !Array.isArray(mapping)) {
    for (const [from, to] of Object.entries(mapping)) if (typeof to === 'string' && from && to) modelMapping[from] = to;
  }
  const maxBytes = get('maxRequestBytes');
  return {
    port: num('port', SETTING_DEFAULTS.port, 0, 65535),
    host: str('host', SETTING_DEFAULTS.host) || SETTING_DEFAULTS.host,
    autoStart: bool('autoStart', false),
    requireApiKey: bool('requireApiKey', true),
    truncationStrategy: oneOf('truncationStrategy', TRUNCATION_STRATEGIES, SETTING_DEFAULTS.truncationStrategy),
    maxRequestBytes: typeof maxBytes === 'number' && maxBytes >= 10_000 ? Math.floor(maxBytes) : undefined,
    modelMapping,
    fallbackModel: str('fallbackModel', ''),
    selectionStrategy: oneOf('selectionStrategy', SELECTION_STRATEGIES, 'least-used'),
    cooldownSeconds: num('cooldownSeconds', SETTING_DEFAULTS.cooldownSeconds, 0, 86_400),
    logBodies: bool('logBodies', false),
    mockMode: bool('mockMode', false),
    ssoCachePath: str('ssoCachePath', ''),
    importSsoCache: oneOf('importSsoCache', ['ask', 'always', 'never'] as const, 'ask'),
    redisUrl: redisUrlOf(str('redisUrl', '')),
  };
}

export interface HostEnv {
  /** KIRO_PROXY_HOME, KIRO_SSO_CACHE, KIRO_MOCK_MODE (the same env the headless proxy reads). */
  env: Record<string, string | undefined>;
  /** The extension's global storage folder: the default state home inside VS Code. */
  globalStorage: string;
  apiKey: string | undefined;
}

/** The config fields the settings decide; everything else stays at the core's defaults. */
export function settingsToConfig(s: KiroSettings, defaults: ProxyConfig, host: HostEnv): ProxyConfig {
  const env = host.env;
  return {
    ...defaults,
    port: s.port,
    host: s.host,
    apiKey: s.requireApiKey ? host.apiKey : undefined,
    home: env['KIRO_PROXY_HOME'] || host.globalStorage,
    ssoCache: expandHome(s.ssoCachePath) || env['KIRO_SSO_CACHE'] || defaults.ssoCache || join(homedir(), '.aws', 'sso', 'cache'),
    mock: s.mockMode || env['KIRO_MOCK_MODE'] === 'true' || env['KIRO_MOCK_MODE'] === '1',
    selectionStrategy: s.selectionStrategy,
    cooldownSeconds: s.cooldownSeconds,
    truncation: {
      ...defaults.truncation,
      ...truncationSwitches(s.truncationStrategy),
      ...(s.maxRequestBytes !== undefined ? { maxRequestBytes: s.maxRequestBytes } : {}),
    },
    modelMap: { ...defaults.modelMap, ...s.modelMapping },
    fallbackModel: s.fallbackModel || undefined,
    logBodies: s.logBodies,
    importSsoCacheOnStart: s.importSsoCache === 'always',
    redisUrl: s.redisUrl || redisUrlOf(env['KIRO_PROXY_REDIS_URL']?.trim() ?? '') || undefined,
    ...(env['KIRO_PROXY_REDIS_PREFIX']?.trim() ? { redisPrefix: env['KIRO_PROXY_REDIS_PREFIX'].trim() } : {}),
  };
}

function redisUrlOf(v: string): string {
  return /^rediss?:\/\//i.test(v) ? v : '';
}

/** Fields whose change needs the listener rebound (the core restarts it in applyConfig). */
export const NETWORK_FIELDS = ['port', 'host', 'apiKey'] as const satisfies readonly (keyof ProxyConfig)[];

/** The fields of `next` that differ from `prev` (shallow, JSON-compared). */
export function configDiff(prev: ProxyConfig, next: ProxyConfig): Partial<ProxyConfig> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(next) as (keyof ProxyConfig)[]) {
    if (JSON.stringify(prev[key]) !== JSON.stringify(next[key])) out[key] = next[key];
  }
  return out;
}

function expandHome(p: string): string {
  if (p === '~') return homedir();
  if (p.startsWith('~/')) return join(homedir(), p.slice(2));
  return p;
}
