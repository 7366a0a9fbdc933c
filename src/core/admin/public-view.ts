// What of the proxy's state leaves through the admin API: config without secrets, logs without
// prompt bodies unless the user opted in.
import type { ProxyConfig, ProxyEvent, RequestLogEntry } from '../proxy-types.ts';
import type { PublicConfig } from './protocol.ts';
import { truncationStrategyOf } from './truncation-strategy.ts';
import { ADMIN_KEYS } from '../config/surfaces.ts';

export function publicConfig(c: ProxyConfig): PublicConfig {
  const admin = Object.fromEntries(ADMIN_KEYS.map((k) => [k, structuredClone(c[k])])) as Pick<ProxyConfig, (typeof ADMIN_KEYS)[number]>;
  return {
    port: c.port,
    host: c.host,
    apiKeyRequired: c.apiKey !== undefined && c.apiKey !== '',
    mock: c.mock,
    ssoCache: c.ssoCache,
    ...admin,
    truncationStrategy: truncationStrategyOf(c.truncation),
    maxRequestBytes: c.truncation.maxRequestBytes,
    fallbackModel: c.fallbackModel ?? '',
  };
}

/** Drops prompt/response bodies unless body logging is on (they may also be stale from before it was turned off). */
export function publicLogEntry(e: RequestLogEntry, logBodies: boolean): RequestLogEntry {
  if (logBodies || (e.requestBody === undefined && e.responseBody === undefined)) return e;
  const { requestBody: _req, responseBody: _res, ...rest } = e;
  return rest;
}

export function publicEvent(ev: ProxyEvent, logBodies: boolean): ProxyEvent {
  return ev.type === 'request' ? { type: 'request', entry: publicLogEntry(ev.entry, logBodies) } : ev;
}
