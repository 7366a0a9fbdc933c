// The single HTTP exchange every refresh protocol shares: POST, bounded by a timeout and the
// caller's signal, body always consumed, failures turned into RefreshError without secrets.
import type { Dispatcher } from 'undici';
import { request } from '../../kiro/undici.ts';
import { redactSecrets } from '../../kiro/redact.ts';
import { RefreshError, classifyRefreshFailure } from './refresh-error.ts';

export interface RefreshHttpOptions {
  /** undici dispatcher (proxy agent, mock agent); the global one by default. */
  dispatcher?: Dispatcher;
  /** Whole exchange, connect to last body byte. Default 30 s. */
  timeoutMs?: number;
  /** Clock for computing `expiresAt`; Date.now by default. */
  now?: () => number;
  /** 64-hex id for the social user agent; derived from the credential when absent. */
  machineId?: string;
  kiroVersion?: string;
}

export interface TokenPost {
  /** For messages: "social", "IdC", "OAuth". */
  protocol: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Strings that must never appear in an error message. */
  secrets: readonly (string | undefined)[];
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_DETAIL = 200;

/** Returns the parsed 2xx JSON body, or throws RefreshError (or the caller's abort reason). */
export async function postForToken(post: TokenPost, signal: AbortSignal, options: RefreshHttpOptions): Promise<unknown> {
  signal.throwIfAborted();
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    let status: number;
    let headerType: string | undefined;
    let text: string;
    try {
      const res = await request(post.url, {
        method: 'POST',
        headers: post.headers,
        body: post.body,
        signal: AbortSignal.any([signal, timeout.signal]),
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      });
      status = res.statusCode;
      const t = res.headers['x-amzn-errortype'];
      headerType = Array.isArray(t) ? t[0] : t;
      text = await res.body.text();
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (timeout.signal.aborted) {
        throw new RefreshError(`${post.protocol} token refresh timed out`, { code: 'timeout', permanent: false, cause: err });
      }
      const code = (err as { code?: string }).code;
      throw new RefreshError(`${post.protocol} token refresh failed: network error${code ? ` (${code})` : ''}`, {
        code: 'network',
        permanent: false,
        cause: err,
      });
    }
    const json = tryJson(text);
    if (status >= 200 && status < 300) {
      if (json === undefined) {
        throw new RefreshError(`${post.protocol} token refresh failed: HTTP ${status} with a non-JSON body`, {
          code: 'invalid_response',
          permanent: false,
          status,
        });
      }
      return json;
    }
    const detail = errorDetail(json, text, headerType);
    const { code, permanent } = classifyRefreshFailure(status, detail);
    const shown = redactSecrets(detail, post.secrets).slice(0, MAX_DETAIL);
    throw new RefreshError(`${post.protocol} token refresh failed: HTTP ${status} ${code}${shown ? ` (${shown})` : ''}`, { code, permanent, status });
  } finally {
    clearTimeout(timer);
  }
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The error names and descriptions servers use, joined, for classification and display. */
function errorDetail(json: unknown, text: string, headerType: string | undefined): string {
  const parts: string[] = [];
  if (headerType) parts.push(headerType.split(':')[0]!);
  if (json && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    for (const key of ['__type', 'error', 'code', 'error_description', 'message', 'Message']) {
      const v = o[key];
      if (typeof v === 'string' && v && !parts.includes(v)) parts.push(key === '__type' ? v.split('#').pop()! : v);
    }
  } else if (text.trim()) {
    parts.push(text.trim().slice(0, MAX_DETAIL));
  }
  return parts.join(': ');
}
