// The account registry: one record per account (what the host handed in, and what the pool
// learned about it), the state derived from it, the change events the hosts show, and recovery
// (one timer for the whole pool, so "cooldown → active" shows without polling; recovery-timer.ts). The executor
// reaches it only through the narrow UpstreamAccounts interface (account-slots.ts); the quota
// service through RegistryCore below. Nothing here talks to Kiro.
import { ProxyError } from '../../errors.ts';
import type { KiroAccountContext } from '../../kiro/types.ts';
import type { AccountView, Clock, Disposable, Logger } from '../../proxy-types.ts';
import { effectiveProfileArn, effectiveRegion } from '../credentials/profile-arn.ts';
import { faultTuningOf, type PoolSettings } from './pool-config.ts';
import { newRecord, toView, type AccountRecord, type PoolAccount } from './pool-account.ts';
import { recordError, type FaultContext } from './account-faults.ts';
import { link } from './pool-attempt.ts';
import { createRecoveryTimer } from './recovery-timer.ts';

export interface RegistryOptions {
  settings: PoolSettings;
  clock: Clock;
  logger: Logger;
  random: () => number;
}

/** What the quota service and the slot keeper use of the registry. */
export interface RegistryCore {
  readonly settings: PoolSettings;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Aborted on dispose: every call the pool makes on its own behalf follows it. */
  readonly lifetime: AbortSignal;
  readonly disposed: boolean;
  /** In the order they were added (round-robin order). */
  records(): IterableIterator<AccountRecord>;
  record(id: string): AccountRecord | undefined;
  /** Throws ProxyError not_found. */
  mustGet(id: string): AccountRecord;
  view(r: AccountRecord): AccountView;
  list(): AccountView[];
  /** Tell the hosts (and re-arm the recovery timer). */
  changed(): void;
  contextFor(r: AccountRecord): Omit<KiroAccountContext, 'accessToken'>;
  profileArnOf(r: AccountRecord): string;
  faultContext(): FaultContext;
  /** Called when a record appears or changes in a way that may free a slot. */
  onSlotsMayHaveFreed(listener: () => void): void;
  slotsMayHaveFreed(): void;
}

export interface AccountRegistry extends RegistryCore {
  add(account: PoolAccount): AccountView;
  remove(id: string): boolean;
  get(id: string): AccountView | undefined;
  setEnabled(id: string, enabled: boolean): AccountView;
  setLabel(id: string, label: string): AccountView;
  /** Forces a token refresh; success clears the expired flag. */
  refreshToken(id: string, signal?: AbortSignal): Promise<AccountView>;
  onChange(listener: (accounts: AccountView[]) => void): Disposable;
  /** Called after a record is added or replaced (team mode reads what the team knows of it). */
  onAdded(listener: (r: AccountRecord) => void): void;
  /** Called after a record is removed (the pool state forgets it). */
  onRemoved(listener: (id: string) => void): void;
  /** Called when the user re-enabled an account that was suspended (the team learns it is back). */
  onUnsuspended(listener: (r: AccountRecord) => void): void;
  dispose(): void;
}

function profileArnOf(r: AccountRecord): string {
  const live = r.account.tokens.credential?.profileArn;
  return effectiveProfileArn(live ? { ...r.account, profileArn: live } : r.account);
}

function contextFor(r: AccountRecord, defaultRegion: string): Omit<KiroAccountContext, 'accessToken'> {
  const a = r.account;
  const profileArn = profileArnOf(r);
  const ctx: Omit<KiroAccountContext, 'accessToken'> = {
    profileArn,
    machineId: a.machineId,
    region: effectiveRegion(a, profileArn, defaultRegion),
  };
  if (a.tokenType) ctx.tokenType = a.tokenType;
  return ctx;
}

/** Who hears about records appearing, going and coming back (team mode, the pool state, waiting requests). */
interface RegistryHooks {
  freed: (() => void)[];
  removed: ((id: string) => void)[];
  added: ((r: AccountRecord) => void)[];
  unsuspended: ((r: AccountRecord) => void)[];
}

interface OperationsDeps {
  records: Map<string, AccountRecord>;
  hooks: RegistryHooks;
  clock: Clock;
  lifetime: AbortSignal;
  mustGet: (id: string) => AccountRecord;
  view: (r: AccountRecord) => AccountView;
  changed: () => void;
  slotsMayHaveFreed: () => void;
}

type AccountOperations = Pick<AccountRegistry, 'add' | 'remove' | 'get' | 'setEnabled' | 'setLabel' | 'refreshToken'>;

