// The account pool as the rest of the app sees it (AccountPool for the pipeline,
// ManagedAccountPool for the hosts): a thin facade over three parts with one concern each —
// the account registry (records, derived state, change events, recovery; registry.ts), the
// quota service (usage figures, on demand and scheduled; quota/quota-service.ts) and the
// upstream executor (failover, attempts, leases, request timeout; executor.ts), which reaches
// the registry only through acquire/report (account-slots.ts).
import { createAccountSlots } from './account-slots.ts';
import { createUpstreamExecutor } from './executor.ts';
import { DEFAULT_POOL_TUNING, type AccountPoolOptions, type ManagedAccountPool, type PoolSettings } from './pool-config.ts';
import { createAccountRegistry } from './registry.ts';
import { createQuotaService } from '../quota/quota-service.ts';
import { MemoryPoolState } from '../../team/memory-pool-state.ts';
import { createSharedSync } from './shared-sync.ts';

export type { AccountPoolOptions, ManagedAccountPool, PoolConfig, PoolTuning } from './pool-config.ts';

export function createAccountPool(options: AccountPoolOptions): ManagedAccountPool {
  const { client, clock, logger } = options;
  const random = options.random ?? Math.random;
  const settings: PoolSettings = { config: { ...options.config }, tuning: { ...DEFAULT_POOL_TUNING, ...options.tuning } };
  const registry = createAccountRegistry({ settings, clock, logger, random });
  // The in-process state by default; team mode shares it through Redis (src/core/team).
  const state =
    options.team?.pool ??
    new MemoryPoolState({
      instanceId: 'local',
      now: () => clock.now(),
      stickyTtlMs: settings.tuning.stickyTtlMs,
      stickyMaxEntries: settings.tuning.stickyMaxEntries,
    });
  const sync = createSharedSync(registry, state, options.team);
  const slots = createAccountSlots({ core: registry, state, sync, decided: (id, kind) => options.onConsequence?.(id, kind) });
  registry.onAdded((r) => sync.added(r.account.id));
  registry.onRemoved((id) => void state.forgetAccount(id, registry.lifetime).catch(() => undefined));
  registry.onUnsuspended((r) => sync.lifted(r));
  const quota = createQuotaService({ registry, client, onFetched: (id, q) => sync.quota(id, q), onReenabled: (id) => sync.lifted(registry.mustGet(id)) });
  const executor = createUpstreamExecutor({ client, clock, random, settings, accounts: slots, lifetime: registry.lifetime, disposed: () => registry.disposed });

  return {
    execute: (req) => executor.execute(req),
    add: (account) => registry.add(account),
    remove: (id) => registry.remove(id),
    list: () => registry.list(),
    get: (id) => registry.get(id),
    setEnabled: (id, enabled) => registry.setEnabled(id, enabled),
    setLabel: (id, label) => registry.setLabel(id, label),
    refreshToken: (id, signal) => registry.refreshToken(id, signal),
    refreshQuota: (id, signal) => quota.refreshQuota(id, signal),
    refreshAllQuotas: (signal) => quota.refreshAllQuotas(signal),
    updateConfig(patch) {
      settings.config = { ...settings.config, ...patch };
      registry.slotsMayHaveFreed();
    },
    onChange: (listener) => registry.onChange(listener),
    dispose() {
      if (registry.disposed) return;
      quota.dispose();
      sync.dispose();
      registry.dispose();
      // A team's state belongs to the team (closed with it); the in-process one is ours.
      if (!options.team) state.dispose();
    },
  };
}
