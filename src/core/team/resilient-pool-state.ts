// The pool state an instance actually uses in team mode: Redis while it answers, the instance's
// own in-process state the moment it does not (no request waits for Redis, none fails because
// of it), and back to Redis when it returns. What the instance decided while cut off (a cooldown
// after a 429, a disabled account, new quota figures) is written to Redis when it comes back,
// with what is left of its duration, so the other instances learn it too; nothing set on either
// side is lost. In-flight slots taken locally are given back locally. The local state also takes
// in what the other instances announce (events) and what each snapshot shows, so while cut off
// this instance still avoids the accounts the team last knew to be cooling down or disabled.
import type { UsageLimits } from '../kiro/types.ts';
import type { Disposable, Logger } from '../proxy-types.ts';
import { isTeamUnavailable } from './errors.ts';
import { MemoryPoolState } from './memory-pool-state.ts';
import type { AccountShared, AcquireRequest, AcquireResult, InFlightLease, SharedPoolState, TeamEvent, TeamEvents, TeamHealth } from './types.ts';

type Pending =
  | { kind: 'cooldown'; until: number; reason: string }
  | { kind: 'cooldown-cleared' }
  | { kind: 'disabled'; until: number | undefined; reason: string }
  | { kind: 'disabled-cleared' }
  | { kind: 'quota'; limits: UsageLimits };

export interface ResilientPoolStateOptions {
  shared: SharedPoolState;
  health: () => TeamHealth;
  onHealth: (listener: (h: TeamHealth) => void) => Disposable;
  /** What other instances announce is taken into the local state. */
  events?: TeamEvents;
  instanceId: string;
  logger: Logger;
  now?: () => number;
}

export class ResilientPoolState implements SharedPoolState {
  readonly #shared: SharedPoolState;
  readonly #local: MemoryPoolState;
  readonly #o: ResilientPoolStateOptions & { now: () => number };
  /** Lease ids taken from the local state. */
  readonly #localLeases = new Set<string>();
  /** Per account and field, the last change not yet written to Redis. */
  readonly #pending = new Map<string, Pending>();
  readonly #subs: Disposable[] = [];
  #flushing: Promise<void> | undefined;

  constructor(options: ResilientPoolStateOptions) {
    this.#o = { now: Date.now, ...options };
    this.#shared = options.shared;
    this.#local = new MemoryPoolState({ instanceId: `${options.instanceId}-local`, now: this.#o.now });
    this.#subs.push(options.onHealth((h) => h.state === 'up' && void this.flush()));
    if (options.events) this.#subs.push(options.events.subscribe((e) => void this.#takeEvent(e)));
  }

  /** Changes made while Redis was away, not yet written there. */
  get pendingWrites(): number {
    return this.#pending.size;
  }

  async acquire(req: AcquireRequest, signal: AbortSignal): Promise<AcquireResult> {
    if (this.#up()) {
      try {
        return await this.#shared.acquire(req, signal);
      } catch (err) {
        if (!isTeamUnavailable(err)) throw err;
      }
    }
    const r = await this.#local.acquire(req, signal);
    if (r.ok) this.#localLeases.add(r.lease.id);
    return r;
  }

  release(lease: InFlightLease): Promise<void> {
    if (this.#localLeases.delete(lease.id)) return this.#local.release(lease);
    return this.#shared.release(lease);
  }

  setCooldown(accountId: string, cooldown: { durationMs: number; reason: string }, signal: AbortSignal): Promise<void> {
    return this.#write(accountId, 'cooldown', { kind: 'cooldown', until: this.#o.now() + cooldown.durationMs, reason: cooldown.reason }, signal, (s) =>
      s.setCooldown(accountId, cooldown, signal),
    );
  }

  clearCooldown(accountId: string, signal: AbortSignal): Promise<void> {
    return this.#write(accountId, 'cooldown', { kind: 'cooldown-cleared' }, signal, (s) => s.clearCooldown(accountId, signal));
  }

  setDisabled(accountId: string, disabled: { reason: string; durationMs?: number }, signal: AbortSignal): Promise<void> {
    const until = disabled.durationMs !== undefined ? this.#o.now() + disabled.durationMs : undefined;
    return this.#write(accountId, 'disabled', { kind: 'disabled', until, reason: disabled.reason }, signal, (s) => s.setDisabled(accountId, disabled, signal));
  }

  clearDisabled(accountId: string, signal: AbortSignal): Promise<void> {
    return this.#write(accountId, 'disabled', { kind: 'disabled-cleared' }, signal, (s) => s.clearDisabled(accountId, signal));
  }

  setQuota(accountId: string, limits: UsageLimits, signal: AbortSignal): Promise<void> {
    return this.#write(accountId, 'quota', { kind: 'quota', limits }, signal, (s) => s.setQuota(accountId, limits, signal));
  }

  async snapshot(accountIds: readonly string[], signal: AbortSignal): Promise<Map<string, AccountShared>> {
    if (this.#up()) {
      try {
        const snap = await this.#shared.snapshot(accountIds, signal);
        await this.#takeSnapshot(snap, signal);
        return snap;
      } catch (err) {
        if (!isTeamUnavailable(err)) throw err;
      }
    }
    return this.#local.snapshot(accountIds, signal);
  }

