// Keeps the registry's records and the pool state (src/core/team, SharedPoolState) in step.
// Outbound: a lasting consequence decided here (cooldown, quota-disabled, suspended), lifted
// states and fresh quota figures are written to the pool state, without waiting. Inbound (team
// mode only): what other instances announce (events), what acquire() found (a peer's cooldown),
// and a snapshot at start, after a gap in events and when Redis is back, update the local
// records, so list(), the dashboard and the local pre-selection show the team's truth.
// The local records stay the source of the hot path; the pool state is re-checked by acquire().
import type { UsageLimits } from '../../kiro/types.ts';
import type { Disposable } from '../../proxy-types.ts';
import type { AccountShared, AcquireResult, SharedPoolState, TeamEvent } from '../../team/types.ts';
import type { FaultAction } from './fault-policy.ts';
import type { PoolTeam } from './pool-config.ts';
import type { AccountRecord } from './pool-account.ts';
import type { RegistryCore } from './registry.ts';

export interface SharedSync extends Disposable {
  /** After applyAccountConsequence changed `r` because of `kind`. */
  consequence(r: AccountRecord, kind: FaultAction['kind']): void;
  /** The user re-enabled a suspended account, or fresh quota figures lifted a quota-disable. */
  lifted(r: AccountRecord): void;
  quota(accountId: string, limits: UsageLimits): void;
  /** What acquire() passed over: a peer's cooldown or disable this instance had not heard of. True when a record changed. */
  skipped(skipped: Extract<AcquireResult, { ok: false }>['skipped']): boolean;
  /** A record appeared (team mode reads what the team knows of it). */
  added(accountId: string): void;
}

const FOREIGN = 'disabled on another instance of the team';

type Fail = (what: string) => (err: unknown) => void;

/** A cooldown learned from the team, unless the local one lasts longer; true when `r` changed. */
function cooled(r: AccountRecord, until: number, reason: string): boolean {
  if (r.cooldownUntil !== undefined && r.cooldownUntil >= until) return false;
  r.cooldownUntil = until;
  r.cooldownReason = reason;
  return true;
}

/** A disable (`remainingMs` undefined: a suspension) learned from the team; true when `r` changed. */
function disabled(r: AccountRecord, now: number, remainingMs: number | undefined, reason: string): boolean {
  if (remainingMs === undefined) {
    if (r.suspendedReason !== undefined) return false;
    r.suspendedReason = reason;
    return true;
  }
  const until = now + remainingMs;
  if (r.disabledUntil !== undefined && r.disabledUntil >= until) return false;
  r.disabledUntil = until;
  r.disabledReason = reason;
  return true;
}

/** Inbound: what another instance announced, on the local record. */
function takeEvent(core: RegistryCore, e: TeamEvent, added: (accountId: string) => void): void {
  if (!('accountId' in e)) return;
  const r = core.record(e.accountId);
  if (!r) return;
  const now = core.clock.now();
  let changed: boolean;
  switch (e.type) {
    case 'cooldown-started':
      changed = cooled(r, now + e.remainingMs, e.reason);
      break;
    case 'cooldown-cleared':
      changed = r.cooldownUntil !== undefined;
      r.cooldownUntil = undefined;
      break;
    case 'account-disabled':
      changed = disabled(r, core.clock.now(), e.remainingMs, e.reason);
      break;
    case 'account-enabled':
      changed = r.suspendedReason !== undefined || r.disabledUntil !== undefined;
      r.suspendedReason = r.disabledUntil = r.disabledReason = r.disabledWithOverage = undefined;
      break;
    case 'quota-updated':
      added(e.accountId);
      return;
    default:
      return;
  }
  if (!changed) return;
  core.changed();
  if (e.type === 'account-enabled' || e.type === 'cooldown-cleared') core.slotsMayHaveFreed();
}

/** Inbound: adds what the team knows; never clears a local state (a change of ours may not be written yet). */
function adoptSnapshot(core: RegistryCore, snap: Map<string, AccountShared>): void {
  const now = core.clock.now();
  let changed = false;
  for (const [id, s] of snap) {
    const r = core.record(id);
    if (!r) continue;
    if (s.cooldown) changed = cooled(r, now + s.cooldown.remainingMs, s.cooldown.reason) || changed;
    if (s.disabled) changed = disabled(r, core.clock.now(), s.disabled.remainingMs, s.disabled.reason) || changed;
    const q = s.quota?.limits;
    if (q && (r.quota === undefined || q.fetchedAt > r.quota.fetchedAt)) {
      r.quota = q;
      changed = true;
    }
  }
  if (changed) core.changed();
}

