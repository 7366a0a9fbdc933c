// The narrow interface between the upstream executor and the account registry: acquire an
// in-flight slot on the best account for a request (selection, stickiness, per-account
// concurrency, waiting for a slot), and report what happened on it. Every change to an account's
// record that a request causes goes through report(); the executor never touches a record.
import type { ProxyError } from '../../errors.ts';
import { KiroUpstreamError, type KiroAccountContext } from '../../kiro/types.ts';
import type { FaultAction } from './fault-policy.ts';
import { applyAccountConsequence, recordError } from './account-faults.ts';
import { concurrencyLimit, deriveState, isServable, remainingQuota, type AccountRecord, type AccountTokenSource } from './pool-account.ts';
import type { UpstreamLease } from './pool-types.ts';
import { allUnavailableError } from './pool-unavailable.ts';
import type { RegistryCore } from './registry.ts';
import { selectAccount, type Candidate } from './selection.ts';
import { createStickyMap } from './stickiness.ts';
import { beginQuotaProbe, endQuotaProbe } from '../quota/quota-probe.ts';

/** One request's hold on one account, from acquire until the attempt fails or the lease is released. */
export interface AccountSlot {
  readonly accountId: string;
  readonly label: string;
  readonly tokens: AccountTokenSource;
  readonly context: Omit<KiroAccountContext, 'accessToken'>;
  readonly profileArn: string;
  /** The account's known quota reset (fault policy: how long a 402 disables it). */
  readonly quotaResetAt: number | undefined;
  /** This attempt checks with Kiro an account whose usage numbers say "used up". */
  readonly probe: boolean;
}

/** The record behind a slot stays with it: a removed account's record still takes the report. */
interface HeldSlot extends AccountSlot {
  readonly record: AccountRecord;
}

export type LeaseOutcome = Parameters<UpstreamLease['release']>[0];

export type AttemptReport =
  /** The request's own abort or timeout: nobody's fault, no penalty. */
  | { kind: 'cancelled' }
  /** The first event is in hand; the slot is held until `released`. The conversation stays on this account. */
  | { kind: 'served'; stickyKey: string }
  | { kind: 'token_failed'; message: string; needsLogin: boolean }
  | { kind: 'failed'; error: KiroUpstreamError; action: FaultAction }
  | { kind: 'released'; outcome: LeaseOutcome };

export interface UpstreamAccounts {
  /**
   * A slot on a free account (waiting while every servable one is busy), or undefined when none
   * can serve. `again`: the same request retries the account it just failed on; it gets it back
   * while the account can still serve.
   */
  acquire(stickyKey: string, excluded: ReadonlySet<string>, signal: AbortSignal, again?: AccountSlot): Promise<AccountSlot | undefined>;
  report(slot: AccountSlot, report: AttemptReport): void;
  /** Whether any of these accounts could still serve (the request's own error beats "none available" then). */
  anyServable(ids: ReadonlySet<string>): boolean;
  /** The rate_limit / unavailable error when no account can serve. */
  unavailableError(): ProxyError;
}

