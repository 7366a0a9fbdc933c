// argv + env → ProxyConfig, exactly the contract of design-contracts.md §3 (every flag has an env var;
// flags win over env). Pure: no I/O, so it is unit-tested directly.
import { defaultConfig } from '../core/config.ts';
import type { ProxyConfig, SelectionStrategy } from '../core/proxy-types.ts';

export interface CliOptions {
  config: ProxyConfig;
  help: boolean;
  version: boolean;
  logLevel: 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** True when --mock/KIRO_MOCK_MODE was given explicitly (vs. chosen because no credentials exist). */
  mockExplicit: boolean;
  /** Top-level config keys set by a flag or env var (they win over KIRO_PROXY_HOME/config.json). */
  explicit: Set<string>;
  /** --api-key-file / KIRO_PROXY_API_KEY_FILE: main reads the key from it (api-key-file.ts). */
  apiKeyFile?: string;
  /** The key was given as `--api-key K` in argv, where `ps` shows it (main warns once). */
  apiKeyInArgv?: boolean;
}

/** A view of `config` that records which top-level keys a flag wrote (nested writes included). */
function recording(config: ProxyConfig, explicit: Set<string>): ProxyConfig {
  return new Proxy(config, {
    set(target, key, value) {
      explicit.add(String(key));
      (target as unknown as Record<string | symbol, unknown>)[key] = value;
      return true;
    },
    get(target, key) {
      const v = (target as unknown as Record<string | symbol, unknown>)[key];
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        return new Proxy(v, {
          set(inner, k, value) {
            explicit.add(String(key));
            (inner as Record<string | symbol, unknown>)[k] = value;
            return true;
          },
        });
      }
      return v;
    },
  });
}

export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

interface FlagSpec {
  flag: string;
  env?: string;
  kind: 'string' | 'int' | 'bool' | 'list';
  help: string;
  apply(c: ProxyConfig, v: string | number | boolean | string[], o: CliOptions): void;
}

const truthy = (v: string) => ['1', 'true', 'yes', 'on'].includes(v.trim().toLowerCase());

