// Turns Kiro's failures into KiroUpstreamError classes (kiro-protocol.md §8.1). The pool decides
// what to do per class (refresh, cool down, disable, retry); this file only decides what happened.
import { redactSecrets } from './redact.ts';
import { KiroUpstreamError, type UpstreamErrorClass } from './types.ts';

/** Either a plain header record (node/undici) or a fetch `Headers`. */
export type HeaderSource = Record<string, string | string[] | undefined> | { get(name: string): string | null };

const MAX_MESSAGE = 500;

function header(headers: HeaderSource | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : record[key];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Retry-After as whole seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Dates in the past give 0; garbage gives undefined.
 */
export function parseRetryAfter(value: string | undefined | null, now: number = Date.now()): number | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v));
  // Only accept things that look like dates: Date.parse also takes bare numbers like "-1".
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** `com.amazon.aws.codewhisperer#ThrottlingException` or `ThrottlingException:http://…` → `ThrottlingException`. */
function shortType(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const afterHash = raw.split('#').pop() ?? raw;
  const t = afterHash.split(':')[0]?.trim();
  return t ? t : undefined;
}

interface ParsedBody {
  message?: string;
  reason?: string;
  type?: string;
}

function parseBody(bodyText: string): ParsedBody {
  try {
    const v: unknown = JSON.parse(bodyText);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    const o = v as Record<string, unknown>;
    const s = (x: unknown) => (typeof x === 'string' && x !== '' ? x : undefined);
    const out: ParsedBody = {};
    const message = s(o['message']) ?? s(o['Message']) ?? s(o['error_description']) ?? s(o['error']);
    const reason = s(o['reason']);
    const type = s(o['__type']) ?? s(o['code']);
    if (message !== undefined) out.message = message;
    if (reason !== undefined) out.reason = reason;
    if (type !== undefined) out.type = type;
    return out;
  } catch {
    return {};
  }
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_MESSAGE ? `${oneLine.slice(0, MAX_MESSAGE)}…` : oneLine;
}

interface Facts {
  status: number;
  message: string;
  reason: string | undefined;
  errorType: string | undefined;
}

/** The §8.1 table. Order matters: reasons beat statuses where Kiro reuses a status for several causes. */
function classOf(f: Facts): UpstreamErrorClass {
  const { status, reason } = f;
  const msg = f.message.toLowerCase();
  if (status >= 500) return 'server';
  if (status === 401) return 'auth_invalid';
  if (status === 403) {
    if (reason === 'TEMPORARILY_SUSPENDED' || msg.includes('suspended')) return 'suspended';
    if (reason === 'FEATURE_NOT_SUPPORTED' || msg.includes('not authorized to access this feature') || msg.includes('builder id is not supported')) {
      return 'feature_not_supported';
    }
    // "The bearer token included in the request is invalid." and other access denials: the
    // token is the only thing we can fix, so refresh-once-then-switch applies.
    return 'auth_invalid';
  }
  if (status === 402 || reason === 'MONTHLY_REQUEST_COUNT') return 'quota_exhausted';
  if (reason === 'INSUFFICIENT_MODEL_CAPACITY') return 'capacity';
  if (status === 429) return reason === 'USER_REQUEST_RATE_EXCEEDED' ? 'rate_limited' : 'throttled';
  if (reason === 'CONTENT_LENGTH_EXCEEDS_THRESHOLD' || msg.includes('input is too long')) return 'content_too_long';
  if (status === 413) return 'content_too_long';
  if (reason === 'INVALID_MODEL_ID') return 'invalid_model';
  if (msg.includes('profilearn is required') || msg.includes("value null at 'profilearn'")) return 'profile_required';
  if (status === 408) return 'timeout';
  if (status >= 400) return 'bad_request';
  // 1xx/2xx/3xx where a stream was expected: the upstream (or something in between) misbehaved.
  return 'server';
}

function build(f: Facts, retryAfterSeconds: number | undefined, requestId: string | undefined): KiroUpstreamError {
  return new KiroUpstreamError({
    cls: classOf(f),
    status: f.status,
    message: f.message,
    reason: f.reason,
    errorType: f.errorType,
    retryAfterSeconds,
    requestId,
  });
}

/** Classifies a non-200 answer to any runtime call from its status, headers and (bounded) body text. */
export function classifyUpstreamError(status: number, headers: HeaderSource | undefined, bodyText: string, requestId?: string): KiroUpstreamError {
  const body = parseBody(bodyText);
  const text = body.message ?? (bodyText.trim() !== '' ? bodyText : `HTTP ${status}`);
  return build(
    {
      status,
      message: clip(redactSecrets(text)),
      reason: body.reason,
      errorType: shortType(body.type) ?? shortType(header(headers, 'x-amzn-errortype')),
    },
    parseRetryAfter(header(headers, 'retry-after')),
    requestId ?? header(headers, 'x-amzn-requestid'),
  );
}

/** The HTTP status the same failure would have had before the stream started. */
function statusForException(exceptionType: string, reason: string | undefined): number {
  switch (exceptionType) {
    case 'ThrottlingException':
      return 429;
    case 'ServiceQuotaExceededException':
      return 402;
    case 'AccessDeniedException':
      return 403;
    case 'UnauthorizedException':
    case 'ExpiredTokenException':
      return 401;
    case 'ValidationException':
    case 'ContentLengthExceededException':
    case 'ResourceNotFoundException':
      return 400;
    case 'ConflictException':
      return 409;
    case 'ServiceUnavailableException':
      return 503;
    default:
      return reason === 'MONTHLY_REQUEST_COUNT' ? 402 : 500;
  }
}

/**
 * Classifies an in-stream `exception` (or `error`) frame. Note: ContentLengthExceededException
 * mid-stream means the *output* hit its limit; translators should end the message with
 * max_tokens rather than call this (it classifies as content_too_long if they do).
 */
export function classifyStreamException(exceptionType: string, message: string, reason?: string, requestId?: string): KiroUpstreamError {
  const type = shortType(exceptionType) ?? 'UnknownException';
  const facts: Facts = {
    status: statusForException(type, reason),
    message: clip(redactSecrets(message || type)),
    reason,
    errorType: type,
  };
  if (type === 'ContentLengthExceededException') {
    return new KiroUpstreamError({ ...facts, cls: 'content_too_long', requestId });
  }
  return build(facts, undefined, requestId);
}

export { upstreamErrorToProxyError } from './upstream-error-to-proxy.ts';
