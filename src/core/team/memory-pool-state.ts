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

  async acquire(req: AcquireRequest, signal: AbortSignal): Promise<AcquireResult> {
    signal.throwIfAborted();
    const now = this.#now();
    const bound = req.stickyKey !== undefined ? this.#sticky.get(req.stickyKey) : undefined;
    const ordered = [...req.candidates.filter((c) => c.accountId === bound), ...req.candidates.filter((c) => c.accountId !== bound)];
    const skipped: { accountId: string; why: SkipReason; remainingMs?: number }[] = [];
    for (const c of ordered) {
      const cd = live(this.#cooldown, c.accountId, now);
      const dis = cd ? undefined : live(this.#disabled, c.accountId, now);
      if (cd || dis) {
        const t = (cd ?? dis)!;
        skipped.push(t.until !== undefined ? { accountId: c.accountId, why: cd ? 'cooldown' : 'disabled', remainingMs: t.until - now } : { accountId: c.accountId, why: cd ? 'cooldown' : 'disabled' });
        continue;
      }
      const set = this.#inflight.get(c.accountId) ?? new Set<string>();
      if (c.limit > 0 && set.size >= c.limit) {
        skipped.push({ accountId: c.accountId, why: 'full' });
        continue;
      }
      const id = `${this.#id}:${(this.#nextLease++).toString(36)}`;
      set.add(id);
      this.#inflight.set(c.accountId, set);
      if (req.stickyKey !== undefined) this.#sticky.set(req.stickyKey, c.accountId);
      return { ok: true, lease: { accountId: c.accountId, id }, accountId: c.accountId, inFlight: set.size, sticky: bound === c.accountId };
    }
    return { ok: false, skipped };
  }

  async release(lease: InFlightLease): Promise<void> {
    const set = this.#inflight.get(lease.accountId);
    set?.delete(lease.id);
    if (set?.size === 0) this.#inflight.delete(lease.accountId);
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

function live(map: Map<string, Timed>, id: string, now: number): Timed | undefined {
  const t = map.get(id);
  if (!t) return undefined;
  if (t.until !== undefined && t.until <= now) {
    map.delete(id);
    return undefined;
  }
  return t;
}