/** Inbound: what acquire() passed over, on the local records; true when one changed. */
function takeSkipped(core: RegistryCore, skipped: Extract<AcquireResult, { ok: false }>['skipped']): boolean {
  let changed = false;
  const now = core.clock.now();
  for (const s of skipped) {
    const r = core.record(s.accountId);
    if (!r || s.why === 'full') continue;
    if (s.why === 'cooldown') changed = cooled(r, now + (s.remainingMs ?? 1000), r.cooldownReason ?? 'cooling down on another instance of the team') || changed;
    else changed = disabled(r, core.clock.now(), s.remainingMs, r.disabledReason ?? FOREIGN) || changed;
  }
  if (changed) core.changed();
  return changed;
}

/** Outbound: the local decisions written to the pool state, without waiting. */
function outboundWrites(core: RegistryCore, state: SharedPoolState, fail: Fail): Pick<SharedSync, 'consequence' | 'lifted' | 'quota'> {
  return {
    consequence(r, kind) {
      const id = r.account.id;
      const now = core.clock.now();
      const signal = core.lifetime;
      if (kind === 'cooldown' && r.cooldownUntil !== undefined) {
        void state.setCooldown(id, { durationMs: r.cooldownUntil - now, reason: r.cooldownReason ?? 'cooling down' }, signal).catch(fail('a cooldown'));
      } else if (kind === 'disable_until' && r.disabledUntil !== undefined) {
        void state.setDisabled(id, { reason: r.disabledReason ?? 'quota exhausted', durationMs: r.disabledUntil - now }, signal).catch(fail('a quota-disable'));
      } else if (kind === 'suspend' && r.suspendedReason !== undefined) {
        void state.setDisabled(id, { reason: r.suspendedReason }, signal).catch(fail('a suspension'));
      }
    },
    lifted(r) {
      const id = r.account.id;
      const now = core.clock.now();
      // One shared "disabled" per account: a quota-disable still running outlives a lifted suspension.
      const p =
        r.disabledUntil !== undefined && r.disabledUntil > now
          ? state.setDisabled(id, { reason: r.disabledReason ?? 'quota exhausted', durationMs: r.disabledUntil - now }, core.lifetime)
          : r.suspendedReason !== undefined
            ? state.setDisabled(id, { reason: r.suspendedReason }, core.lifetime)
            : state.clearDisabled(id, core.lifetime);
      void p.catch(fail('a re-enable'));
    },
    quota(accountId, limits) {
      void state.setQuota(accountId, limits, core.lifetime).catch(fail('quota figures'));
    },
  };
}

export function createSharedSync(core: RegistryCore, state: SharedPoolState, team: PoolTeam | undefined): SharedSync {
  const subs: Disposable[] = [];
  let pendingSnapshot: Set<string> | undefined;

  const fail: Fail = (what) => (err) => {
    if (!core.disposed) core.logger.debug(`[pool] sharing ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  };

  /** Resync: the team's view of these accounts, after what this instance still has to write. */
  async function resync(ids: readonly string[]): Promise<void> {
    if (ids.length === 0 || core.disposed) return;
    const flush = (state as { flush?: () => Promise<void> }).flush;
    if (flush) await flush.call(state);
    adoptSnapshot(core, await state.snapshot(ids, core.lifetime));
  }

  /** Batches the reads of one tick (accounts are added one by one at start). */
  function added(accountId: string): void {
    if (!team) return;
    if (pendingSnapshot) return void pendingSnapshot.add(accountId);
    pendingSnapshot = new Set([accountId]);
    queueMicrotask(() => {
      const ids = [...pendingSnapshot!];
      pendingSnapshot = undefined;
      resync(ids).catch(fail('a snapshot read'));
    });
  }

  const all = () => [...core.records()].map((r) => r.account.id);
  if (team?.events) {
    subs.push(team.events.subscribe((e) => takeEvent(core, e, added)));
    subs.push(team.events.onResubscribed(() => void resync(all()).catch(fail('a resync'))));
  }
  if (team?.onHealth) subs.push(team.onHealth((h) => h.state === 'up' && void resync(all()).catch(fail('a resync'))));

  return {
    ...outboundWrites(core, state, fail),
    skipped: (skipped) => takeSkipped(core, skipped),
    added,
    dispose() {
      for (const s of subs.splice(0)) s.dispose();
    },
  };
}
