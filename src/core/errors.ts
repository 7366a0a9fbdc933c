// One error type crosses the core: every failure a client can see is a ProxyError with a
// dialect-neutral kind; each dialect renders it in its own shape and status.

export type ErrorKind =
  | 'invalid_request' // 400: the client's request is wrong or cannot be made acceptable
  | 'authentication' // 401: missing/bad proxy API key
  | 'permission' // 403
  | 'not_found' // 404
  | 'request_too_large' // 413
  | 'rate_limit' // 429: every account throttled / cooling down
  | 'overloaded' // 503/529: upstream capacity
  | 'unavailable' // 503: no account can serve (expired, disabled…)
  | 'timeout' // 504
  | 'upstream' // 502: upstream failed in a way we cannot fix
  | 'internal'; // 500

const DEFAULT_STATUS: Record<ErrorKind, number> = {
  invalid_request: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  request_too_large: 413,
  rate_limit: 429,
  overloaded: 503,
  unavailable: 503,
  timeout: 504,
  upstream: 502,
  internal: 500,
};

export interface ProxyErrorOptions {
  status?: number;
  /** Stable machine code, e.g. `CONTENT_LENGTH_EXCEEDS_THRESHOLD`, `n_unsupported`. */
  code?: string;
  /** The offending request field, for OpenAI's `param`. */
  param?: string;
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class ProxyError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  readonly code: string | undefined;
  readonly param: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: ErrorKind, message: string, options: ProxyErrorOptions = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'ProxyError';
    this.kind = kind;
    this.status = options.status ?? DEFAULT_STATUS[kind];
    this.code = options.code;
    this.param = options.param;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const invalidRequest = (message: string, options: ProxyErrorOptions = {}) => new ProxyError('invalid_request', message, options);

/** Any thrown value as a ProxyError; unknown errors become `internal` without leaking details. */
export function toProxyError(err: unknown): ProxyError {
  if (err instanceof ProxyError) return err;
  if (err instanceof Error && err.name === 'AbortError') return new ProxyError('timeout', 'the request was aborted', { cause: err });
  return new ProxyError('internal', 'internal proxy error', { cause: err });
}
