// SharedPoolState over Redis: cooldowns and disabled states as keys that expire by themselves,
// quota figures, conversation stickiness, and per-account in-flight caps that hold across
// instances (leases in a sorted set; see pool-state-scripts.ts). State changes and their event go
// out in one script, so a peer never sees the event before the state.
import type { UsageLimits } from '../kiro/types.ts';
import type { Logger } from '../proxy-types.ts';
import type { TeamConnection } from './connection.ts';
import { isTeamUnavailable } from './errors.ts';
import type { TeamKeys } from './keys.ts';
import { ACQUIRE, DEL_AND_PUBLISH, RENEW_LEASES, SET_AND_PUBLISH, SNAPSHOT } from './pool-state-scripts.ts';
import { parseSharedDisabled, parseSharedQuota, parseSharedCooldown, stateValue } from './shared-values.ts';
import { encodeTeamEvent } from './team-events.ts';
import type { AccountShared, AcquireRequest, AcquireResult, InFlightLease, SharedPoolState, SkipReason, TeamEvent } from './types.ts';

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
  /** Live leases of this instance (renewed by the heartbeat): lease id → account id and when taken. */
  readonly #leases = new Map<string, { accountId: string; at: number }>();
  readonly #maxLeaseMs: number;
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
    this.#heartbeat = setInterval(() => void this.#renew(), Math.max(50, Math.floor(this.#leaseTtlMs / 3)));
    this.#heartbeat.unref();
  }

  async acquire(req: AcquireRequest, signal: AbortSignal): Promise<AcquireResult> {
    if (req.candidates.length === 0) return { ok: false, skipped: [] };
    const leaseId = `${this.#id}:${(this.#nextLease++).toString(36)}`;
    const sticky = req.stickyKey !== undefined ? this.#keys.sticky(req.stickyKey) : this.#keys.sticky('');
    const keys = [sticky];
    const args = [leaseId, String(this.#leaseTtlMs), req.stickyKey !== undefined ? String(this.#stickyTtlMs) : '0', String(req.candidates.length)];
    for (const c of req.candidates) {
      keys.push(this.#keys.cooldown(c.accountId), this.#keys.disabled(c.accountId), this.#keys.inflight(c.accountId));
      args.push(c.accountId, String(Math.max(0, Math.floor(c.limit))));
    }
    const reply = await this.#conn.eval<(string | number | null)[]>(ACQUIRE, keys, args, signal);
    if (reply[0] === 1) {
      const accountId = String(reply[1]);
      this.#leases.set(leaseId, { accountId, at: this.#now() });
      return { ok: true, lease: { accountId, id: leaseId }, accountId, inFlight: Number(reply[2]), sticky: reply[3] === 1 };
    }
    const skipped: { accountId: string; why: SkipReason; remainingMs?: number }[] = [];
    for (let i = 1; i + 2 < reply.length; i += 3) {
      const why = String(reply[i + 1]) as SkipReason;
      const pttl = Number(reply[i + 2]);
      skipped.push(why !== 'full' && pttl >= 0 ? { accountId: String(reply[i]), why, remainingMs: pttl } : { accountId: String(reply[i]), why });
    }
    return { ok: false, skipped };
  }

  /** Never rejects (callers do not await it): a slot that cannot be given back lapses within the lease TTL. */
  async release(lease: InFlightLease): Promise<void> {
    this.#leases.delete(lease.id);
    try {
      await this.#conn.command(['ZREM', this.#keys.inflight(lease.accountId), lease.id]);
    } catch (err) {
      if (!isTeamUnavailable(err))
        this.#logger.warn(
          `[team] giving back an in-flight slot of ${lease.accountId} failed (it lapses by itself): ${err instanceof Error ? err.message : String(err)}`,
        );
    }
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
    await this.#conn.command(
      ['DEL', this.#keys.cooldown(accountId), this.#keys.disabled(accountId), this.#keys.quota(accountId), this.#keys.inflight(accountId)],
      signal,
    );
  }

  dispose(): void {
    clearInterval(this.#heartbeat);
    this.#leases.clear();
  }

  async #set(key: string, value: string, ms: number, event: TeamEvent, signal: AbortSignal): Promise<void> {
    await this.#conn.eval(SET_AND_PUBLISH, [key], [value, String(ms), this.#keys.events, encodeTeamEvent(this.#id, this.#now(), event)], signal);
  }

  async #del(key: string, event: TeamEvent, signal: AbortSignal): Promise<void> {
    await this.#conn.eval(DEL_AND_PUBLISH, [key], [this.#keys.events, encodeTeamEvent(this.#id, this.#now(), event)], signal);
  }

  async #renew(): Promise<void> {
    if (this.#renewing || this.#leases.size === 0 || !this.#conn.isUp) return;
    this.#renewing = true;
    try {
      const keys: string[] = [];
      const args = [String(this.#leaseTtlMs)];
      const tooOld = this.#now() - this.#maxLeaseMs;
      for (const [leaseId, l] of this.#leases) {
        if (l.at < tooOld) {
          this.#leases.delete(leaseId);
          this.#logger.warn(
            `[team] an in-flight slot of ${l.accountId} was held for over ${Math.round(this.#maxLeaseMs / 60_000)} min without release; letting it lapse`,
          );
          continue;
        }
        keys.push(this.#keys.inflight(l.accountId));
        args.push(leaseId);
      }
      if (keys.length === 0) return;
      await this.#conn.eval(RENEW_LEASES, keys, args);
    } catch (err) {
      this.#logger.debug(`[team] in-flight lease renewal failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.#renewing = false;
    }
  }
}
