// What a failure does to an account's record: the error shown, and the lasting consequence
// (cooldown, quota-disabled until the reset, suspended, needs login). Used by the registry for
// failures the executor reports, before or after the first event, and by the quota service.
import type { KiroUpstreamError } from '../../kiro/types.ts';
import type { Logger } from '../../proxy-types.ts';
import { decideFault, type FaultAction, type FaultTuning } from './fault-policy.ts';
import type { AccountRecord } from './pool-account.ts';

export interface FaultContext {
  now: number;
  logger: Logger;
  random: () => number;
  tuning: FaultTuning;
}

export function recordError(r: AccountRecord, now: number, message: string, cls: string | undefined, count: boolean): void {
  r.lastError = { at: now, message, ...(cls ? { cls } : {}) };
  if (count) r.counters.errors++;
}

export function suspend(r: AccountRecord, err: KiroUpstreamError, logger: Logger): void {
  const first = r.suspendedReason === undefined;
  r.suspendedReason = `suspended by AWS (TEMPORARILY_SUSPENDED): ${err.message}`;
  // Loud once: a suspended account must never be retried in a loop, and the user must act.
  if (first) {
    logger.error(`[pool] Kiro account "${r.account.label}" is SUSPENDED by AWS (${err.message}). It is out of rotation until you re-enable it.`);
  }
}

export function authFailed(r: AccountRecord, err: KiroUpstreamError): void {
  r.authFailedReason = `Kiro rejected a freshly refreshed token (HTTP ${err.status}): log in again`;
}

/** The lasting part of a fault (cooldown, disable, suspend, expire): which one, or undefined when it has none. */
export function applyAccountConsequence(r: AccountRecord, err: KiroUpstreamError, ctx: FaultContext): FaultAction['kind'] | undefined {
  const { now, logger } = ctx;
  const action = decideFault(err, { refreshed: true, serverRetries: Infinity, capacityRetries: Infinity }, ctx.tuning, now, ctx.random, r.quota?.nextResetAt);
  switch (action.kind) {
    case 'cooldown': {
      r.cooldownUntil = Math.max(r.cooldownUntil ?? 0, action.until);
      r.cooldownReason = err.reason ? `${err.reason}: ${err.message}` : err.message;
      logger.warn(`[pool] ${r.account.label}: ${err.cls} (${err.status}), cooling down until ${new Date(r.cooldownUntil).toISOString()}`);
      return action.kind;
    }
    case 'disable_until':
      r.disabledUntil = action.until;
      r.disabledWithOverage = r.quota?.overageEnabled === true;
      r.disabledReason = `monthly quota exhausted (${err.reason ?? err.status}) until ${new Date(action.until).toISOString()}`;
      logger.warn(`[pool] ${r.account.label}: ${r.disabledReason}`);
      return action.kind;
    case 'suspend':
      suspend(r, err, logger);
      return action.kind;
    case 'expire':
      authFailed(r, err);
      logger.warn(`[pool] ${r.account.label}: ${r.authFailedReason}`);
      return action.kind;
    default:
      return undefined;
  }
}