const FLAGS: FlagSpec[] = [
  { flag: '--port', env: 'KIRO_PROXY_PORT', kind: 'int', help: 'port to listen on (0 = any free port)', apply: (c, v) => (c.port = v as number) },
  { flag: '--host', env: 'KIRO_PROXY_HOST', kind: 'string', help: 'address to bind; non-loopback needs --api-key and --allow-host', apply: (c, v) => (c.host = v as string) },
  {
    flag: '--api-key',
    env: 'KIRO_PROXY_API_KEY',
    kind: 'string',
    help: 'require `Authorization: Bearer K` or `x-api-key: K` (visible in ps: prefer --api-key-file or the env var)',
    apply: (c, v, o) => {
      c.apiKey = (v as string) || undefined;
      delete o.apiKeyFile;
    },
  },
  {
    flag: '--api-key-file',
    env: 'KIRO_PROXY_API_KEY_FILE',
    kind: 'string',
    help: 'the API key read from this file (one line; keep it chmod 600)',
    apply: (c, v, o) => {
      c.apiKey = undefined;
      if (v) o.apiKeyFile = v as string;
      else delete o.apiKeyFile;
    },
  },
  { flag: '--home', env: 'KIRO_PROXY_HOME', kind: 'string', help: 'state directory (config.json, accounts, logs)', apply: (c, v) => (c.home = v as string) },
  { flag: '--sso-cache', env: 'KIRO_SSO_CACHE', kind: 'string', help: 'where Kiro IDE writes kiro-auth-token.json', apply: (c, v) => (c.ssoCache = v as string) },
  { flag: '--creds-file', env: 'KIRO_OAUTH_CREDS_FILE', kind: 'string', help: 'JSON credential file (one object or an array)', apply: (c, v) => (c.credsFile = (v as string) || undefined) },
  { flag: '--creds-base64', env: 'KIRO_OAUTH_CREDS_BASE64', kind: 'string', help: 'the same JSON, base64-encoded', apply: (c, v) => (c.credsBase64 = (v as string) || undefined) },
  // Seed 004's spellings (the Go AI Proxy's command line): aliases, so their env is the one above.
  { flag: '--kiro-oauth-creds-file', kind: 'string', help: 'same as --creds-file (seed 004 name)', apply: (c, v) => (c.credsFile = (v as string) || undefined) },
  { flag: '--kiro-oauth-creds-base64', kind: 'string', help: 'same as --creds-base64 (seed 004 name)', apply: (c, v) => (c.credsBase64 = (v as string) || undefined) },
  {
    flag: '--provider-pools-file',
    env: 'KIRO_PROXY_PROVIDER_POOLS_FILE',
    kind: 'string',
    help: 'provider_pools.json: one entry per Kiro account under "claude-kiro-oauth" (a creds file path or inline creds)',
    apply: (c, v) => (c.providerPoolsFile = (v as string) || undefined),
  },
  {
    flag: '--model-provider',
    env: 'MODEL_PROVIDER',
    kind: 'string',
    help: 'seed 004 flag: kiro-api (the only provider; accepted and ignored)',
    apply: (_c, v) => checkModelProvider(v as string),
  },
  {
    flag: '--mock',
    env: 'KIRO_MOCK_MODE',
    kind: 'bool',
    help: 'built-in simulated Kiro upstream, no credentials needed',
    apply: (c, v, o) => {
      c.mock = v as boolean;
      o.mockExplicit = true;
    },
  },
  { flag: '--kiro-endpoint', env: 'KIRO_API_ENDPOINT', kind: 'string', help: 'Kiro runtime base URL ({region} is substituted)', apply: (c, v) => (c.endpoints.runtime = v as string) },
  { flag: '--kiro-auth-endpoint', env: 'KIRO_AUTH_ENDPOINT', kind: 'string', help: 'Kiro social auth base URL', apply: (c, v) => (c.endpoints.auth = v as string) },
  { flag: '--kiro-oidc-endpoint', env: 'KIRO_OIDC_ENDPOINT', kind: 'string', help: 'AWS SSO OIDC base URL ({region} is substituted)', apply: (c, v) => (c.endpoints.oidc = v as string) },
  {
    flag: '--endpoint-style',
    env: 'KIRO_ENDPOINT_STYLE',
    kind: 'string',
    help: 'rest (POST /generateAssistantResponse) or awsjson (POST / + x-amz-target)',
    apply: (c, v) => {
      if (v !== 'rest' && v !== 'awsjson') throw new CliUsageError(`--endpoint-style must be rest or awsjson, got "${String(v)}"`);
      c.endpointStyle = v;
    },
  },
  { flag: '--region', env: 'KIRO_REGION', kind: 'string', help: 'default API region (us-east-1)', apply: (c, v) => (c.region = v as string) },
  { flag: '--allow-host', env: 'KIRO_PROXY_ALLOWED_HOSTS', kind: 'list', help: 'extra Host names allowed (comma-separated)', apply: (c, v) => (c.allowedHosts = v as string[]) },
  { flag: '--cors-origin', env: 'KIRO_PROXY_CORS_ORIGINS', kind: 'list', help: 'browser origins allowed by CORS (comma-separated)', apply: (c, v) => (c.corsOrigins = v as string[]) },
  {
    flag: '--strategy',
    env: 'KIRO_PROXY_STRATEGY',
    kind: 'string',
    help: 'account selection: least-used, round-robin, most-quota',
    apply: (c, v) => {
      if (!['least-used', 'round-robin', 'most-quota'].includes(v as string)) {
        throw new CliUsageError(`--strategy must be least-used, round-robin or most-quota, got "${String(v)}"`);
      }
      c.selectionStrategy = v as SelectionStrategy;
    },
  },
  { flag: '--cooldown', env: 'KIRO_PROXY_COOLDOWN_SECONDS', kind: 'int', help: 'cooldown after throttling, seconds (300)', apply: (c, v) => (c.cooldownSeconds = v as number) },
  { flag: '--request-timeout', env: 'KIRO_PROXY_REQUEST_TIMEOUT', kind: 'int', help: 'overall upstream request timeout, seconds (600; 0 = none)', apply: (c, v) => (c.requestTimeoutMs = (v as number) * 1000) },
  { flag: '--first-token-timeout', env: 'KIRO_PROXY_FIRST_TOKEN_TIMEOUT', kind: 'int', help: 'time to the first upstream event before failing over, seconds (90)', apply: (c, v) => (c.firstTokenTimeoutMs = (v as number) * 1000) },
  { flag: '--keepalive', env: 'KIRO_PROXY_KEEPALIVE', kind: 'int', help: 'quiet seconds before a streamed answer gets a keepalive, also while waiting for the first token (10; 0 = off)', apply: (c, v) => (c.keepAliveMs = (v as number) * 1000) },
  {
    flag: '--account-concurrency',
    env: 'KIRO_PROXY_ACCOUNT_CONCURRENCY',
    kind: 'int',
    help: 'requests in flight per account (8; 0 = unlimited)',
    apply: (c, v) => (c.accountConcurrency = v as number),
  },
  { flag: '--max-connections', env: 'KIRO_PROXY_MAX_CONNECTIONS', kind: 'int', help: 'upstream connection pool size (64)', apply: (c, v) => (c.maxConnections = v as number) },
  { flag: '--max-body-mb', env: 'KIRO_PROXY_MAX_BODY_MB', kind: 'int', help: 'largest accepted request body, MiB (32)', apply: (c, v) => (c.maxBodyBytes = (v as number) * 1024 * 1024) },
  { flag: '--cache-enabled', env: 'KIRO_PROXY_CACHE_ENABLED', kind: 'bool', help: 'exact-match response cache (off)', apply: (c, v) => (c.cacheEnabled = v as boolean) },
  { flag: '--cache-ttl', env: 'KIRO_PROXY_CACHE_TTL', kind: 'int', help: 'response cache TTL, seconds (300)', apply: (c, v) => (c.cacheTtlSeconds = v as number) },
  {
    flag: '--truncation',
    env: 'KIRO_PROXY_TRUNCATION',
    kind: 'list',
    help: 'long conversations, combinable: on-error (default), auto, pre-estimate, summarise; or off',
    apply: (c, v) => (c.truncation = { ...c.truncation, ...truncationFlags(v as string[]) }),
  },
  { flag: '--max-request-bytes', env: 'KIRO_PROXY_MAX_REQUEST_BYTES', kind: 'int', help: 'size budget of --truncation auto, bytes (600000)', apply: (c, v) => (c.truncation = { ...c.truncation, maxRequestBytes: v as number }) },
  {
    flag: '--fallback-model',
    env: 'KIRO_PROXY_FALLBACK_MODEL',
    kind: 'string',
    help: 'model serving names the proxy cannot place (default: none, they get 404 model_not_found)',
    apply: (c, v) => (c.fallbackModel = (v as string) || undefined),
  },
  { flag: '--log-bodies', env: 'KIRO_PROXY_LOG_BODIES', kind: 'bool', help: 'keep prompt/response bodies in the request log (off)', apply: (c, v) => (c.logBodies = v as boolean) },
  { flag: '--log-file', env: 'KIRO_PROXY_LOG_FILE', kind: 'bool', help: 'also write the request log as JSONL in the home dir (off)', apply: (c, v) => (c.logFile = v as boolean) },
  {
    flag: '--no-sso-import',
    env: 'KIRO_PROXY_NO_SSO_IMPORT',
    kind: 'bool',
    help: 'do not import token files from the SSO cache on start',
    apply: (c, v) => (c.importSsoCacheOnStart = !(v as boolean)),
  },
  {
    flag: '--redis-url',
    env: 'KIRO_PROXY_REDIS_URL',
    kind: 'string',
    help: 'team mode: share the account pool through this Redis (redis://host:6379 or rediss://); needs KIRO_PROXY_STATE_KEY',
    apply: (c, v) => {
      const url = (v as string).trim();
      if (url && !/^rediss?:\/\//i.test(url)) throw new CliUsageError(`--redis-url must start with redis:// or rediss://, got "${url.replace(/\/\/[^/@]*@/, '//***@')}"`);
      c.redisUrl = url || undefined;
    },
  },
  {
    flag: '--redis-prefix',
    env: 'KIRO_PROXY_REDIS_PREFIX',
    kind: 'string',
    help: 'key namespace in Redis, so several teams can share one server (kiro-proxy)',
    apply: (c, v) => {
      const prefix = (v as string).trim();
      if (!/^[A-Za-z0-9._:-]{1,64}$/.test(prefix)) throw new CliUsageError(`--redis-prefix must be 1-64 characters of A-Z a-z 0-9 . _ : -, got "${prefix}"`);
      c.redisPrefix = prefix;
    },
  },
];

/** Seed 004 (and AIClient-2-API) users name the provider; this proxy serves Kiro only. */
const KIRO_PROVIDER_NAMES = ['kiro-api', 'claude-kiro-oauth', 'kiro'];

function checkModelProvider(value: string): void {
  const v = value.trim().toLowerCase();
  if (v === '' || KIRO_PROVIDER_NAMES.includes(v)) return;
  throw new CliUsageError(`--model-provider "${value}" is not supported: this proxy serves Kiro only; use --model-provider kiro-api (or leave it out)`);
}

const TRUNCATION_NAMES = { 'on-error': 'errorRetry', auto: 'autoTruncate', 'pre-estimate': 'preEstimate', summarise: 'summarise' } as const;

/** `--truncation auto,summarise`: exactly the named strategies on (`off`: none). */
function truncationFlags(names: string[]): Pick<ProxyConfig['truncation'], 'errorRetry' | 'autoTruncate' | 'preEstimate' | 'summarise'> {
  const out = { errorRetry: false, autoTruncate: false, preEstimate: false, summarise: false };
  for (const n of names) {
    if (n === 'off') continue;
    const key = TRUNCATION_NAMES[n as keyof typeof TRUNCATION_NAMES];
    if (!key) throw new CliUsageError(`--truncation takes on-error, auto, pre-estimate, summarise or off, got "${n}"`);
    out[key] = true;
  }
  return out;
}

const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;

function convert(spec: FlagSpec, raw: string, from: string): string | number | boolean | string[] {
  switch (spec.kind) {
    case 'string':
      return raw;
    case 'bool':
      return truthy(raw);
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'int': {
      if (!/^\d+$/.test(raw.trim())) throw new CliUsageError(`${from} must be a non-negative integer, got "${raw}"`);
      const n = Number(raw);
      if (spec.flag === '--port' && n > 65535) throw new CliUsageError(`${from} must be 0..65535, got ${n}`);
      return n;
    }
  }
}

export function parseCli(argv: string[], env: Record<string, string | undefined>): CliOptions {
  const config = defaultConfig();
  const explicit = new Set<string>();
  const opts: CliOptions = { config, help: false, version: false, logLevel: 'info', mockExplicit: false, explicit };
  const target = recording(config, explicit);
  if (env['KIRO_PROXY_API_KEY'] && env['KIRO_PROXY_API_KEY_FILE']) {
    throw new CliUsageError('KIRO_PROXY_API_KEY and KIRO_PROXY_API_KEY_FILE are both set; keep one');
  }
  for (const spec of FLAGS) {
    const v = spec.env ? env[spec.env] : undefined;
    if (v !== undefined && v !== '') spec.apply(target, convert(spec, v, spec.env!), opts);
  }
  const envLevel = env['KIRO_PROXY_LOG_LEVEL'];
  if (envLevel) opts.logLevel = checkLevel(envLevel, 'KIRO_PROXY_LOG_LEVEL');

  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === '--help' || arg === '-h') {
      opts.help = true;
      continue;
    }
    if (arg === '--version' || arg === '-v') {
      opts.version = true;
      continue;
    }
    if (arg === '--verbose') {
      opts.logLevel = 'debug';
      continue;
    }
    if (arg === '--log-level') {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new CliUsageError('--log-level needs a value');
      opts.logLevel = checkLevel(v, '--log-level');
      continue;
    }
    const spec = FLAGS.find((f) => f.flag === arg);
    if (!spec) throw new CliUsageError(`unknown option "${arg}" (see --help)`);
    if (spec.flag === '--api-key' || spec.flag === '--api-key-file') {
      const other = spec.flag === '--api-key' ? '--api-key-file' : '--api-key';
      if (argv.some((a) => a === other || a.startsWith(`${other}=`))) throw new CliUsageError('give either --api-key or --api-key-file, not both');
      opts.apiKeyInArgv = spec.flag === '--api-key';
    }
    let raw: string;
    if (spec.kind === 'bool') raw = inline ?? 'true';
    else {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new CliUsageError(`${arg} needs a value`);
      raw = v;
    }
    spec.apply(target, convert(spec, raw, arg), opts);
  }
  return opts;
}

function checkLevel(v: string, from: string): CliOptions['logLevel'] {
  const l = v.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(l)) throw new CliUsageError(`${from} must be one of ${LOG_LEVELS.join(', ')}`);
  return l as CliOptions['logLevel'];
}

export function usage(): string {
  const rows = FLAGS.map((f) => {
    const left = `  ${f.flag}${f.kind === 'bool' ? '' : ' <value>'}`;
    return `${left.padEnd(32)} ${f.help}${f.env ? `  [${f.env}]` : ''}`;
  });
  return [
    'kiro-proxy — a local OpenAI- and Anthropic-compatible proxy for your Kiro accounts',
    '',
    'Usage: kiro-proxy [options]',
    '       kiro-proxy login google|github|builder-id|idc [--start-url URL --region R] [options]',
    '',
    ...rows,
    `  ${'--log-level <level>'.padEnd(30)} error, warn, info (default), debug, trace  [KIRO_PROXY_LOG_LEVEL]`,
    `  ${'--verbose'.padEnd(30)} same as --log-level debug`,
    '  --help, --version',
    '',
    'Without credentials (SSO cache, --creds-file, --creds-base64, --provider-pools-file) it starts with the built-in mock upstream.',
  ].join('\n');
}
