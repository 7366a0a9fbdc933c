// The narrow interface between the upstream executor and the account registry: acquire an
// in-flight slot on the best account for a request (selection, stickiness, per-account
// concurrency, waiting for a slot), and report what happened on it. Every change to an account's
// record that a request causes goes through report(); the executor never touches a record.
// Selection and waiting are here; the bookkeeping on a taken slot is in held-slot.ts.
import type { ProxyError } from '../../errors.ts';
import type { KiroAccountContext, KiroUpstreamError } from '../../kiro/types.ts';
import type { Clock } from '../../proxy-types.ts';
import type { SharedPoolState } from '../../team/types.ts';
import type { FaultAction } from './fault-policy.ts';
import { concurrencyLimit, deriveState, isServable, remainingQuota, type AccountRecord, type AccountTokenSource } from './pool-account.ts';
import type { UpstreamLease } from './pool-types.ts';
import { allUnavailableError } from './pool-unavailable.ts';
import type { RegistryCore } from './registry.ts';
import { rankCandidates, type Candidate } from './selection.ts';
import type { SharedSync } from './shared-sync.ts';
import { reportAttempt, startSlot, type HeldSlot, type SlotBook } from './held-slot.ts';

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

export type LeaseOutcome = Parameters<UpstreamLease['release']>[0];

export type AttemptReport =
  /** The request's own abort or timeout: nobody's fault, no penalty. */
  | { kind: 'cancelled' }
  /** The first event is in hand; the slot is held until `released`. */
  | { kind: 'served' }
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

export interface AccountSlotsOptions {
  core: RegistryCore;
  /** Cooldowns, disabled states, stickiness and in-flight caps: in process, or shared through Redis. */
  state: SharedPoolState;
  sync: SharedSync;
  /** A lasting consequence this instance decided (AccountPoolOptions.onConsequence). */
  decided?: SlotBook['decided'];
  /** While every candidate is busy on other instances, look again this often (no local release wakes us then). */
  busyPollMs?: number;
}

/** Until a local slot frees (or `pollMs` passes: the slot may be held by another instance). */
function waitForSlot(waiters: Set<() => void>, clock: Clock, signal: AbortSignal, pollMs?: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = () => {
      waiters.delete(done);
      timer?.clear();
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      waiters.delete(done);
      timer?.clear();
      reject(signal.reason);
    };
    if (signal.aborted) return reject(signal.reason);
    const timer = pollMs !== undefined ? clock.setTimeout(done, pollMs) : undefined;
    waiters.add(done);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * One pass over the registry: how many accounts could serve, and the free ones best first as
 * pool-state candidates. A quota probe is a last resort: offered only when nothing else is
 * free, so a conversation bound to it does not pull it forward.
 */
function candidatesFor(core: RegistryCore, excluded: ReadonlySet<string>, rrCursor: number): { servable: number; ranked: Candidate[] } {
  const { settings } = core;
  const now = core.clock.now();
  let servable = 0;
  let order = -1;
  const regular: Candidate[] = [];
  let probes: Candidate[] | undefined;
  for (const r of core.records()) {
    order++;
    if (excluded.has(r.account.id)) continue;
    const d = deriveState(r, now);
    if (!isServable(d.state) && !d.quotaProbe) continue;
    servable++;
    if (r.inFlight >= concurrencyLimit(r, settings.config.accountConcurrency)) continue;
    const c: Candidate = {
      id: r.account.id,
      order,
      inFlight: r.inFlight,
      requests: r.counters.requests,
      lastUsedAt: r.lastUsedAt,
      remaining: remainingQuota(r.quota),
      degraded: d.state === 'error' || d.quotaProbe === true,
    };
    (d.quotaProbe ? (probes ??= []) : regular).push(c);
  }
  const free = regular.length > 0 ? regular : (probes ?? regular);
  return { servable, ranked: free.length > 1 ? rankCandidates(settings.config.selectionStrategy, free, rrCursor) : free };
}

export function createAccountSlots(options: AccountSlotsOptions): UpstreamAccounts {
  const { core, state, sync } = options;
  const { clock, settings } = core;
  const book: SlotBook = { core, state, sync, decided: options.decided };
  const busyPollMs = options.busyPollMs ?? 25;
  const waiters = new Set<() => void>();
  let rrCursor = -1;
  core.onSlotsMayHaveFreed(() => {
    for (const w of [...waiters]) w();
  });

  const limitOf = (r: AccountRecord) => r.account.maxConcurrency ?? settings.config.accountConcurrency;
  const toAcquire = (c: Candidate) => ({ accountId: c.id, limit: Math.max(0, limitOf(core.record(c.id)!)) });

  function stillUsable(slot: AccountSlot): AccountRecord | undefined {
    const r = (slot as HeldSlot).record;
    if (core.record(slot.accountId) !== r) return undefined;
    return isServable(deriveState(r, clock.now()).state) || slot.probe ? r : undefined;
  }

  async function acquire(stickyKey: string, excluded: ReadonlySet<string>, signal: AbortSignal, again?: AccountSlot): Promise<AccountSlot | undefined> {
    const retried = again ? stillUsable(again) : undefined;
    if (retried) {
      const got = await state.acquire({ candidates: [{ accountId: retried.account.id, limit: Math.max(0, limitOf(retried)) }], stickyKey }, signal);
      if (got.ok) return startSlot(book, retried, again!.probe, got.lease);
      sync.skipped(got.skipped);
    }
    for (;;) {
      signal.throwIfAborted();
      const { servable, ranked } = candidatesFor(core, excluded, rrCursor);
      if (servable === 0) return undefined;
      if (ranked.length === 0) {
        await waitForSlot(waiters, clock, signal);
        continue;
      }
      // The one round trip of team mode: the first candidate the pool state lets us have.
      const got = await state.acquire({ candidates: ranked.map(toAcquire), stickyKey }, signal);
      if (!got.ok) {
        // A peer's cooldown or disable this instance had not heard of: choose again. Else all busy elsewhere.
        if (!sync.skipped(got.skipped)) await waitForSlot(waiters, clock, signal, busyPollMs);
        continue;
      }
      const r = core.record(got.accountId);
      const c = ranked.find((x) => x.id === got.accountId);
      if (!r || !c) {
        void state.release(got.lease);
        continue;
      }
      rrCursor = c.order;
      return startSlot(book, r, false, got.lease);
    }
  }

  return {
    acquire,
    report: (slot, rep) => reportAttempt(book, slot, rep),
    anyServable(ids) {
      const now = clock.now();
      for (const id of ids) {
        const r = core.record(id);
        if (r && isServable(deriveState(r, now).state)) return true;
      }
      return false;
    },
    unavailableError: () => allUnavailableError(core.list(), clock.now()),
  };
}
