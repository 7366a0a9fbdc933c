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

export { DEFAULT_POOL_TUNING } from './pool-config.ts';
export type { AccountPoolOptions, ManagedAccountPool, PoolConfig, PoolTuning } from './pool-config.ts';

export function createAccountPool(options: AccountPoolOptions): ManagedAccountPool {
  const { client, clock, logger } = options;
  const random = options.random ?? Math.random;
  const settings: PoolSettings = { config: { ...options.config }, tuning: { ...DEFAULT_POOL_TUNING, ...options.tuning } };
  const registry = createAccountRegistry({ settings, clock, logger, random });
  const slots = createAccountSlots(registry);
  registry.onRemoved((id) => slots.forget(id));
  const quota = createQuotaService({ registry, client });
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
      registry.dispose();
    },
  };
}
