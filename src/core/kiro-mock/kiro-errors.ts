// Error bodies exactly as Kiro sends them (kiro-protocol.md §8.1). The mock must answer with the
// service's own text so classifiers in the proxy are tested against the real strings.

/** Kiro's non-200 JSON body. `__type` is added only where the real service sends one. */
export interface KiroErrorBody {
  message: string;
  reason: string | null;
  __type?: string;
}

export const IMPROPERLY_FORMED = 'Improperly formed request.';
export const PROFILE_ARN_REQUIRED = 'profileArn is required for this request.';
export const INPUT_TOO_LONG = 'Input is too long.';
export const INVALID_MODEL = 'Invalid model. Please select a different model to continue.';
export const BEARER_INVALID = 'The bearer token included in the request is invalid.';
const THROTTLED = 'Too many requests, please wait before trying again.';
const HIGH_TRAFFIC = 'I am experiencing high traffic, please try again shortly.';
export const MONTHLY_LIMIT = 'You have reached the limit.';
const HIGH_LOAD = 'Encountered unexpectedly high load when processing the request, please try again.';

/** The namespaced `__type` form, e.g. `com.amazon.aws.codewhisperer#ThrottlingException`. */
export function namespacedType(shortType: string): string {
  return shortType.includes('#') ? shortType : `com.amazon.aws.codewhisperer#${shortType}`;
}

export interface DefaultHttpError {
  message: string;
  reason: string | null;
  errorType: string;
}

/**
 * What Kiro answers for a status/reason pair when a script does not spell out the message;
 * lets `[[mock:status 429]]` produce a believable body without more typing.
 */
export function defaultHttpError(status: number, reason: string | null): DefaultHttpError {
  if (status === 429 || reason === 'INSUFFICIENT_MODEL_CAPACITY') {
    const message = reason === 'INSUFFICIENT_MODEL_CAPACITY' ? HIGH_TRAFFIC : THROTTLED;
    return { message, reason, errorType: 'ThrottlingException' };
  }
  if (status === 402) return { message: MONTHLY_LIMIT, reason: reason ?? 'MONTHLY_REQUEST_COUNT', errorType: 'ServiceQuotaExceededException' };
  if (status === 401) return { message: 'token expired', reason, errorType: 'UnauthorizedException' };
  if (status === 403) {
    if (reason === 'TEMPORARILY_SUSPENDED') {
      return {
        message: 'Your User ID (mock-user) temporarily is suspended. Please contact support.',
        reason,
        errorType: 'AccessDeniedException',
      };
    }
    if (reason === 'FEATURE_NOT_SUPPORTED') {
      return { message: 'User is not authorized to access this feature.', reason, errorType: 'AccessDeniedException' };
    }
    return { message: BEARER_INVALID, reason, errorType: 'AccessDeniedException' };
  }
  if (status === 400) {
    if (reason === 'CONTENT_LENGTH_EXCEEDS_THRESHOLD') return { message: INPUT_TOO_LONG, reason, errorType: 'ValidationException' };
    if (reason === 'INVALID_MODEL_ID') return { message: INVALID_MODEL, reason, errorType: 'ValidationException' };
    return { message: IMPROPERLY_FORMED, reason, errorType: 'ValidationException' };
  }
  if (status === 503) return { message: 'Service is temporarily unavailable.', reason, errorType: 'ServiceUnavailableException' };
  if (status >= 500) return { message: HIGH_LOAD, reason, errorType: 'InternalServerException' };
  return { message: `Mock error ${status}`, reason, errorType: 'ValidationException' };
}
