// The one declaration of the proxy's configuration: every field's type, bounds and default.
// Everything else is derived from it: the `ProxyConfig` type, `defaultConfig()` (config.ts), the
// config.json subset (settings-file.ts), the admin patch (admin/protocol.ts), the CLI flag table
// and --help (cli-flags.ts, cli/args.ts) and the VS Code settings (vscode-settings.ts).
// Adding a setting: docs/adding-a-setting.md.
// Browser-safe (the dashboard bundle validates admin patches with it): zod/mini, no node imports.
import * as z from 'zod/mini';
import { DEFAULT_ENDPOINTS } from '../kiro/types.ts';

export const SELECTION_STRATEGIES = ['least-used', 'round-robin', 'most-quota'] as const;
const ENDPOINT_STYLES = ['rest', 'awsjson'] as const;

// Each check names its bound: the zod/mini the dashboard loads has no message locale, and the same
// words then read well in --help errors, config.json problems and admin errors.
const int = (min: number, max: number) => {
  const error = `must be an integer from ${min} to ${max}`;
  return z.int({ error }).check(z.minimum(min, { error }), z.maximum(max, { error }));
};
const text = (min: number, max: number) => {
  const error = min > 0 ? `must be a string of ${min} to ${max} characters` : `must be a string of at most ${max} characters`;
  return z.string({ error }).check(z.minLength(min, { error }), z.maxLength(max, { error }));
};
const bool = (value: boolean) => z._default(z.boolean({ error: 'must be true or false' }), value);
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(', ')}` });
const MIB = 1024 * 1024;
/** Upstream timeouts: at most an hour. */
const timeoutMs = int(0, 3_600_000);
const modelName = text(1, 200);

/** The truncation switches and budget (conversation/truncate-strategies.ts). */
export const truncationShape = {
  /** On CONTENT_LENGTH_EXCEEDS_THRESHOLD drop oldest whole turns and retry (default on). */
  errorRetry: bool(true),
  /** Keep requests under `maxRequestBytes` before sending. */
  autoTruncate: bool(false),
  /** Estimate tokens and pre-truncate above the model's context window. */
  preEstimate: bool(false),
  /** Replace dropped turns by a short summary (opt-in). */
  summarise: bool(false),
  maxRequestBytes: z._default(int(10_000, 50_000_000), 600_000),
  /** Kiro model that writes the summaries (default claude-haiku-4.5). */
  summaryModel: z.optional(modelName),
};

/** Every Kiro base URL is configurable (design §3) so tests can point at loopback. */
export const endpointsShape = {
  runtime: z._default(z.string(), DEFAULT_ENDPOINTS.runtime),
  auth: z._default(z.string(), DEFAULT_ENDPOINTS.auth),
  oidc: z._default(z.string(), DEFAULT_ENDPOINTS.oidc),
};

export const configShape = {
  /** 0 = any free port. */
  port: z._default(int(0, 65_535), 8080),
  host: z._default(text(1, 255), '127.0.0.1'),
  apiKey: z.optional(z.string()),
  /** Extra hosts allowed in the Host header / for non-loopback binds. */
  allowedHosts: z._default(z.array(z.string()), () => []),
  /** Origins allowed for CORS (none by default). */
  corsOrigins: z._default(z.array(z.string()), () => []),
  /** State directory; the default (~/.kiro-proxy) is host-specific: config.ts. */
  home: z.string(),
  /** Where Kiro IDE writes kiro-auth-token.json; the default (~/.aws/sso/cache) is host-specific: config.ts. */
  ssoCache: z.string(),
  credsFile: z.optional(z.string()),
  credsBase64: z.optional(z.string()),
  /** seed 004's provider_pools.json: one entry per Kiro account (accounts/credentials/provider-pools.ts). */
  providerPoolsFile: z.optional(z.string()),
  mock: bool(false),
  endpoints: z.prefault(z.object(endpointsShape), {}),
  endpointStyle: z._default(oneOf(ENDPOINT_STYLES), 'rest'),
  region: z._default(text(1, 64), 'us-east-1'),
  selectionStrategy: z._default(oneOf(SELECTION_STRATEGIES), 'least-used'),
  /** Rest after throttling, seconds. */
  cooldownSeconds: z._default(int(0, 86_400), 300),
  /** Per-account concurrent upstream requests; 0 = unlimited. */
  accountConcurrency: z._default(int(0, 1024), 8),
  truncation: z.prefault(z.object(truncationShape), {}),
  /** Client model name → Kiro model id, on top of the built-in mapping. */
  modelMap: z._default(z.record(modelName, modelName), () => ({})),
  /** What serves a model name in no known family; unset: such names get 404 model_not_found. */
  fallbackModel: z.optional(text(0, 200)),
  logBodies: bool(false),
  logFile: bool(false),
  /** 0 = no limit. */
  requestTimeoutMs: z._default(timeoutMs, 600_000),
  firstTokenTimeoutMs: z._default(timeoutMs, 90_000),
  /**
   * A streamed answer with nothing to send for this long gets the dialect's keepalive (headers
   * first if needed); 0 = off. Under the common client idle timeouts (15-30 s).
   */
  keepAliveMs: z._default(timeoutMs, 10_000),
  /** Upstream connections per origin. */
  maxConnections: z._default(int(0, 4096), 64),
  /** Largest accepted request body. */
  maxBodyBytes: z._default(int(0, 1024 * MIB), 32 * MIB),
  cacheEnabled: bool(false),
  cacheTtlSeconds: z._default(int(0, 604_800), 300),
  cacheMaxEntries: z._default(int(0, 100_000), 256),
  /** Import every token found in the SSO cache on start (headless default; the editor asks). */
  importSsoCacheOnStart: bool(true),
  /** Team mode: pool state shared through this Redis (`redis://` or `rediss://`); none = in-process pool. */
  redisUrl: z.optional(z.string().check(z.regex(/^rediss?:\/\//i, 'must start with redis:// or rediss://'))),
  /** Key namespace in Redis, so several teams can share one server. */
  redisPrefix: z._default(z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ : -')), 'kiro-proxy'),
};

export const configSchema = z.object(configShape);
export type ProxyConfig = z.output<typeof configSchema>;
export type TruncationConfig = ProxyConfig['truncation'];
export type SelectionStrategy = ProxyConfig['selectionStrategy'];
export type ConfigKey = keyof ProxyConfig;

/** The defaults of every field but the host-specific paths (config.ts adds them). */
export function schemaDefaults(paths: Pick<ProxyConfig, 'home' | 'ssoCache'>): ProxyConfig {
  const parsed = configSchema.parse(paths);
  // Every key present, in schema order (unset optional ones as `undefined`), as hosts have always seen it;
  // providerPoolsFile stays absent (an optional field of the older interface).
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(configShape) as ConfigKey[]) if (key !== 'providerPoolsFile') out[key] = parsed[key];
  return out as ProxyConfig;
}

/** A schema without its default/optional wrapper. */
export type Inner<S> = S extends z.ZodMiniDefault<infer T> ? T : S extends z.ZodMiniOptional<infer T> ? T : S extends z.ZodMiniPrefault<infer T> ? T : S;
type Values<K extends ConfigKey> = { [P in K]: Inner<(typeof configShape)[P]> };

/** The schema of one value without its default/optional wrapper (what a patch or a flag is checked against). */
export function valueSchema<K extends ConfigKey>(key: K): Inner<(typeof configShape)[K]> {
  return unwrap(configShape[key]) as Inner<(typeof configShape)[K]>;
}

/** The value schemas of `keys`, as a shape for z.object. */
export function valueShape<K extends ConfigKey>(keys: readonly K[]): Values<K> {
  return Object.fromEntries(keys.map((k) => [k, valueSchema(k)])) as Values<K>;
}

export function unwrap<S extends z.ZodMiniType>(s: S): Inner<S> & z.ZodMiniType {
  let cur = s as unknown as { _zod: { def: { type: string; innerType?: z.ZodMiniType } } };
  while (cur._zod.def.innerType && ['default', 'prefault', 'optional'].includes(cur._zod.def.type)) {
    cur = cur._zod.def.innerType;
  }
  return cur as unknown as Inner<S> & z.ZodMiniType;
}

export interface ValueFacts {
  type: 'integer' | 'boolean' | 'string' | 'enum' | 'array' | 'record' | 'object';
  min?: number;
  max?: number;
  values?: readonly string[];
  default?: unknown;
  optional: boolean;
}

/** What a UI needs to know of a schema: its JSON type, bounds, choices and default. */
export function facts(s: z.ZodMiniType): ValueFacts {
  const d = (s as unknown as { _zod: { def: { type: string; defaultValue?: unknown } } })._zod.def;
  const optional = d.type === 'optional';
  const dflt = d.type === 'default' ? (typeof d.defaultValue === 'function' ? (d.defaultValue as () => unknown)() : d.defaultValue) : undefined;
  const inner = unwrap(s) as unknown as {
    _zod: { def: { type: string; checks?: { _zod: { def: Record<string, unknown> } }[]; entries?: Record<string, string> } };
  };
  const def = inner._zod.def;
  const out: ValueFacts = { type: 'string', optional, ...(dflt !== undefined ? { default: dflt } : {}) };
  if (def.type === 'number') out.type = 'integer';
  else if (def.type === 'boolean' || def.type === 'array' || def.type === 'record' || def.type === 'object') out.type = def.type;
  else if (def.type === 'enum') {
    out.type = 'enum';
    out.values = Object.values(def.entries ?? {});
  }
  for (const c of def.checks ?? []) {
    const cd = c._zod.def;
    if (cd['check'] === 'greater_than') out.min = cd['value'] as number;
    if (cd['check'] === 'less_than') out.max = cd['value'] as number;
    if (cd['check'] === 'min_length') out.min = cd['minimum'] as number;
    if (cd['check'] === 'max_length') out.max = cd['maximum'] as number;
  }
  return out;
}
