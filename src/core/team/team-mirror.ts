// The local copy of the shared account fields that the account registry reads on the hot path
// (no Redis call to choose an account): fed by events as they happen, and by a snapshot at start,
// after every gap in the subscription and when Redis comes back, since pub/sub loses what is sent
// while an instance is cut off. Absolute times are local (`until` = local now + remainingMs), so
// instances with skewed clocks agree on durations. `token-rotated` only records the generation:
// the registry then reads the vault and hands the token to the account's token manager.
import type { UsageLimits } from '../kiro/types.ts';
import type { Disposable, Logger } from '../proxy-types.ts';
import { isTeamUnavailable } from './errors.ts';
import type { AccountShared, SkipReason, TeamEvent, TeamState } from './types.ts';

export interface MirroredAccount {
  cooldownUntil?: number;
  cooldownReason?: string;
  /** Disabled (suspended, quota used up) with an end, or `Infinity` until cleared. */
  disabledUntil?: number;
  disabledReason?: string;
  quota?: UsageLimits;
  /** In flight across the team, as last seen (acquire or snapshot). */
  inFlight: number;
  /** Newest token generation announced; compare with the one the account holds. */
  tokenGen?: number;
}

export type MirrorChange = { accountId: string; what: 'cooldown' | 'disabled' | 'quota' | 'token' | 'in-flight' | 'resync' };

export interface TeamMirrorOptions {
  team: Pick<TeamState, 'pool' | 'events' | 'health' | 'onHealth'>;
  /** The accounts this instance serves (a snapshot reads exactly these). */
  accountIds: () => readonly string[];
  logger: Logger;
  now?: () => number;
}

export class TeamMirror implements Disposable {
  readonly #o: TeamMirrorOptions & { now: () => number };
  readonly #accounts = new Map<string, MirroredAccount>();
  readonly #listeners = new Set<(change: MirrorChange) => void>();
  readonly #subs: Disposable[] = [];
  readonly #lifetime = new AbortController();
  #resyncing: Promise<void> | undefined;
  #resyncs = 0;

  constructor(options: TeamMirrorOptions) {
    this.#o = { now: Date.now, ...options };
  }

  /** Subscribes, then reads the first snapshot (when Redis is up). */
  async start(): Promise<void> {
    const { team } = this.#o;
    this.#subs.push(team.events.subscribe((e) => this.#apply(e)));
    this.#subs.push(team.events.onResubscribed(() => void this.resync()));
    this.#subs.push(team.onHealth((h) => h.state === 'up' && void this.resync()));
    if (team.health().state === 'up') await this.resync();
  }

  get(accountId: string): MirroredAccount | undefined {
    const a = this.#accounts.get(accountId);
    return a ? { ...a } : undefined;
  }

  /** How many snapshots were applied (start, gaps, Redis back). */
  get resyncs(): number {
    return this.#resyncs;
  }

