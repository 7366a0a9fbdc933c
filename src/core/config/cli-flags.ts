// The headless CLI's face of the schema (design §3, a CONTRACT: flag and env names never change).
// One row per flag, in --help order. The value's type, bounds, choices and default come from the
// schema (schema.ts); a row says only how the CLI names and explains it. cli/args.ts derives the
// parser, the env reading and --help from this table; the few flags that do more than set one
// field (marked `special`) have their behaviour there.
// Pure data, no node imports.
import type { ConfigKey, ProxyConfig } from './schema.ts';

/** A top-level field, or one inside `truncation` / `endpoints`. */
export type ConfigPath = ConfigKey | `truncation.${keyof ProxyConfig['truncation']}` | `endpoints.${keyof ProxyConfig['endpoints']}`;

export interface CliFlag {
  flag: string;
  /** Every flag has an env var, except seed 004's aliases (their env is the original's). */
  env?: string;
  /** The field the flag sets; none for the `special` flags that set no single field. */
  key?: ConfigPath;
  help: string;
  /** Flag units per field unit's: seconds → ms is 1000, MiB → bytes is 1048576. */
  scale?: number;
  /** Shown after the default in --help, e.g. "0 = none". */
  note?: string;
  /** --help's default when the schema's would mislead (host-specific paths), or false for none. */
  shownDefault?: string | false;
  /** A boolean flag that turns its field off (--no-sso-import). */
  invert?: true;
  /** Spaces around the value are dropped (values pasted from a config). */
  trim?: true;
  /** Parsed by cli/args.ts's own code; `kind` is then the flag's shape. */
  special?: 'string' | 'bool' | 'list';
}

const SECONDS = 1000;

