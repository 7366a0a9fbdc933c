// The gate every request passes before routing, as a pure function of (method, url, headers).
// Order: request target → Host (DNS rebinding) → Origin (cross-site browsers) → API key. It
// returns a decision; the router renders a refusal in the caller's dialect via `guardError`
// (this one type is the only shape of a guard decision: router and proxy use it as is).
//
// Public routes (reachable without the API key; Host/Origin checks still apply):
//   GET|HEAD /health       liveness, also the probe other VS Code windows use
//   GET|HEAD /             landing / redirect, carries no data
//   GET|HEAD /dashboard, /dashboard/<asset>
//                          the static dashboard shell only: a browser navigation cannot attach
//                          an Authorization header, and the shell holds no data — everything it
//                          shows comes from /api/*, which needs the key. Set
//                          `dashboardShellPublic: false` to require the key here too.
//   OPTIONS preflights     browsers never send credentials on them (origin must be allowed)
// Everything else — /v1/*, /api/*, /metrics (it exposes account ids and quota),
// /loadbalancer/*, unknown paths — requires the key when one is configured.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ProxyError, type ErrorKind } from '../errors.ts';
import { isLoopbackHost, normaliseHostname } from './bind-policy.ts';

export interface GuardConfig {
  /** The host the server is bound to. */
  host: string;
  /** The port actually bound (after port 0 resolved). */
  port: number;
  apiKey: string | undefined;
  /** Extra names accepted in Host: `name` (any port) or `name:port`. */
  allowedHosts: readonly string[];
  /** Origins allowed cross-origin (`https://app.example`), or `*`. None by default. */
  corsOrigins: readonly string[];
  /** Default true; see the header comment. */
  dashboardShellPublic?: boolean;
}

export interface GuardRequest {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
}

type GuardCode = 'bad_request_target' | 'missing_host' | 'host_not_allowed' | 'origin_not_allowed' | 'missing_api_key' | 'invalid_api_key';

export type GuardDecision =
  | {
      ok: true;
      pathname: string;
      /** The route needs no API key. */
      isPublic: boolean;
      /** A CORS preflight the server answers with 204 + `headers`, without routing. */
      preflight: boolean;
      /** Add to the response (CORS headers for an allowed cross-origin caller; else empty). */
      headers: Record<string, string>;
    }
  | {
      ok: false;
      status: 400 | 401 | 403;
      kind: ErrorKind;
      code: GuardCode;
      message: string;
      pathname: string;
      /** Add to the error response (CORS for allowed origins, WWW-Authenticate on 401). */
      headers: Record<string, string>;
    };

const EXPOSED_HEADERS = 'Retry-After, X-Request-Id, Content-Type';
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~, -]{0,2000}$/;

export function checkRequest(req: GuardRequest, config: GuardConfig): GuardDecision {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = req.url ?? '';
  // Origin-form only: an absolute-form target (`GET http://evil/ …`) would let the URL's
  // authority disagree with the Host we validate.
  if (!url.startsWith('/') && !(method === 'OPTIONS' && url === '*')) {
    return deny(400, 'invalid_request', 'bad_request_target', 'The request target must be a path starting with "/".', url, {});
  }
  const pathname = url.split(/[?#]/, 1)[0] ?? '/';

  const hostHeader = header(req.headers, 'host');
  if (!hostHeader) return deny(400, 'invalid_request', 'missing_host', 'The Host header is required.', pathname, {});
  if (!isHostAllowed(hostHeader, config)) {
    return deny(
      403,
      'permission',
      'host_not_allowed',
      `Host "${clip(hostHeader)}" is not allowed. Connect via 127.0.0.1:${config.port} or localhost:${config.port}, or add the name to allowedHosts.`,
      pathname,
      {},
    );
  }

  const origin = header(req.headers, 'origin');
  let cors: Record<string, string> = {};
  if (origin !== undefined) {
    const verdict = checkOrigin(origin, hostHeader, config);
    if (verdict === 'denied') {
      return deny(403, 'permission', 'origin_not_allowed', `Origin "${clip(origin)}" is not allowed to call this proxy.`, pathname, {});
    }
    if (verdict === 'cors') cors = { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED_HEADERS, Vary: 'Origin' };
  }

  if (method === 'OPTIONS' && origin !== undefined && header(req.headers, 'access-control-request-method') !== undefined) {
    const headers = { ...cors };
    if (cors['Access-Control-Allow-Origin']) {
      headers['Access-Control-Allow-Methods'] = ALLOWED_METHODS;
      const asked = header(req.headers, 'access-control-request-headers');
      if (asked && HEADER_LIST.test(asked)) headers['Access-Control-Allow-Headers'] = asked;
      headers['Access-Control-Max-Age'] = '600';
    }
    return { ok: true, pathname, isPublic: true, preflight: true, headers };
  }

  const isPublic = isPublicRoute(method, pathname, config.dashboardShellPublic ?? true);
  const key = config.apiKey;
  if (!isPublic && key !== undefined && key !== '') {
    const presented = presentedKeys(req.headers);
    const authHeaders = { ...cors, 'WWW-Authenticate': 'Bearer realm="kiro-proxy"' };
    if (presented.length === 0) {
      return deny(
        401,
        'authentication',
        'missing_api_key',
        'This proxy requires an API key: send "Authorization: Bearer <key>" or "x-api-key: <key>".',
        pathname,
        authHeaders,
      );
    }
    if (!presented.some((p) => keysEqual(p, key))) {
      return deny(401, 'authentication', 'invalid_api_key', 'Invalid API key.', pathname, authHeaders);
    }
  }
  return { ok: true, pathname, isPublic, preflight: false, headers: cors };
}

/** The failure as the core's error type, so each dialect renders it in its own shape. */
export function guardError(decision: Extract<GuardDecision, { ok: false }>): ProxyError {
  return new ProxyError(decision.kind, decision.message, { status: decision.status, code: decision.code });
}

export function isPublicRoute(method: string, pathname: string, dashboardShellPublic = true): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (pathname === '/health' || pathname === '/') return true;
  if (!dashboardShellPublic) return false;
  if (pathname === '/dashboard' || pathname === '/dashboard/') return true;
  // Asset paths only; anything that could climb out of the dashboard stays protected.
  return pathname.startsWith('/dashboard/') && !/(^|\/)\.\.?(\/|$)|%2e|%2f|%5c|\\/i.test(pathname);
}

/** Host header → hostname + port (undefined when absent), or undefined if malformed. */
function parseHostHeader(value: string): { hostname: string; port: number | undefined } | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s/@]+)(?::(\d{1,5}))?$/.exec(value.trim());
  if (!m) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && port > 65535) return undefined;
  return { hostname: normaliseHostname(m[1]!), port };
}

