// The pool's settings and its public surface: what the composition root hands createAccountPool
// and what the hosts get back. Kept apart from the parts (registry, quota service, executor) so
// each of them can read the settings without importing the facade.
import type { KiroClient } from '../../kiro/types.ts';
import type { AccountView, Clock, Disposable, Logger, ProxyConfig } from '../../proxy-types.ts';
import type { SharedPoolState, TeamEvents, TeamHealth } from '../../team/types.ts';
import type { FaultAction, FaultTuning } from './fault-policy.ts';
import type { PoolAccount } from './pool-account.ts';
import type { AccountPool } from './pool-types.ts';
import { DEFAULT_QUOTA_PROBE_INTERVAL_MS } from '../quota/quota-verdict.ts';

export type PoolConfig = Pick<
  ProxyConfig,
  'selectionStrategy' | 'cooldownSeconds' | 'accountConcurrency' | 'requestTimeoutMs' | 'firstTokenTimeoutMs' | 'region'
>;

export interface PoolTuning extends Omit<FaultTuning, 'throttleCooldownMs'> {
  /** Upper bound of upstream attempts per request, all accounts together. */
  maxAttempts: number;
  stickyMaxEntries: number;
  stickyTtlMs: number;
  /** 0 disables the schedule (on-demand refreshQuota still works). */
  quotaRefreshIntervalMs: number;
  quotaInitialDelayMs: number;
  /** When the usage numbers say "used up", Kiro is asked with a real request at most this often (quota-verdict.ts). */
  quotaProbeIntervalMs: number;
}

export const DEFAULT_POOL_TUNING: PoolTuning = {
  rateLimitCooldownMs: 15_000,
  serverRetries: 2,
  capacityRetries: 3,
  capacityMaxWaitMs: 30_000,
  backoff: { baseMs: 500, maxMs: 8_000 },
  maxAttempts: 12,
  stickyMaxEntries: 10_000,
  stickyTtlMs: 6 * 60 * 60_000,
  quotaRefreshIntervalMs: 15 * 60_000,
  quotaInitialDelayMs: 5_000,
  quotaProbeIntervalMs: DEFAULT_QUOTA_PROBE_INTERVAL_MS,
};

/**
 * The pool's side of team mode (src/core/team): a TeamState from `openRedisTeam(…)` (or
 * `localTeam(…)`) fits as it is. Without one the pool keeps this state in process.
 */
export interface PoolTeam {
  readonly instanceId: string;
  /** Cooldowns, disabled states, quota figures, stickiness and in-flight caps, shared. */
  readonly pool: SharedPoolState;
  /** What the other instances announce (their cooldowns, disables, quota updates). */
  readonly events?: TeamEvents;
  /** Redis back after a gap: the pool re-reads what the team knows. */
  onHealth?(listener: (health: TeamHealth) => void): Disposable;
}

export interface AccountPoolOptions {
  client: KiroClient;
  config: PoolConfig;
  clock: Clock;
  logger: Logger;
  /** [0, 1); injectable so jitter is deterministic in tests. */
  random?: () => number;
  tuning?: Partial<PoolTuning>;
  /** Team mode: share the pool's state with the other instances of a team (see PoolTeam). */
  team?: PoolTeam;
  /**
   * A lasting consequence (cooldown, quota-disable, suspension, needs login) this instance decided
   * from an upstream answer it got itself; never what it learned from the team (the metrics count these).
   */
  onConsequence?(accountId: string, kind: FaultAction['kind']): void;
}

export interface ManagedAccountPool extends AccountPool {
  /** Adds or replaces (same id: keeps counters and quota, clears auth/degraded flags). */
  add(account: PoolAccount): AccountView;
  remove(id: string): boolean;
  list(): AccountView[];
  get(id: string): AccountView | undefined;
  /** Enabling is the user's "try again": it also clears suspended and expired flags. */
  setEnabled(id: string, enabled: boolean): AccountView;
  setLabel(id: string, label: string): AccountView;
  /** Forces a token refresh; success clears the expired flag. */
  refreshToken(id: string, signal?: AbortSignal): Promise<AccountView>;
  refreshQuota(id: string, signal?: AbortSignal): Promise<AccountView>;
  refreshAllQuotas(signal?: AbortSignal): Promise<void>;
  updateConfig(patch: Partial<PoolConfig>): void;
  onChange(listener: (accounts: AccountView[]) => void): Disposable;
  dispose(): void;
}

/** Settings every part reads live (updateConfig replaces `config`). */
export interface PoolSettings {
  config: PoolConfig;
  readonly tuning: PoolTuning;
}

export function faultTuningOf(s: PoolSettings): FaultTuning {
  return { ...s.tuning, throttleCooldownMs: s.config.cooldownSeconds * 1000 };
}
