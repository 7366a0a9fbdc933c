import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ENDPOINTS } from './kiro/types.ts';
import type { ProxyConfig } from './proxy-types.ts';

const DEFAULT_PORT = 8080;
const DEFAULT_HOST = '127.0.0.1';

/** The defaults of design-contracts.md §3, overridable per host (CLI flags/env, VS Code settings, tests). */
export function defaultConfig(overrides: Partial<ProxyConfig> = {}): ProxyConfig {
  const home = homedir();
  return {
    port: DEFAULT_PORT,
    host: DEFAULT_HOST,
    apiKey: undefined,
    allowedHosts: [],
    corsOrigins: [],
    home: join(home, '.kiro-proxy'),
    ssoCache: join(home, '.aws', 'sso', 'cache'),
    credsFile: undefined,
    credsBase64: undefined,
    mock: false,
    endpoints: { ...DEFAULT_ENDPOINTS },
    endpointStyle: 'rest',
    region: 'us-east-1',
    selectionStrategy: 'least-used',
    cooldownSeconds: 300,
    accountConcurrency: 8,
    truncation: {
      errorRetry: true,
      autoTruncate: false,
      preEstimate: false,
      summarise: false,
      maxRequestBytes: 600_000,
    },
    modelMap: {},
    fallbackModel: undefined,
    logBodies: false,
    logFile: false,
    requestTimeoutMs: 600_000,
    firstTokenTimeoutMs: 90_000,
    // Under the common client idle timeouts (15-30 s) with room for a slow network.
    keepAliveMs: 10_000,
    maxConnections: 64,
    maxBodyBytes: 32 * 1024 * 1024,
    cacheEnabled: false,
    cacheTtlSeconds: 300,
    cacheMaxEntries: 256,
    importSsoCacheOnStart: true,
    redisUrl: undefined,
    redisPrefix: 'kiro-proxy',
    ...overrides,
  };
}

