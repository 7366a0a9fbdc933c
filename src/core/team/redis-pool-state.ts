// SharedPoolState over Redis: cooldowns and disabled states as keys that expire by themselves,
// quota figures, conversation stickiness, and per-account in-flight caps that hold across
// instances (leases in a sorted set; see pool-state-scripts.ts). State changes and their event go
// out in one script, so a peer never sees the event before the state.
//
// Reserved slots: when a request gives its slot back, the instance keeps it (a live lease in
// Redis, still counted against the account's cap) for its next request on that account, for up to
// `reserveIdleMs` after the last use. A request of a conversation this instance knows the account
// of (sticky-bindings.ts) then takes that slot without a round trip: in the steady state a request
// sends nothing to Redis, and the heartbeat renews the slots and pushes the conversations' TTLs in
// one batch. Slots are kept only while at most three quarters of the account's cap are live (or
// it is uncapped), and at most a quarter of the cap per instance (maxKept), so several
// conversations at once each find one. They are given back at once when another instance finds
// the account full (`slot-wanted`), when unused, and one Redis has not confirmed for half a lease
// is never used (a lapsed slot may be someone else's).
// What the fast path trusts is what the local records already trust: the account is not cooling
// or disabled as far as this instance has heard (events arrive within milliseconds).
import type { UsageLimits } from '../kiro/types.ts';
import type { Disposable, Logger } from '../proxy-types.ts';
import type { TeamConnection } from './connection.ts';
import { isTeamUnavailable } from './errors.ts';
import type { TeamKeys } from './keys.ts';
import { ACQUIRE, DEL_AND_PUBLISH, RELEASE_LEASES, RENEW_LEASES, SET_AND_PUBLISH, SNAPSHOT } from './pool-state-scripts.ts';
import { parseSharedDisabled, parseSharedQuota, parseSharedCooldown, stateValue } from './shared-values.ts';
import { KeptSlots, maxKept, mayKeep, type Slot } from './reserved-slot.ts';
import { ConversationBindings } from './conversation-bindings.ts';
import { encodeTeamEvent } from './team-events.ts';
import type { AccountShared, AcquireRequest, AcquireResult, InFlightLease, SharedPoolState, SkipReason, TeamEvent, TeamEvents } from './types.ts';

export interface RedisPoolStateOptions {
  connection: TeamConnection;
  keys: TeamKeys;
  instanceId: string;
  logger: Logger;
  now?: () => number;
  /** A lease lapses this long after its last renewal (crashed instance). Default 30 s. */
  leaseTtlMs?: number;
  /** A conversation idle this long forgets its account. Default 30 min. */
  stickyTtlMs?: number;
  /** A lease never released (a caller's bug) stops being renewed after this. Default 30 min. */
  maxLeaseMs?: number;
  /** How long a released slot is kept reserved for the next request on its account. Default 15 s; 0: never. */
  reserveIdleMs?: number;
  /** Where `slot-wanted` and `conversation-moved` are heard and said. */
  events?: TeamEvents;
}

/** Quota figures outlive the month they describe by far less than this. */
const QUOTA_TTL_MS = 40 * 24 * 3600_000;

export class RedisPoolState implements SharedPoolState {
  readonly #conn: TeamConnection;
  readonly #keys: TeamKeys;
  readonly #id: string;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #leaseTtlMs: number;
  readonly #stickyTtlMs: number;
  readonly #maxLeaseMs: number;
  readonly #reserveIdleMs: number;
  readonly #events: TeamEvents | undefined;
  /** Slots held by requests, by the id of the lease the request got. */
  readonly #held = new Map<string, Slot>();
  /** The slot kept reserved per account. */
  readonly #kept = new KeptSlots();
  /** Live slots per account across the team, as last counted. */
  readonly #live = new Map<string, number>();
  /** When this instance last said `slot-wanted` per account. */
  readonly #wanted = new Map<string, number>();
  readonly #bindings: ConversationBindings;
  readonly #subs: Disposable[] = [];
  #nextLease = 0;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  #renewing = false;

