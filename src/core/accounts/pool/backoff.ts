// Retry delays for transient upstream failures. Jitter spreads the retries of concurrent requests
// so a recovering upstream is not hit by all of them at the same instant.
import type { Clock } from '../../proxy-types.ts';

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * "Equal jitter": half of the exponential step is fixed, half random, so a retry never comes
 * immediately (which would defeat the backoff) yet retries still spread out.
 * `retry` is 0 for the first retry.
 */
export function backoffDelay(retry: number, policy: BackoffPolicy, random: () => number): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, retry));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(step / 2 + (step / 2) * r);
}

/** The server's Retry-After wins over our own guess when it is longer. */
export function withRetryAfter(delayMs: number, retryAfterSeconds: number | undefined): number {
  return retryAfterSeconds === undefined ? delayMs : Math.max(delayMs, retryAfterSeconds * 1000);
}

/** Waits on the injected clock; rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, clock: Pick<Clock, 'setTimeout'>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      timer.clear();
      reject(signal.reason);
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