  onChange(listener: (change: MirrorChange) => void): Disposable {
    this.#listeners.add(listener);
    return { dispose: () => this.#listeners.delete(listener) };
  }

  /** Reads the snapshot of every served account; concurrent calls share one. Never throws. */
  resync(): Promise<void> {
    this.#resyncing ??= this.#resync().finally(() => (this.#resyncing = undefined));
    return this.#resyncing;
  }

  /** What an acquire learnt about the candidates it passed over (a missed event, corrected). */
  noteSkipped(skipped: readonly { accountId: string; why: SkipReason; remainingMs?: number }[]): void {
    const now = this.#o.now();
    for (const s of skipped) {
      const a = this.#entry(s.accountId);
      if (s.why === 'cooldown') {
        a.cooldownUntil = now + (s.remainingMs ?? 60_000);
        this.#emit({ accountId: s.accountId, what: 'cooldown' });
      } else if (s.why === 'disabled') {
        a.disabledUntil = s.remainingMs === undefined ? Infinity : now + s.remainingMs;
        this.#emit({ accountId: s.accountId, what: 'disabled' });
      }
    }
  }

  noteInFlight(accountId: string, inFlight: number): void {
    this.#entry(accountId).inFlight = inFlight;
  }

  dispose(): void {
    this.#lifetime.abort();
    for (const s of this.#subs.splice(0)) s.dispose();
    this.#listeners.clear();
  }

  async #resync(): Promise<void> {
    const ids = this.#o.accountIds();
    if (ids.length === 0 || this.#lifetime.signal.aborted) return;
    let snap: Map<string, AccountShared>;
    try {
      snap = await this.#o.team.pool.snapshot(ids, this.#lifetime.signal);
    } catch (err) {
      if (!isTeamUnavailable(err) && !this.#lifetime.signal.aborted)
        this.#o.logger.warn(`[team] reading the shared account state failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const now = this.#o.now();
    for (const [id, s] of snap) {
      const prev = this.#accounts.get(id);
      const next: MirroredAccount = { inFlight: s.inFlight };
      if (prev?.tokenGen !== undefined) next.tokenGen = prev.tokenGen;
      if (s.cooldown) {
        next.cooldownUntil = now + s.cooldown.remainingMs;
        next.cooldownReason = s.cooldown.reason;
      }
      if (s.disabled) {
        next.disabledUntil = s.disabled.remainingMs === undefined ? Infinity : now + s.disabled.remainingMs;
        next.disabledReason = s.disabled.reason;
      }
      if (s.quota) next.quota = { ...s.quota.limits };
      this.#accounts.set(id, next);
    }
    this.#resyncs++;
    for (const id of snap.keys()) this.#emit({ accountId: id, what: 'resync' });
  }

  #apply(e: TeamEvent): void {
    const now = this.#o.now();
    switch (e.type) {
      case 'cooldown-started': {
        const a = this.#entry(e.accountId);
        a.cooldownUntil = now + e.remainingMs;
        a.cooldownReason = e.reason;
        return this.#emit({ accountId: e.accountId, what: 'cooldown' });
      }
      case 'cooldown-cleared': {
        const a = this.#entry(e.accountId);
        delete a.cooldownUntil;
        delete a.cooldownReason;
        return this.#emit({ accountId: e.accountId, what: 'cooldown' });
      }
      case 'account-disabled': {
        const a = this.#entry(e.accountId);
        a.disabledUntil = e.remainingMs === undefined ? Infinity : now + e.remainingMs;
        a.disabledReason = e.reason;
        return this.#emit({ accountId: e.accountId, what: 'disabled' });
      }
      case 'account-enabled': {
        const a = this.#entry(e.accountId);
        delete a.disabledUntil;
        delete a.disabledReason;
        return this.#emit({ accountId: e.accountId, what: 'disabled' });
      }
      case 'quota-updated':
        // The figures are not in the event (kept small): re-read this account.
        void this.#o.team.pool.snapshot([e.accountId], this.#lifetime.signal).then(
          (snap) => {
            const q = snap.get(e.accountId)?.quota;
            if (q) this.#entry(e.accountId).quota = { ...q.limits };
            this.#emit({ accountId: e.accountId, what: 'quota' });
          },
          () => undefined,
        );
        return;
      case 'token-rotated': {
        const a = this.#entry(e.accountId);
        if (a.tokenGen === undefined || e.gen > a.tokenGen) a.tokenGen = e.gen;
        return this.#emit({ accountId: e.accountId, what: 'token' });
      }
      case 'instance-up':
      case 'instance-down':
      case 'slot-wanted':
      case 'conversation-moved':
        return;
    }
  }

  #entry(id: string): MirroredAccount {
    let a = this.#accounts.get(id);
    if (!a) {
      a = { inFlight: 0 };
      this.#accounts.set(id, a);
    }
    return a;
  }

  #emit(change: MirrorChange): void {
    for (const l of [...this.#listeners]) {
      try {
        l(change);
      } catch (err) {
        this.#o.logger.error(`[team] mirror listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
