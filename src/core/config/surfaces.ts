// Which configuration fields each surface shows, beside the schema (schema.ts) that declares them.
// The CLI flags are in cli-flags.ts, the VS Code settings in vscode-settings.ts.
import type { ConfigKey } from './schema.ts';

/**
 * KIRO_PROXY_HOME/config.json "settings" (settings-file.ts): behaviour settings a headless user
 * changes in the dashboard or by hand. Never network binding, endpoints, credentials or the API key.
 */
export const FILE_KEYS = [
  'selectionStrategy',
  'cooldownSeconds',
  'accountConcurrency',
  'truncation',
  'modelMap',
  'fallbackModel',
  'logBodies',
  'logFile',
  'cacheEnabled',
  'cacheTtlSeconds',
  'cacheMaxEntries',
  'requestTimeoutMs',
  'firstTokenTimeoutMs',
  'keepAliveMs',
] as const satisfies readonly ConfigKey[];

/**
 * Fields the dashboard's `config.update` may set as they are (admin/protocol.ts). It also has three
 * views: `truncationStrategy` (the truncation switches), `maxRequestBytes` (truncation.maxRequestBytes)
 * and `fallbackModel` ('' = none). Network settings (host, port, API key, CORS) are deliberately
 * absent: a page must never be able to rebind the proxy or drop its authentication.
 */
export const ADMIN_KEYS = [
  'selectionStrategy',
  'cooldownSeconds',
  'accountConcurrency',
  'modelMap',
  'logBodies',
  'requestTimeoutMs',
  'firstTokenTimeoutMs',
  'cacheEnabled',
] as const satisfies readonly ConfigKey[];
