// What a client sees when Kiro failed and the pool gave up. Statuses are chosen for how the
// common clients react: 4xx for things retrying cannot fix, 429/503 with Retry-After for things
// time will fix, and never 401 for an upstream credential problem (401 means *our* API key to
// Claude Code & co., which would send the user to the wrong login screen).
import { ProxyError, type ErrorKind, type ProxyErrorOptions } from '../errors.ts';
import { redactSecrets } from './redact.ts';
import type { KiroUpstreamError, UpstreamErrorClass } from './types.ts';

interface Rendering {
  kind: ErrorKind;
  code: string;
  message: string;
  /** Used when Kiro sent no Retry-After. */
  defaultRetryAfter?: number;
  param?: string;
}

function render(cls: UpstreamErrorClass, kiroMessage: string, reason: string | undefined): Rendering {
  switch (cls) {
    case 'content_too_long':
      return {
        kind: 'invalid_request',
        code: 'CONTENT_LENGTH_EXCEEDS_THRESHOLD',
        message:
          'Input is too long for Kiro: the conversation exceeds the upstream request size limit. Compact or shorten the conversation (or enable a truncation strategy) and retry.',
      };
    case 'invalid_model':
      return {
        kind: 'invalid_request',
        code: 'INVALID_MODEL_ID',
        param: 'model',
        message: 'Kiro does not offer the requested model to this account (INVALID_MODEL_ID). Pick another model from GET /v1/models.',
      };
    case 'bad_request':
      return { kind: 'invalid_request', code: reason ?? 'KIRO_BAD_REQUEST', message: `Kiro rejected the request: ${kiroMessage}` };
    case 'profile_required':
      return {
        kind: 'upstream',
        code: 'PROFILE_ARN_REQUIRED',
        message: 'Kiro requires a profile ARN for this account and none was accepted. Re-login the account or set its profile ARN.',
      };
    case 'auth_invalid':
      return {
        kind: 'unavailable',
        code: 'KIRO_AUTH_INVALID',
        message: 'Kiro rejected the account credentials (expired or revoked token). Refresh or re-add the Kiro account.',
      };
    case 'suspended':
      return {
        kind: 'unavailable',
        code: 'TEMPORARILY_SUSPENDED',
        message: 'The Kiro account is temporarily suspended by AWS; it has been taken out of rotation.',
      };
    case 'feature_not_supported':
      return {
        kind: 'permission',
        code: 'FEATURE_NOT_SUPPORTED',
        message: `The Kiro account is not allowed to use this feature or model: ${kiroMessage}`,
      };
    case 'quota_exhausted':
      return {
        kind: 'rate_limit',
        code: 'MONTHLY_REQUEST_COUNT',
        message: 'The Kiro monthly usage limit is reached for every available account. Add an account or wait for the monthly reset.',
      };
    case 'rate_limited':
      return {
        kind: 'rate_limit',
        code: 'USER_REQUEST_RATE_EXCEEDED',
        message: 'Kiro is rate limiting requests for this account. Retry shortly.',
        defaultRetryAfter: 10,
      };
    case 'throttled':
      return {
        kind: 'rate_limit',
        code: reason ?? 'THROTTLED',
        message: `Kiro is throttling requests: ${kiroMessage}`,
        defaultRetryAfter: 60,
      };
    case 'capacity':
      return {
        kind: 'overloaded',
        code: 'INSUFFICIENT_MODEL_CAPACITY',
        message: 'Kiro has insufficient capacity for this model right now. Retry shortly or use another model.',
        defaultRetryAfter: 3,
      };
    case 'server':
      return reason === 'MODEL_TEMPORARILY_UNAVAILABLE'
        ? { kind: 'overloaded', code: reason, message: 'The model is temporarily unavailable on Kiro. Retry shortly.', defaultRetryAfter: 5 }
        : { kind: 'upstream', code: 'KIRO_SERVER_ERROR', message: `Kiro failed to answer: ${kiroMessage}` };
    case 'network':
      return { kind: 'upstream', code: 'KIRO_UNREACHABLE', message: `Could not reach Kiro: ${kiroMessage}` };
    case 'timeout':
      return { kind: 'timeout', code: 'KIRO_TIMEOUT', message: 'Kiro did not answer in time.' };
  }
}

/** A client-facing ProxyError for a classified upstream failure. The message never contains tokens. */
export function upstreamErrorToProxyError(err: KiroUpstreamError): ProxyError {
  const r = render(err.cls, redactSecrets(err.message), err.reason);
  const suffix = err.requestId ? ` (Kiro request id ${err.requestId})` : '';
  const options: ProxyErrorOptions = { code: r.code, cause: err };
  if (r.param) options.param = r.param;
  const retryAfter = err.retryAfterSeconds ?? r.defaultRetryAfter;
  if (retryAfter !== undefined) options.retryAfterSeconds = retryAfter;
  return new ProxyError(r.kind, r.message + suffix, options);
}