/** What the hosts do to accounts (add, remove, enable, rename, refresh), on the registry's records. */
function accountOperations(d: OperationsDeps): AccountOperations {
  const { records, hooks, mustGet, view, changed, slotsMayHaveFreed } = d;
  return {
    add(account) {
      const existing = records.get(account.id);
      if (existing) {
        existing.account = account;
        existing.authFailedReason = undefined;
        existing.degradedReason = undefined;
        if (account.enabled !== undefined) existing.enabled = account.enabled;
      } else {
        records.set(account.id, newRecord(account));
      }
      const r = mustGet(account.id);
      for (const l of hooks.added) l(r);
      slotsMayHaveFreed();
      changed();
      return view(r);
    },
    remove(id) {
      const removed = records.delete(id);
      if (removed) {
        for (const l of hooks.removed) l(id);
        changed();
      }
      return removed;
    },
    get(id) {
      const r = records.get(id);
      return r ? view(r) : undefined;
    },
    setEnabled(id, enabled) {
      const r = mustGet(id);
      r.enabled = enabled;
      if (enabled) {
        const wasSuspended = r.suspendedReason !== undefined;
        r.suspendedReason = undefined;
        if (wasSuspended) for (const l of hooks.unsuspended) l(r);
        r.authFailedReason = undefined;
        r.degradedReason = undefined;
        slotsMayHaveFreed();
      }
      changed();
      return view(r);
    },
    setLabel(id, label) {
      const r = mustGet(id);
      r.account = { ...r.account, label };
      changed();
      return view(r);
    },
    async refreshToken(id, signal) {
      const r = mustGet(id);
      const ctl = new AbortController();
      const unlinks = [link(d.lifetime, ctl), ...(signal ? [link(signal, ctl)] : [])];
      try {
        await r.account.tokens.getAccessToken({ signal: ctl.signal, forceRefresh: true });
        r.authFailedReason = undefined;
        r.degradedReason = undefined;
        changed();
        return view(r);
      } catch (err) {
        if (!ctl.signal.aborted) {
          recordError(r, d.clock.now(), `token refresh: ${err instanceof Error ? err.message : String(err)}`, 'token', false);
          changed();
        }
        throw err;
      } finally {
        for (const u of unlinks) u();
      }
    },
  };
}

export function createAccountRegistry(options: RegistryOptions): AccountRegistry {
  const { settings, clock, logger, random } = options;
  const records = new Map<string, AccountRecord>();
  const listeners = new Set<(accounts: AccountView[]) => void>();
  const hooks: RegistryHooks = { freed: [], removed: [], added: [], unsuspended: [] };
  const lifetime = new AbortController();
  const recovery = createRecoveryTimer(
    clock,
    () => records.values(),
    () => changed(),
  );
  let disposed = false;

  function list(): AccountView[] {
    const now = clock.now();
    return [...records.values()].map((r) => toView(r, now));
  }

  function changed(): void {
    if (disposed) return;
    recovery.schedule();
    if (listeners.size === 0) return;
    const views = list();
    for (const l of [...listeners]) {
      try {
        l(views);
      } catch (err) {
        logger.error(`[pool] onChange listener failed: ${(err as Error)?.message ?? 'unknown error'}`);
      }
    }
  }

  function slotsMayHaveFreed(): void {
    for (const l of hooks.freed) l();
  }

  function mustGet(id: string): AccountRecord {
    const r = records.get(id);
    if (!r) throw new ProxyError('not_found', `no Kiro account with id ${id}`, { code: 'ACCOUNT_NOT_FOUND' });
    return r;
  }

  const view = (r: AccountRecord) => toView(r, clock.now());
  const ops = accountOperations({ records, hooks, clock, lifetime: lifetime.signal, mustGet, view, changed, slotsMayHaveFreed });

  return {
    settings,
    clock,
    logger,
    lifetime: lifetime.signal,
    get disposed() {
      return disposed;
    },
    records: () => records.values(),
    record: (id) => records.get(id),
    mustGet,
    view,
    list,
    changed,
    contextFor: (r) => contextFor(r, settings.config.region),
    profileArnOf,
    faultContext: () => ({ now: clock.now(), logger, random, tuning: faultTuningOf(settings) }),
    onSlotsMayHaveFreed: (l) => void hooks.freed.push(l),
    slotsMayHaveFreed,
    onRemoved: (l) => void hooks.removed.push(l),
    onAdded: (l) => void hooks.added.push(l),
    onUnsuspended: (l) => void hooks.unsuspended.push(l),
    add: ops.add,
    remove: ops.remove,
    get: ops.get,
    setEnabled: ops.setEnabled,
    setLabel: ops.setLabel,
    refreshToken: ops.refreshToken,
    onChange(listener) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      recovery.clear();
      lifetime.abort();
      listeners.clear();
      slotsMayHaveFreed();
    },
  };
}
