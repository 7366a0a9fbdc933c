// Anthropic error shape: {"type":"error","error":{"type","message"}}, before or inside a stream.
import type { ErrorKind, ProxyError } from '../../errors.ts';

const ERROR_TYPE: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  request_too_large: 'request_too_large',
  rate_limit: 'rate_limit_error',
  overloaded: 'overloaded_error',
  unavailable: 'api_error',
  timeout: 'timeout_error',
  upstream: 'api_error',
  internal: 'api_error',
};

export function anthropicErrorBody(err: ProxyError): { type: 'error'; error: { type: string; message: string } } {
  return { type: 'error', error: { type: ERROR_TYPE[err.kind], message: err.message } };
}

/**
 * Anthropic signals overload with 529, and Claude Code retries on it; every other kind keeps
 * the status the error carries.
 */
export function renderAnthropicError(err: ProxyError): { status: number; body: unknown; headers?: Record<string, string> } {
  const status = err.kind === 'overloaded' && err.status === 503 ? 529 : err.status;
  const out: { status: number; body: unknown; headers?: Record<string, string> } = { status, body: anthropicErrorBody(err) };
  if (err.retryAfterSeconds !== undefined) out.headers = { 'retry-after': String(Math.max(0, Math.ceil(err.retryAfterSeconds))) };
  return out;
}
