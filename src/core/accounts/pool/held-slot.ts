// A slot's life on its account's record, the bookkeeping half of account-slots.ts: taking it
// (counters, last use, a quota probe), giving it back (the pool-state lease, waking waiters), and
// what each report of an attempt does to the record. Selection decides which account a request
// gets; everything a request then changes on that account happens here.
import { KiroUpstreamError } from '../../kiro/types.ts';
import type { InFlightLease, SharedPoolState } from '../../team/types.ts';
import type { FaultAction } from './fault-policy.ts';
import { applyAccountConsequence, recordError } from './account-faults.ts';
import type { AccountRecord } from './pool-account.ts';
import type { RegistryCore } from './registry.ts';
import type { SharedSync } from './shared-sync.ts';
import type { AccountSlot, AttemptReport, LeaseOutcome } from './account-slots.ts';
import { beginQuotaProbe, endQuotaProbe } from '../quota/quota-probe.ts';

/** The record behind a slot stays with it: a removed account's record still takes the report. */
export interface HeldSlot extends AccountSlot {
  readonly record: AccountRecord;
  /** The in-flight slot in the pool state (shared across instances in team mode). */
  readonly lease: InFlightLease;
  ended: boolean;
}

/** What the bookkeeping works on, made once per pool. */
export interface SlotBook {
  core: RegistryCore;
  state: SharedPoolState;
  sync: SharedSync;
  /** A consequence decided here, from this instance's own upstream answer (AccountPoolOptions.onConsequence). */
  decided?: ((accountId: string, kind: FaultAction['kind']) => void) | undefined;
}

export function startSlot(book: SlotBook, r: AccountRecord, probeAgain: boolean, lease: InFlightLease): HeldSlot {
  const { core } = book;
  const now = core.clock.now();
  const probe = beginQuotaProbe(r, probeAgain, now, core.settings.tuning.quotaProbeIntervalMs, core.logger);
  if (probe) core.changed();
  r.inFlight++;
  r.counters.requests++;
  r.lastUsedAt = now;
  const slot: HeldSlot = {
    record: r,
    lease,
    ended: false,
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

function endSlot(book: SlotBook, slot: HeldSlot): void {
  if (slot.ended) return;
  slot.ended = true;
  const r = slot.record;
  r.inFlight = Math.max(0, r.inFlight - 1);
  // Never rejects, and not on the request's path (team mode: a round trip after the answer).
  void book.state.release(slot.lease);
  book.core.slotsMayHaveFreed();
}

function released(book: SlotBook, slot: HeldSlot, outcome: LeaseOutcome): void {
  endSlot(book, slot);
  const r = slot.record;
  r.counters.tokensIn += outcome.inputTokens ?? 0;
  r.counters.tokensOut += outcome.outputTokens ?? 0;
  r.counters.credits += outcome.credits ?? 0;
  const err = outcome.error;
  const aborted = outcome.clientClosed === true || (err instanceof Error && err.name === 'AbortError');
  if (outcome.clientClosed) r.counters.aborted++;
  if (!outcome.ok && !aborted) {
    const now = book.core.clock.now();
    if (err instanceof KiroUpstreamError) {
      recordError(r, now, err.message, err.cls, true);
      // Only pushback that outlives this stream; an auth failure mid-answer proves nothing about the token.
      if (err.cls !== 'auth_invalid') consequence(book, r, err);
    } else {
      recordError(r, now, err instanceof Error ? err.message : 'stream failed', undefined, true);
    }
  }
  book.core.changed();
}

function consequence(book: SlotBook, r: AccountRecord, err: KiroUpstreamError): void {
  const kind = applyAccountConsequence(r, err, book.core.faultContext());
  if (!kind) return;
  book.sync.consequence(r, kind);
  book.decided?.(r.account.id, kind);
}

function failed(book: SlotBook, r: AccountRecord, err: KiroUpstreamError, action: FaultAction): void {
  // Model capacity is Kiro's problem, not the account's: shown, not counted.
  recordError(r, book.core.clock.now(), err.message, err.cls, err.cls !== 'capacity');
  book.core.logger.debug(`[pool] ${r.account.label}: ${err.cls} (${err.status}${err.reason ? ` ${err.reason}` : ''}) → ${action.kind}`);
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
      consequence(book, r, err);
      break;
  }
}

/** What happened on a slot, applied to its account's record (UpstreamAccounts.report). */
export function reportAttempt(book: SlotBook, slot: AccountSlot, rep: AttemptReport): void {
  const { core } = book;
  const held = slot as HeldSlot;
  const r = held.record;
  if (slot.probe && rep.kind !== 'released') endQuotaProbe(r, rep.kind === 'served', core.logger);
  switch (rep.kind) {
    case 'cancelled':
      r.counters.requests--;
      endSlot(book, held);
      return;
    case 'served':
      r.degradedReason = undefined;
      core.changed();
      return;
    case 'token_failed':
      endSlot(book, held);
      recordError(r, core.clock.now(), rep.message, 'token', true);
      if (rep.needsLogin) core.logger.warn(`[pool] ${r.account.label}: needs a new login (${rep.message})`);
      else r.degradedReason = rep.message;
      core.changed();
      return;
    case 'failed':
      endSlot(book, held);
      failed(book, r, rep.error, rep.action);
      core.changed();
      return;
    case 'released':
      released(book, held, rep.outcome);
      return;
  }
}