export function createAccountSlots(core: RegistryCore): UpstreamAccounts & { forget(id: string): void } {
  const { clock, logger, settings } = core;
  const sticky = createStickyMap({ maxEntries: settings.tuning.stickyMaxEntries, ttlMs: settings.tuning.stickyTtlMs, now: () => clock.now() });
  const waiters = new Set<() => void>();
  let rrCursor = -1;
  core.onSlotsMayHaveFreed(() => {
    for (const w of [...waiters]) w();
  });

  function waitForSlot(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        waiters.delete(done);
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        waiters.delete(done);
        reject(signal.reason);
      };
      if (signal.aborted) return reject(signal.reason);
      waiters.add(done);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  function candidatesFor(excluded: ReadonlySet<string>): { servable: number; free: AccountRecord[] } {
    const now = clock.now();
    let servable = 0;
    const free: AccountRecord[] = [];
    for (const r of core.records()) {
      if (excluded.has(r.account.id)) continue;
      const d = deriveState(r, now);
      if (!isServable(d.state) && !d.quotaProbe) continue;
      servable++;
      if (r.inFlight < concurrencyLimit(r, settings.config.accountConcurrency)) free.push(r);
    }
    return { servable, free };
  }

  function pick(stickyKey: string, free: AccountRecord[]): AccountRecord | undefined {
    const now = clock.now();
    const stuck = sticky.get(stickyKey);
    // A conversation does not pull a quota probe forward: that stays a last resort.
    const pinned = stuck !== undefined ? free.find((r) => r.account.id === stuck && !deriveState(r, now).quotaProbe) : undefined;
    if (pinned) return pinned;
    const order = [...core.records()].map((r) => r.account.id);
    const candidates: Candidate[] = free.map((r) => {
      const d = deriveState(r, now);
      return {
        id: r.account.id,
        order: order.indexOf(r.account.id),
        inFlight: r.inFlight,
        requests: r.counters.requests,
        lastUsedAt: r.lastUsedAt,
        remaining: remainingQuota(r.quota),
        degraded: d.state === 'error' || d.quotaProbe === true,
      };
    });
    const picked = selectAccount(settings.config.selectionStrategy, candidates, rrCursor);
    if (!picked) return undefined;
    rrCursor = picked.cursor;
    return core.record(picked.candidate.id);
  }

  function start(r: AccountRecord, probeAgain: boolean): AccountSlot {
    const now = clock.now();
    const probe = beginQuotaProbe(r, probeAgain, now, settings.tuning.quotaProbeIntervalMs, logger);
    if (probe) core.changed();
    r.inFlight++;
    r.counters.requests++;
    r.lastUsedAt = now;
    const slot: HeldSlot = {
      record: r,
      accountId: r.account.id,
      label: r.account.label,
      tokens: r.account.tokens,
      context: core.contextFor(r),
      profileArn: core.profileArnOf(r),
      quotaResetAt: r.quota?.nextResetAt,
      probe,
    };
    return slot;
  }

  function end(r: AccountRecord): void {
    r.inFlight = Math.max(0, r.inFlight - 1);
    core.slotsMayHaveFreed();
  }

  function stillUsable(slot: AccountSlot): AccountRecord | undefined {
    const r = (slot as HeldSlot).record;
    if (core.record(slot.accountId) !== r) return undefined;
    return isServable(deriveState(r, clock.now()).state) || slot.probe ? r : undefined;
  }

  async function acquire(stickyKey: string, excluded: ReadonlySet<string>, signal: AbortSignal, again?: AccountSlot): Promise<AccountSlot | undefined> {
    const retried = again ? stillUsable(again) : undefined;
    if (retried) return start(retried, again!.probe);
    for (;;) {
      signal.throwIfAborted();
      const { servable, free } = candidatesFor(excluded);
      if (servable === 0) return undefined;
      const r = free.length > 0 ? pick(stickyKey, free) : undefined;
      if (r) return start(r, false);
      await waitForSlot(signal);
    }
  }

  function released(r: AccountRecord, outcome: LeaseOutcome): void {
    end(r);
    r.counters.tokensIn += outcome.inputTokens ?? 0;
    r.counters.tokensOut += outcome.outputTokens ?? 0;
    r.counters.credits += outcome.credits ?? 0;
    const err = outcome.error;
    const aborted = outcome.clientClosed === true || (err instanceof Error && err.name === 'AbortError');
    if (outcome.clientClosed) r.counters.aborted++;
    if (!outcome.ok && !aborted) {
      const now = clock.now();
      if (err instanceof KiroUpstreamError) {
        recordError(r, now, err.message, err.cls, true);
        // Only pushback that outlives this stream; an auth failure mid-answer proves nothing about the token.
        if (err.cls !== 'auth_invalid') applyAccountConsequence(r, err, core.faultContext());
      } else {
        recordError(r, now, err instanceof Error ? err.message : 'stream failed', undefined, true);
      }
    }
    core.changed();
  }

  function failed(r: AccountRecord, err: KiroUpstreamError, action: FaultAction): void {
    // Model capacity is Kiro's problem, not the account's: shown, not counted.
    recordError(r, clock.now(), err.message, err.cls, err.cls !== 'capacity');
    logger.debug(`[pool] ${r.account.label}: ${err.cls} (${err.status}${err.reason ? ` ${err.reason}` : ''}) → ${action.kind}`);
    switch (action.kind) {
      case 'refresh_retry':
      case 'retry_any':
      case 'fail':
        break;
      case 'retry_same':
        r.degradedReason = err.message;
        break;
      case 'switch':
        if (err.cls === 'server' || err.cls === 'network' || err.cls === 'timeout') r.degradedReason = err.message;
        break;
      default:
        applyAccountConsequence(r, err, core.faultContext());
        break;
    }
  }

  function report(slot: AccountSlot, rep: AttemptReport): void {
    const r = (slot as HeldSlot).record;
    if (slot.probe && rep.kind !== 'released') endQuotaProbe(r, rep.kind === 'served', logger);
    switch (rep.kind) {
      case 'cancelled':
        r.counters.requests--;
        end(r);
        return;
      case 'served':
        r.degradedReason = undefined;
        sticky.set(rep.stickyKey, r.account.id);
        core.changed();
        return;
      case 'token_failed':
        end(r);
        recordError(r, clock.now(), rep.message, 'token', true);
        if (rep.needsLogin) logger.warn(`[pool] ${r.account.label}: needs a new login (${rep.message})`);
        else r.degradedReason = rep.message;
        core.changed();
        return;
      case 'failed':
        end(r);
        failed(r, rep.error, rep.action);
        core.changed();
        return;
      case 'released':
        released(r, rep.outcome);
        return;
    }
  }

  return {
    acquire,
    report,
    anyServable(ids) {
      const now = clock.now();
      for (const id of ids) {
        const r = core.record(id);
        if (r && isServable(deriveState(r, now).state)) return true;
      }
      return false;
    },
    unavailableError: () => allUnavailableError(core.list(), clock.now()),
    forget: (id) => sticky.forgetAccount(id),
  };
}

