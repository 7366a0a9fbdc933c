// Team state of a single instance, all in process: the default when no --redis-url is given.
// The same interfaces as Redis mode, so the pool is written once against them.
import type { Logger } from '../proxy-types.ts';
import { MemoryLock } from './lock.ts';
import { MemoryPoolState } from './memory-pool-state.ts';
import { TeamRefreshCoordinator } from './refresh-coordinator.ts';
import { createLocalEventHub } from './team-events.ts';
import { MemoryTokenVault } from './token-vault.ts';
import type { InstanceInfo, TeamHealth, TeamState } from './types.ts';

export function localTeam(options: { instance: InstanceInfo; logger: Logger; now?: () => number; stickyTtlMs?: number }): TeamState {
  const { instance, logger } = options;
  const now = options.now ?? Date.now;
  const pool = new MemoryPoolState({ instanceId: instance.id, now, ...(options.stickyTtlMs !== undefined ? { stickyTtlMs: options.stickyTtlMs } : {}) });
  const vault = new MemoryTokenVault({ instanceId: instance.id, now });
  const lock = new MemoryLock({ instanceId: instance.id, logger, now });
  const events = createLocalEventHub(logger, now).join(instance.id);
  const refresh = new TeamRefreshCoordinator({ lock, vault, events, logger });
  const health: TeamHealth = { state: 'up', since: now() };
  return {
    mode: 'local',
    instanceId: instance.id,
    health: () => ({ ...health }),
    onHealth: () => ({ dispose: () => undefined }),
    pool,
    vault,
    refresh,
    events,
    instances: async () => [{ ...instance }],
    async close() {
      refresh.dispose();
      events.dispose();
      pool.dispose();
    },
  };
}
