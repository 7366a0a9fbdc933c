// The fault table of issue 4 / kiro-protocol.md §8: what the pool does about one classified
// upstream failure seen before the first byte reached the client. Pure, so every row is testable.
import type { KiroUpstreamError } from '../../kiro/types.ts';
import { backoffDelay, withRetryAfter, type BackoffPolicy } from './backoff.ts';
import { cooldownUntil, quotaResetAt } from './cooldown.ts';

export interface FaultTuning {
  /** USER_REQUEST_RATE_EXCEEDED without Retry-After. */
  rateLimitCooldownMs: number;
  /** Other throttling without Retry-After (config.cooldownSeconds). */
  throttleCooldownMs: number;
  /** 5xx / network retries on the same account before switching. */
  serverRetries: number;
  /** INSUFFICIENT_MODEL_CAPACITY retries per request. */
  capacityRetries: number;
  /** A capacity Retry-After longer than this is not waited for: the client gets it instead. */
  capacityMaxWaitMs: number;
  backoff: BackoffPolicy;
}

/** What this request already did on this account / overall. */
export interface FaultMemo {
  /** A forced refresh was already tried for this account during this request. */
  refreshed: boolean;
  /** Same-account retries already made for 5xx / network. */
  serverRetries: number;
  /** Capacity retries already made in this request. */
  capacityRetries: number;
}

export type FaultAction =
  /** 401 / 403 bearer invalid, first time: force a refresh and retry the same account. */
  | { kind: 'refresh_retry' }
  /** Still rejected after a refresh: the account needs a new login. */
  | { kind: 'expire' }
  | { kind: 'cooldown'; until: number }
  /** Monthly quota gone: out of rotation until the reset. */
  | { kind: 'disable_until'; until: number }
  /** Suspended by AWS: out of rotation until the user re-enables it; never retried. */
  | { kind: 'suspend' }
  /** Wait, then try again on the same account (5xx / network). */
  | { kind: 'retry_same'; delayMs: number }
  /** Wait, then select again without penalising anyone (model capacity is not the account's fault). */
  | { kind: 'retry_any'; delayMs: number }
  /** Leave this account for this request only. */
  | { kind: 'switch' }
  /** The request itself is at fault (400s): no retry, the client gets the error. */
  | { kind: 'fail' };

export function decideFault(
  err: KiroUpstreamError,
  memo: FaultMemo,
  tuning: FaultTuning,
  now: number,
  random: () => number,
  knownQuotaResetAt: number | undefined,
): FaultAction {
  switch (err.cls) {
    case 'auth_invalid':
      return memo.refreshed ? { kind: 'expire' } : { kind: 'refresh_retry' };
    case 'suspended':
      return { kind: 'suspend' };
    case 'quota_exhausted':
      return { kind: 'disable_until', until: quotaResetAt(now, knownQuotaResetAt) };
    case 'rate_limited':
      return { kind: 'cooldown', until: cooldownUntil(now, err.retryAfterSeconds, tuning.rateLimitCooldownMs) };
    case 'throttled':
      return { kind: 'cooldown', until: cooldownUntil(now, err.retryAfterSeconds, tuning.throttleCooldownMs) };
    case 'capacity': {
      if (memo.capacityRetries >= tuning.capacityRetries) return { kind: 'fail' };
      const delayMs = withRetryAfter(backoffDelay(memo.capacityRetries, tuning.backoff, random), err.retryAfterSeconds);
      return delayMs > tuning.capacityMaxWaitMs ? { kind: 'fail' } : { kind: 'retry_any', delayMs };
    }
    case 'server':
    case 'network': {
      if (memo.serverRetries >= tuning.serverRetries) return { kind: 'switch' };
      const delayMs = withRetryAfter(backoffDelay(memo.serverRetries, tuning.backoff, random), err.retryAfterSeconds);
      // A Retry-After far beyond our backoff means "not this account for now": go elsewhere.
      return delayMs > tuning.capacityMaxWaitMs ? { kind: 'switch' } : { kind: 'retry_same', delayMs };
    }
    case 'timeout':
    case 'feature_not_supported':
      return { kind: 'switch' };
    case 'content_too_long':
    case 'invalid_model':
    case 'profile_required':
    case 'bad_request':
      return { kind: 'fail' };
  }
}

/** Classes whose consequence is an account state (cooldown, disabled, expired): the all-unavailable message explains them better than the last upstream text. */
export function isAccountStateClass(cls: KiroUpstreamError['cls']): boolean {
  return cls === 'auth_invalid' || cls === 'suspended' || cls === 'quota_exhausted' || cls === 'rate_limited' || cls === 'throttled';
}