  constructor(options: RedisPoolStateOptions) {
    this.#conn = options.connection;
    this.#keys = options.keys;
    this.#id = options.instanceId;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#leaseTtlMs = options.leaseTtlMs ?? 30_000;
    this.#stickyTtlMs = options.stickyTtlMs ?? 30 * 60_000;
    this.#maxLeaseMs = options.maxLeaseMs ?? 30 * 60_000;
    this.#reserveIdleMs = options.reserveIdleMs ?? 15_000;
    this.#events = options.events;
    this.#bindings = new ConversationBindings({
      connection: this.#conn,
      keys: this.#keys,
      instanceId: this.#id,
      events: this.#events,
      logger: this.#logger,
      now: this.#now,
      ttlMs: this.#stickyTtlMs,
    });
    if (this.#events) this.#subs.push(this.#events.subscribe((e) => this.#onEvent(e)));
    // Cut off from Redis (a restart may have emptied it): no kept slot is trusted until renewed.
    this.#subs.push(
      this.#conn.onHealth((h) => {
        if (h.state === 'down') for (const s of this.#kept.all()) s.confirmedAt = -Infinity;
      }),
    );
    this.#heartbeat = setInterval(() => void this.#renew(), Math.max(50, Math.floor(this.#leaseTtlMs / 3)));
    this.#heartbeat.unref();
  }

  /** The copy of the team's conversation bindings is complete (a new conversation needs no round trip). */
  get conversationsComplete(): boolean {
    return this.#bindings.complete;
  }

  /** Slots kept reserved, all accounts together (for tests). */
  get reserved(): number {
    return this.#kept.size;
  }

  async acquire(req: AcquireRequest, signal: AbortSignal): Promise<AcquireResult> {
    if (req.candidates.length === 0) return { ok: false, skipped: [] };
    return this.#fromReserved(req) ?? this.#acquireInRedis(req, signal);
  }

  /** Never rejects (callers do not await it): a slot that cannot be given back lapses within the lease TTL. */
  async release(lease: InFlightLease): Promise<void> {
    const slot = this.#held.get(lease.id);
    if (!slot) return;
    this.#held.delete(lease.id);
    const now = this.#now();
    if (this.#mayReserve(slot, now)) {
      slot.keptSince = now;
      this.#kept.put(slot);
      return;
    }
    await this.#giveBack([slot]);
  }

  setCooldown(accountId: string, cooldown: { durationMs: number; reason: string }, signal: AbortSignal): Promise<void> {
    const ms = Math.max(1, Math.round(cooldown.durationMs));
    return this.#set(
      this.#keys.cooldown(accountId),
      stateValue({ reason: cooldown.reason, by: this.#id }),
      ms,
      { type: 'cooldown-started', accountId, remainingMs: ms, reason: cooldown.reason },
      signal,
    );
  }

  clearCooldown(accountId: string, signal: AbortSignal): Promise<void> {
    return this.#del(this.#keys.cooldown(accountId), { type: 'cooldown-cleared', accountId }, signal);
  }

  setDisabled(accountId: string, disabled: { reason: string; durationMs?: number }, signal: AbortSignal): Promise<void> {
    const ms = disabled.durationMs !== undefined ? Math.max(1, Math.round(disabled.durationMs)) : 0;
    const event: TeamEvent =
      ms > 0
        ? { type: 'account-disabled', accountId, reason: disabled.reason, remainingMs: ms }
        : { type: 'account-disabled', accountId, reason: disabled.reason };
    return this.#set(this.#keys.disabled(accountId), stateValue({ reason: disabled.reason, by: this.#id }), ms, event, signal);
  }

  clearDisabled(accountId: string, signal: AbortSignal): Promise<void> {
    return this.#del(this.#keys.disabled(accountId), { type: 'account-enabled', accountId }, signal);
  }

  setQuota(accountId: string, limits: UsageLimits, signal: AbortSignal): Promise<void> {
    return this.#set(this.#keys.quota(accountId), JSON.stringify({ limits, by: this.#id }), QUOTA_TTL_MS, { type: 'quota-updated', accountId }, signal);
  }

  async snapshot(accountIds: readonly string[], signal: AbortSignal): Promise<Map<string, AccountShared>> {
    const out = new Map<string, AccountShared>();
    if (accountIds.length === 0) return out;
    const keys: string[] = [];
    for (const id of accountIds) keys.push(this.#keys.cooldown(id), this.#keys.disabled(id), this.#keys.quota(id), this.#keys.inflight(id));
    const r = await this.#conn.eval<(string | number | null)[]>(SNAPSHOT, keys, [], signal);
    accountIds.forEach((id, i) => {
      const [cdv, cdt, disv, dist, qv, inflight] = r.slice(i * 6, i * 6 + 6);
      const shared: AccountShared = { inFlight: Number(inflight ?? 0) };
      const cooldown = parseSharedCooldown(cdv, Number(cdt));
      if (cooldown) shared.cooldown = cooldown;
      const disabled = parseSharedDisabled(disv, Number(dist));
      if (disabled) shared.disabled = disabled;
      const quota = parseSharedQuota(qv);
      if (quota) shared.quota = quota;
      out.set(id, shared);
    });
    return out;
  }

  async forgetAccount(accountId: string, signal: AbortSignal): Promise<void> {
    // Conversations bound to it are not scanned for: acquire() never picks an account that is not
    // a candidate, and the binding lapses with its TTL.
    this.#kept.takeWhere((s) => s.accountId === accountId);
    await this.#conn.command(
      ['DEL', this.#keys.cooldown(accountId), this.#keys.disabled(accountId), this.#keys.quota(accountId), this.#keys.inflight(accountId)],
      signal,
    );
  }

  /** Gives back every reserved slot (the instance is leaving). Never rejects. */
  async giveBackReserved(): Promise<void> {
    await this.#giveBack(this.#kept.takeWhere(() => true));
  }

  dispose(): void {
    clearInterval(this.#heartbeat);
    for (const s of this.#subs.splice(0)) s.dispose();
    this.#held.clear();
    this.#kept.takeWhere(() => true);
    this.#bindings.dispose();
  }

  /** The request's account keeps a reserved slot here: take it without asking Redis. */
  #fromReserved(req: AcquireRequest): AcquireResult | undefined {
    if (this.#kept.size === 0 || !this.#conn.isUp) return undefined;
    const now = this.#now();
    let accountId = req.candidates[0]!.accountId;
    const binding = req.stickyKey !== undefined ? this.#bindings.lookup(req.stickyKey) : 'new';
    if (binding === 'unknown') return undefined; // Redis knows where the conversation is
    if (binding !== 'new') {
      // Moving to another account: Redis decides (and binds).
      if (!req.candidates.some((c) => c.accountId === binding.accountId)) return undefined;
      accountId = binding.accountId;
    }
    const top = this.#kept.peek(accountId);
    if (!top || now - top.confirmedAt >= this.#leaseTtlMs / 2) return undefined;
    const slot = this.#kept.take(accountId)!;
    delete slot.keptSince;
    slot.takenAt = now;
    slot.limit = req.candidates.find((c) => c.accountId === accountId)!.limit;
    const id = this.#leaseId();
    this.#held.set(id, slot);
    if (req.stickyKey !== undefined) {
      if (binding === 'new') this.#bindings.bindNew(req.stickyKey, accountId);
      else this.#bindings.used(req.stickyKey, accountId);
    }
    return { ok: true, lease: { accountId, id }, accountId, inFlight: this.#live.get(accountId) ?? 1, sticky: binding !== 'new' };
  }

  async #acquireInRedis(req: AcquireRequest, signal: AbortSignal): Promise<AcquireResult> {
    const leaseId = this.#leaseId();
    const sticky = req.stickyKey !== undefined ? this.#keys.sticky(req.stickyKey) : this.#keys.sticky('');
    const keys = [sticky];
    const args = [leaseId, String(this.#leaseTtlMs), req.stickyKey !== undefined ? String(this.#stickyTtlMs) : '0', String(req.candidates.length)];
    // One reserved slot per candidate travels with the call (no request takes it meanwhile).
    const inTransit: Slot[] = [];
    for (const c of req.candidates) {
      const kept = this.#kept.take(c.accountId);
      if (kept) inTransit.push(kept);
      keys.push(this.#keys.cooldown(c.accountId), this.#keys.disabled(c.accountId), this.#keys.inflight(c.accountId));
      args.push(c.accountId, String(Math.max(0, Math.floor(c.limit))), kept?.member ?? '');
    }
    let reply: (string | number | null)[];
    try {
      reply = await this.#conn.eval<(string | number | null)[]>(ACQUIRE, keys, args, signal);
    } catch (err) {
      for (const slot of inTransit) this.#kept.put(slot);
      throw err;
    }
    // The one the script used (if any) is this request's now; the others are kept again.
    const used = reply[0] === 1 ? String(reply[5]) : undefined;
    for (const slot of inTransit) if (slot.member !== used) this.#kept.put(slot);
    const now = this.#now();
    if (reply[0] === 1) {
      const accountId = String(reply[1]);
      const member = String(reply[5]);
      const limit = req.candidates.find((c) => c.accountId === accountId)?.limit ?? 0;
      this.#held.set(leaseId, { accountId, member, limit, takenAt: now, confirmedAt: now });
      this.#live.set(accountId, Number(reply[2]));
      if (req.stickyKey !== undefined) this.#bindings.learnt(req.stickyKey, accountId, reply[4] === 1);
      return { ok: true, lease: { accountId, id: leaseId }, accountId, inFlight: Number(reply[2]), sticky: reply[3] === 1 };
    }
    const skipped: { accountId: string; why: SkipReason; remainingMs?: number }[] = [];
    for (let i = 1; i + 2 < reply.length; i += 3) {
      const why = String(reply[i + 1]) as SkipReason;
      const pttl = Number(reply[i + 2]);
      const accountId = String(reply[i]);
      skipped.push(why !== 'full' && pttl >= 0 ? { accountId, why, remainingMs: pttl } : { accountId, why });
      if (why === 'full') this.#sayWanted(accountId, now);
    }
    return { ok: false, skipped };
  }

  #mayReserve(slot: Slot, now: number): boolean {
    return (
      this.#reserveIdleMs > 0 &&
      this.#conn.isUp &&
      this.#kept.count(slot.accountId) < maxKept(slot.limit) &&
      now - slot.confirmedAt < this.#leaseTtlMs / 2 &&
      mayKeep(slot.limit, this.#live.get(slot.accountId) ?? 0)
    );
  }

  #leaseId(): string {
    return `${this.#id}:${(this.#nextLease++).toString(36)}`;
  }

  /** Tells the team this account is full here, at most every 250 ms per account. */
  #sayWanted(accountId: string, now: number): void {
    if (now - (this.#wanted.get(accountId) ?? -Infinity) < 250) return;
    this.#wanted.set(accountId, now);
    this.#publish({ type: 'slot-wanted', accountId });
  }

  #publish(event: TeamEvent): void {
    this.#events?.publish(event, AbortSignal.timeout(1000)).catch((err: unknown) => {
      if (!isTeamUnavailable(err)) this.#logger.debug(`[team] announcing ${event.type} failed: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  #onEvent(e: TeamEvent): void {
    if (e.type === 'slot-wanted') void this.#giveBack(this.#kept.takeWhere((s) => s.accountId === e.accountId));
  }

  /** Never rejects: a slot that cannot be given back lapses within the lease TTL. */
  async #giveBack(slots: readonly Slot[]): Promise<void> {
    if (slots.length === 0) return;
    try {
      if (slots.length === 1) await this.#conn.command(['ZREM', this.#keys.inflight(slots[0]!.accountId), slots[0]!.member]);
      else
        await this.#conn.eval(
          RELEASE_LEASES,
          slots.map((s) => this.#keys.inflight(s.accountId)),
          slots.map((s) => s.member),
        );
    } catch (err) {
      if (!isTeamUnavailable(err))
        this.#logger.warn(
          `[team] giving back an in-flight slot of ${slots[0]!.accountId} failed (it lapses by itself): ${err instanceof Error ? err.message : String(err)}`,
        );
    }
  }

  async #set(key: string, value: string, ms: number, event: TeamEvent, signal: AbortSignal): Promise<void> {
    await this.#conn.eval(SET_AND_PUBLISH, [key], [value, String(ms), this.#keys.events, encodeTeamEvent(this.#id, this.#now(), event)], signal);
  }

  async #del(key: string, event: TeamEvent, signal: AbortSignal): Promise<void> {
    await this.#conn.eval(DEL_AND_PUBLISH, [key], [this.#keys.events, encodeTeamEvent(this.#id, this.#now(), event)], signal);
  }

  /** The heartbeat: gives back the reserved slots no longer worth keeping, renews the rest, pushes the conversations' TTLs. */
  async #renew(): Promise<void> {
    if (this.#renewing || !this.#conn.isUp) return;
    this.#renewing = true;
    try {
      const now = this.#now();
      const tooOld = now - this.#maxLeaseMs;
      for (const [id, l] of this.#held) {
        if (l.takenAt >= tooOld) continue;
        this.#held.delete(id);
        this.#logger.warn(
          `[team] an in-flight slot of ${l.accountId} was held for over ${Math.round(this.#maxLeaseMs / 60_000)} min without release; letting it lapse`,
        );
      }
      const idle = this.#kept.takeWhere((s) => now - s.keptSince! >= this.#reserveIdleMs || !mayKeep(s.limit, this.#live.get(s.accountId) ?? 0));
      await Promise.all([this.#giveBack(idle), this.#renewSlots(now), this.#bindings.heartbeat()]);
    } catch (err) {
      this.#logger.debug(`[team] in-flight lease renewal failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.#renewing = false;
    }
  }

  async #renewSlots(now: number): Promise<void> {
    const slots = [...this.#held.values(), ...this.#kept.all()];
    if (slots.length === 0) return;
    const reply = await this.#conn.eval<number[]>(
      RENEW_LEASES,
      slots.map((s) => this.#keys.inflight(s.accountId)),
      [String(this.#leaseTtlMs), ...slots.map((s) => s.member)],
    );
    const lapsed = new Set<Slot>();
    slots.forEach((s, i) => {
      this.#live.set(s.accountId, Number(reply[2 * i + 1]));
      if (reply[2 * i] === 1) s.confirmedAt = now;
      else lapsed.add(s);
    });
    // Lapsed (this instance was cut off for a whole lease): the slot may be someone else's now.
    if (lapsed.size > 0) this.#kept.takeWhere((s) => lapsed.has(s));
  }
}
