// Mid-stream failures Kiro reports in-band (exception/error frames, invalidStateEvent) become
// KiroUpstreamErrors so the pipeline can end the client's stream with a dialect error.
import type { KiroEvent } from './kiro-event.ts';
import { KiroUpstreamError, type UpstreamErrorClass } from './types.ts';

/** The exception that means "output length limit hit": a normal end with max_tokens, not an error. */
export const OUTPUT_LIMIT_EXCEPTION = 'ContentLengthExceededException';

function classify(type: string): { cls: UpstreamErrorClass; status: number } {
  if (/Throttling|TooManyRequests/i.test(type)) return { cls: 'throttled', status: 429 };
  if (/Validation|BadRequest/i.test(type)) return { cls: 'bad_request', status: 400 };
  if (/AccessDenied|Unauthorized/i.test(type)) return { cls: 'auth_invalid', status: 403 };
  return { cls: 'server', status: 500 };
}

type ErrorEvent = Extract<KiroEvent, { type: 'exception' | 'error' | 'invalidState' }>;

export function streamError(ev: ErrorEvent): KiroUpstreamError {
  switch (ev.type) {
    case 'exception':
      return new KiroUpstreamError({ ...classify(ev.exceptionType), message: ev.message, reason: ev.reason, errorType: ev.exceptionType });
    case 'error':
      return new KiroUpstreamError({ ...classify(ev.code), message: ev.message, errorType: ev.code });
    case 'invalidState':
      return new KiroUpstreamError({
        cls: 'server',
        status: 500,
        message: ev.message ?? 'Kiro reported an invalid state',
        reason: ev.reason,
        errorType: 'InvalidStateEvent',
      });
  }
}
