// SharedPoolState in process: the default when no Redis is configured, and the fallback shape the
// Redis one must match (the same contract tests run against both). One process, so no leases
// lapse and nothing is announced: there is nobody else to tell.
import type { UsageLimits } from '../kiro/types.ts';
import { createStickyMap, type StickyMap } from '../accounts/pool/stickiness.ts';
import type { AccountShared, AcquireRequest, AcquireResult, InFlightLease, SharedPoolState, SkipReason } from './types.ts';

export interface MemoryPoolStateOptions {
  instanceId: string;
  now?: () => number;
  stickyTtlMs?: number;
  stickyMaxEntries?: number;
}

interface Timed {
  reason: string;
  by: string;
  /** Epoch ms; undefined = until cleared. */
  until: number | undefined;
}

export class MemoryPoolState implements SharedPoolState {
  readonly #id: string;
  readonly #now: () => number;
  readonly #cooldown = new Map<string, Timed>();
  readonly #disabled = new Map<string, Timed>();
  readonly #quota = new Map<string, { limits: UsageLimits; by: string }>();
  readonly #inflight = new Map<string, Set<string>>();
  readonly #sticky: StickyMap;
  #nextLease = 0;

  constructor(options: MemoryPoolStateOptions) {
    this.#id = options.instanceId;
    this.#now = options.now ?? Date.now;
    this.#sticky = createStickyMap({ maxEntries: options.stickyMaxEntries ?? 10_000, ttlMs: options.stickyTtlMs ?? 30 * 60_000, now: this.#now });
  }

  // The pool's hot path in single-user mode: no array copies, no skip list unless nothing is free.
  acquire(req: AcquireRequest, signal: AbortSignal): Promise<AcquireResult> {
    signal.throwIfAborted();
    const now = this.#now();
    const bound = req.stickyKey !== undefined ? this.#sticky.get(req.stickyKey) : undefined;
    const cands = req.candidates;
    const first = bound === undefined ? -1 : cands.findIndex((c) => c.accountId === bound);
    for (let i = first === -1 ? 0 : -1; i < cands.length; i++) {
      if (i === first) continue;
      const c = cands[i === -1 ? first : i]!;
      if (this.#blocked(c.accountId, now)) continue;
      let set = this.#inflight.get(c.accountId);
      if (c.limit > 0 && set !== undefined && set.size >= c.limit) continue;
      if (!set) this.#inflight.set(c.accountId, (set = new Set<string>()));
      const id = `${this.#id}:${(this.#nextLease++).toString(36)}`;
      set.add(id);
      if (req.stickyKey !== undefined && bound !== c.accountId) this.#sticky.set(req.stickyKey, c.accountId);
      return Promise.resolve({ ok: true, lease: { accountId: c.accountId, id }, accountId: c.accountId, inFlight: set.size, sticky: bound === c.accountId });
    }
    return Promise.resolve({ ok: false, skipped: this.#skips(first === -1 ? cands : [cands[first]!, ...cands.filter((_, i) => i !== first)], now) });
  }

  #blocked(accountId: string, now: number): boolean {
    return live(this.#cooldown, accountId, now) !== undefined || live(this.#disabled, accountId, now) !== undefined;
  }

  /** Why each candidate was passed over, in the order they were considered. */
  #skips(ordered: readonly AcquireRequest['candidates'][number][], now: number): { accountId: string; why: SkipReason; remainingMs?: number }[] {
    const skipped: { accountId: string; why: SkipReason; remainingMs?: number }[] = [];
    for (const c of ordered) {
      const cd = live(this.#cooldown, c.accountId, now);
      const t = cd ?? live(this.#disabled, c.accountId, now);
      if (t) {
        const why = cd ? 'cooldown' : 'disabled';
        skipped.push(t.until !== undefined ? { accountId: c.accountId, why, remainingMs: t.until - now } : { accountId: c.accountId, why });
      } else skipped.push({ accountId: c.accountId, why: 'full' });
    }
    return skipped;
  }

  release(lease: InFlightLease): Promise<void> {
    // The empty set is kept: the next request on the account reuses it.
    this.#inflight.get(lease.accountId)?.delete(lease.id);
    return RESOLVED;
  }

  async setCooldown(accountId: string, cooldown: { durationMs: number; reason: string }, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    this.#cooldown.set(accountId, { reason: cooldown.reason, by: this.#id, until: this.#now() + Math.max(1, Math.round(cooldown.durationMs)) });
  }

  async clearCooldown(accountId: string): Promise<void> {
    this.#cooldown.delete(accountId);
  }

  async setDisabled(accountId: string, disabled: { reason: string; durationMs?: number }, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const until = disabled.durationMs !== undefined ? this.#now() + Math.max(1, Math.round(disabled.durationMs)) : undefined;
    this.#disabled.set(accountId, { reason: disabled.reason, by: this.#id, until });
  }

  async clearDisabled(accountId: string): Promise<void> {
    this.#disabled.delete(accountId);
  }

  async setQuota(accountId: string, limits: UsageLimits, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    this.#quota.set(accountId, { limits: { ...limits }, by: this.#id });
  }

  async snapshot(accountIds: readonly string[], signal: AbortSignal): Promise<Map<string, AccountShared>> {
    signal.throwIfAborted();
    const now = this.#now();
    const out = new Map<string, AccountShared>();
    for (const id of accountIds) {
      const s: AccountShared = { inFlight: this.#inflight.get(id)?.size ?? 0 };
      const cd = live(this.#cooldown, id, now);
      if (cd) s.cooldown = { reason: cd.reason, by: cd.by, remainingMs: cd.until === undefined ? Number.MAX_SAFE_INTEGER : cd.until - now };
      const dis = live(this.#disabled, id, now);
      if (dis) s.disabled = dis.until !== undefined ? { reason: dis.reason, by: dis.by, remainingMs: dis.until - now } : { reason: dis.reason, by: dis.by };
      const q = this.#quota.get(id);
      if (q) s.quota = { limits: { ...q.limits }, by: q.by };
      out.set(id, s);
    }
    return out;
  }

  async forgetAccount(accountId: string): Promise<void> {
    this.#cooldown.delete(accountId);
    this.#disabled.delete(accountId);
    this.#quota.delete(accountId);
    this.#inflight.delete(accountId);
    this.#sticky.forgetAccount(accountId);
  }

  dispose(): void {
    this.#inflight.clear();
  }
}

const RESOLVED = Promise.resolve();

function live(map: Map<string, Timed>, id: string, now: number): Timed | undefined {
  const t = map.get(id);
  if (!t) return undefined;
  if (t.until !== undefined && t.until <= now) {
    map.delete(id);
    return undefined;
  }
  return t;
}