function isHostAllowed(hostHeader: string, config: GuardConfig): boolean {
  const parsed = parseHostHeader(hostHeader);
  if (!parsed) return false;
  const port = parsed.port ?? 80;
  // Loopback literals and "localhost" cannot be re-pointed by an attacker's DNS; but the port
  // must be ours, or a page on another local port could reach us by name.
  if (isLoopbackHost(parsed.hostname)) return port === config.port;
  const bound = normaliseHostname(config.host);
  if (bound !== '' && bound !== '0.0.0.0' && bound !== '::' && parsed.hostname === bound) return port === config.port;
  for (const entry of config.allowedHosts) {
    const allowed = parseHostHeader(entry);
    if (!allowed || allowed.hostname !== parsed.hostname) continue;
    if (allowed.port === undefined || allowed.port === port) return true;
  }
  return false;
}

function checkOrigin(origin: string, hostHeader: string, config: GuardConfig): 'same' | 'cors' | 'denied' {
  const listed = (o: string) => config.corsOrigins.some((c) => c === '*' || normaliseOrigin(c) === o);
  // Sandboxed iframes and file:// pages send "null"; only an explicit entry lets them in.
  if (origin === 'null') return config.corsOrigins.includes('null') ? 'cors' : 'denied';
  const o = normaliseOrigin(origin);
  if (o === undefined) return 'denied';
  const u = new URL(o);
  const port = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
  // Our own dashboard: same scheme, host and port as the (already validated) Host header, or a
  // loopback name for our port (the dashboard opened as localhost while calling 127.0.0.1).
  if (u.protocol === 'http:' && (u.host === hostHeader.trim().toLowerCase() || (isLoopbackHost(u.hostname) && port === config.port))) return 'same';
  return listed(o) ? 'cors' : 'denied';
}

function normaliseOrigin(origin: string): string | undefined {
  try {
    const u = new URL(origin);
    if (u.origin === 'null') return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

function presentedKeys(headers: IncomingHttpHeaders): string[] {
  const out: string[] = [];
  const auth = header(headers, 'authorization');
  const m = auth ? /^Bearer\s+(.+)$/i.exec(auth.trim()) : null;
  if (m?.[1]) out.push(m[1].trim());
  const xKey = header(headers, 'x-api-key');
  if (xKey) out.push(xKey.trim());
  return out;
}

/** Constant-time: hashing first makes the comparison independent of length and content. */
function keysEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function clip(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 100 ? clean.slice(0, 100) + '…' : clean;
}

function deny(status: 400 | 401 | 403, kind: ErrorKind, code: GuardCode, message: string, pathname: string, headers: Record<string, string>): GuardDecision {
  return { ok: false, status, kind, code, message, pathname, headers };
}