export const CLI_FLAGS: readonly CliFlag[] = [
  { flag: '--port', env: 'KIRO_PROXY_PORT', key: 'port', help: 'port to listen on', note: '0 = any free port' },
  { flag: '--host', env: 'KIRO_PROXY_HOST', key: 'host', help: 'address to bind; non-loopback needs --api-key and --allow-host' },
  {
    flag: '--api-key',
    env: 'KIRO_PROXY_API_KEY',
    special: 'string',
    help: 'require `Authorization: Bearer K` or `x-api-key: K` (visible in ps: prefer --api-key-file or the env var)',
  },
  { flag: '--api-key-file', env: 'KIRO_PROXY_API_KEY_FILE', special: 'string', help: 'the API key read from this file (one line; keep it chmod 600)' },
  { flag: '--home', env: 'KIRO_PROXY_HOME', key: 'home', help: 'state directory (config.json, accounts, logs)', shownDefault: '~/.kiro-proxy' },
  { flag: '--sso-cache', env: 'KIRO_SSO_CACHE', key: 'ssoCache', help: 'where Kiro IDE writes kiro-auth-token.json', shownDefault: '~/.aws/sso/cache' },
  { flag: '--creds-file', env: 'KIRO_OAUTH_CREDS_FILE', key: 'credsFile', help: 'JSON credential file (one object or an array)' },
  { flag: '--creds-base64', env: 'KIRO_OAUTH_CREDS_BASE64', key: 'credsBase64', help: 'the same JSON, base64-encoded' },
  // Seed 004's spellings (the Go AI Proxy's command line): aliases, so their env is the one above.
  { flag: '--kiro-oauth-creds-file', key: 'credsFile', help: 'same as --creds-file (seed 004 name)' },
  { flag: '--kiro-oauth-creds-base64', key: 'credsBase64', help: 'same as --creds-base64 (seed 004 name)' },
  {
    flag: '--provider-pools-file',
    env: 'KIRO_PROXY_PROVIDER_POOLS_FILE',
    key: 'providerPoolsFile',
    help: 'provider_pools.json: one entry per Kiro account under "claude-kiro-oauth" (a creds file path or inline creds)',
  },
  { flag: '--model-provider', env: 'MODEL_PROVIDER', special: 'string', help: 'seed 004 flag: kiro-api (the only provider; accepted and ignored)' },
  { flag: '--mock', env: 'KIRO_MOCK_MODE', key: 'mock', special: 'bool', help: 'built-in simulated Kiro upstream, no credentials needed' },
  { flag: '--kiro-endpoint', env: 'KIRO_API_ENDPOINT', key: 'endpoints.runtime', help: 'Kiro runtime base URL ({region} is substituted)' },
  { flag: '--kiro-auth-endpoint', env: 'KIRO_AUTH_ENDPOINT', key: 'endpoints.auth', help: 'Kiro social auth base URL' },
  { flag: '--kiro-oidc-endpoint', env: 'KIRO_OIDC_ENDPOINT', key: 'endpoints.oidc', help: 'AWS SSO OIDC base URL ({region} is substituted)' },
  {
    flag: '--endpoint-style',
    env: 'KIRO_ENDPOINT_STYLE',
    key: 'endpointStyle',
    help: 'rest (POST /generateAssistantResponse) or awsjson (POST / + x-amz-target)',
  },
  { flag: '--region', env: 'KIRO_REGION', key: 'region', help: 'default API region' },
  { flag: '--allow-host', env: 'KIRO_PROXY_ALLOWED_HOSTS', key: 'allowedHosts', help: 'extra Host names allowed (comma-separated)', shownDefault: false },
  { flag: '--cors-origin', env: 'KIRO_PROXY_CORS_ORIGINS', key: 'corsOrigins', help: 'browser origins allowed by CORS (comma-separated)', shownDefault: false },
  { flag: '--strategy', env: 'KIRO_PROXY_STRATEGY', key: 'selectionStrategy', help: 'account selection: least-used, round-robin, most-quota' },
  { flag: '--cooldown', env: 'KIRO_PROXY_COOLDOWN_SECONDS', key: 'cooldownSeconds', help: 'cooldown after throttling, seconds' },
  {
    flag: '--request-timeout',
    env: 'KIRO_PROXY_REQUEST_TIMEOUT',
    key: 'requestTimeoutMs',
    scale: SECONDS,
    help: 'overall upstream request timeout, seconds',
    note: '0 = none',
  },
  {
    flag: '--first-token-timeout',
    env: 'KIRO_PROXY_FIRST_TOKEN_TIMEOUT',
    key: 'firstTokenTimeoutMs',
    scale: SECONDS,
    help: 'time to the first upstream event before failing over, seconds',
  },
  {
    flag: '--keepalive',
    env: 'KIRO_PROXY_KEEPALIVE',
    key: 'keepAliveMs',
    scale: SECONDS,
    help: 'quiet seconds before a streamed answer gets a keepalive, also while waiting for the first token',
    note: '0 = off',
  },
  {
    flag: '--account-concurrency',
    env: 'KIRO_PROXY_ACCOUNT_CONCURRENCY',
    key: 'accountConcurrency',
    help: 'requests in flight per account',
    note: '0 = unlimited',
  },
  { flag: '--max-connections', env: 'KIRO_PROXY_MAX_CONNECTIONS', key: 'maxConnections', help: 'upstream connection pool size' },
  { flag: '--max-body-mb', env: 'KIRO_PROXY_MAX_BODY_MB', key: 'maxBodyBytes', scale: 1024 * 1024, help: 'largest accepted request body, MiB' },
  { flag: '--cache-enabled', env: 'KIRO_PROXY_CACHE_ENABLED', key: 'cacheEnabled', help: 'exact-match response cache' },
  { flag: '--cache-ttl', env: 'KIRO_PROXY_CACHE_TTL', key: 'cacheTtlSeconds', help: 'response cache TTL, seconds' },
  {
    flag: '--truncation',
    env: 'KIRO_PROXY_TRUNCATION',
    key: 'truncation',
    special: 'list',
    help: 'long conversations, combinable: on-error (default), auto, pre-estimate, summarise; or off',
  },
  { flag: '--max-request-bytes', env: 'KIRO_PROXY_MAX_REQUEST_BYTES', key: 'truncation.maxRequestBytes', help: 'size budget of --truncation auto, bytes' },
  {
    flag: '--fallback-model',
    env: 'KIRO_PROXY_FALLBACK_MODEL',
    key: 'fallbackModel',
    help: 'model serving names the proxy cannot place',
    shownDefault: 'none',
    note: 'such names get 404 model_not_found',
  },
  { flag: '--log-bodies', env: 'KIRO_PROXY_LOG_BODIES', key: 'logBodies', help: 'keep prompt/response bodies in the request log' },
  { flag: '--log-file', env: 'KIRO_PROXY_LOG_FILE', key: 'logFile', help: 'also write the request log as JSONL in the home dir' },
  {
    flag: '--no-sso-import',
    env: 'KIRO_PROXY_NO_SSO_IMPORT',
    key: 'importSsoCacheOnStart',
    invert: true,
    help: 'do not import token files from the SSO cache on start',
    shownDefault: false,
  },
  {
    flag: '--redis-url',
    env: 'KIRO_PROXY_REDIS_URL',
    key: 'redisUrl',
    trim: true,
    help: 'team mode: share the account pool through this Redis (redis://host:6379 or rediss://); needs KIRO_PROXY_STATE_KEY',
  },
  {
    flag: '--redis-prefix',
    env: 'KIRO_PROXY_REDIS_PREFIX',
    key: 'redisPrefix',
    trim: true,
    help: 'key namespace in Redis, so several teams can share one server',
  },
];

/** Read by the proxy from the environment only (never a flag: a secret must not show in `ps`). */
export const ENV_ONLY: readonly { env: string; help: string }[] = [{ env: 'KIRO_PROXY_STATE_KEY', help: 'team mode' }];