  async forgetAccount(accountId: string, signal: AbortSignal): Promise<void> {
    for (const f of ['cooldown', 'disabled', 'quota']) this.#pending.delete(`${accountId}\0${f}`);
    await this.#local.forgetAccount(accountId);
    if (this.#up())
      await this.#shared.forgetAccount(accountId, signal).catch((err: unknown) => {
        if (!isTeamUnavailable(err)) throw err;
      });
  }

  /** Writes what changed while Redis was away (called when it is back). Never throws. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flush().finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  dispose(): void {
    for (const s of this.#subs.splice(0)) s.dispose();
    this.#local.dispose();
  }

  async #takeEvent(e: TeamEvent): Promise<void> {
    const now = this.#o.now();
    const never = new AbortController().signal;
    switch (e.type) {
      case 'cooldown-started':
        return applyLocal(this.#local, e.accountId, { kind: 'cooldown', until: now + e.remainingMs, reason: e.reason }, now, never);
      case 'cooldown-cleared':
        return applyLocal(this.#local, e.accountId, { kind: 'cooldown-cleared' }, now, never);
      case 'account-disabled':
        return applyLocal(
          this.#local,
          e.accountId,
          { kind: 'disabled', until: e.remainingMs === undefined ? undefined : now + e.remainingMs, reason: e.reason },
          now,
          never,
        );
      case 'account-enabled':
        return applyLocal(this.#local, e.accountId, { kind: 'disabled-cleared' }, now, never);
      default:
        return;
    }
  }

  /** Redis's view replaces the local one, except for changes of ours Redis has not seen yet. */
  async #takeSnapshot(snap: Map<string, AccountShared>, signal: AbortSignal): Promise<void> {
    const now = this.#o.now();
    for (const [id, s] of snap) {
      if (!this.#pending.has(`${id}\0cooldown`)) {
        await applyLocal(
          this.#local,
          id,
          s.cooldown ? { kind: 'cooldown', until: now + s.cooldown.remainingMs, reason: s.cooldown.reason } : { kind: 'cooldown-cleared' },
          now,
          signal,
        );
      }
      if (!this.#pending.has(`${id}\0disabled`)) {
        const d = s.disabled;
        await applyLocal(
          this.#local,
          id,
          d ? { kind: 'disabled', until: d.remainingMs === undefined ? undefined : now + d.remainingMs, reason: d.reason } : { kind: 'disabled-cleared' },
          now,
          signal,
        );
      }
      if (s.quota && !this.#pending.has(`${id}\0quota`)) await this.#local.setQuota(id, s.quota.limits, signal);
    }
  }

  #up(): boolean {
    return this.#o.health().state === 'up';
  }

  /** Local first (it is the fallback's truth), then Redis; a Redis failure is kept for later. */
  async #write(accountId: string, field: string, change: Pending, signal: AbortSignal, toShared: (s: SharedPoolState) => Promise<void>): Promise<void> {
    await applyLocal(this.#local, accountId, change, this.#o.now(), signal);
    const key = `${accountId}\0${field}`;
    if (this.#up()) {
      try {
        await toShared(this.#shared);
        this.#pending.delete(key);
        return;
      } catch (err) {
        if (!isTeamUnavailable(err)) throw err;
      }
    }
    this.#pending.set(key, change);
  }

  async #flush(): Promise<void> {
    const signal = AbortSignal.timeout(10_000);
    let written = 0;
    for (const [key, change] of [...this.#pending]) {
      const accountId = key.slice(0, key.indexOf('\0'));
      const now = this.#o.now();
      try {
        switch (change.kind) {
          case 'cooldown':
            if (change.until > now) await this.#shared.setCooldown(accountId, { durationMs: change.until - now, reason: change.reason }, signal);
            break;
          case 'cooldown-cleared':
            await this.#shared.clearCooldown(accountId, signal);
            break;
          case 'disabled':
            if (change.until === undefined) await this.#shared.setDisabled(accountId, { reason: change.reason }, signal);
            else if (change.until > now) await this.#shared.setDisabled(accountId, { reason: change.reason, durationMs: change.until - now }, signal);
            break;
          case 'disabled-cleared':
            await this.#shared.clearDisabled(accountId, signal);
            break;
          case 'quota':
            await this.#shared.setQuota(accountId, change.limits, signal);
            break;
        }
        if (this.#pending.get(key) === change) this.#pending.delete(key);
        written++;
      } catch (err) {
        this.#o.logger.debug(`[team] writing a change made while Redis was away failed, kept for later: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
    }
    if (written > 0) this.#o.logger.info(`[team] wrote ${written} account change(s) made while Redis was away`);
  }
}

async function applyLocal(local: MemoryPoolState, accountId: string, change: Pending, now: number, signal: AbortSignal): Promise<void> {
  switch (change.kind) {
    case 'cooldown':
      return local.setCooldown(accountId, { durationMs: Math.max(1, change.until - now), reason: change.reason }, signal);
    case 'cooldown-cleared':
      return local.clearCooldown(accountId);
    case 'disabled':
      return local.setDisabled(
        accountId,
        change.until === undefined ? { reason: change.reason } : { reason: change.reason, durationMs: Math.max(1, change.until - now) },
        signal,
      );
    case 'disabled-cleared':
      return local.clearDisabled(accountId);
    case 'quota':
      return local.setQuota(accountId, change.limits, signal);
  }
}
