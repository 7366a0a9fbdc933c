// Team mode over Redis for one instance: checks the configuration first (a missing or bad
// KIRO_PROXY_STATE_KEY refuses to start, before any connection), then opens the connection owner
// and builds every shared part on it. Opening does not wait for Redis: an instance started while
// Redis is away serves from local state and joins when Redis answers.
//
// Load this module with a dynamic import, only when --redis-url is set: it pulls in @redis/client.
import type { Logger } from '../proxy-types.ts';
import { TeamConnection, checkRedisUrl } from './connection.ts';
import { InstancePresence } from './instance-presence.ts';
import { DEFAULT_KEY_PREFIX, teamKeys } from './keys.ts';
import { RedisLock } from './lock.ts';
import { RedisPoolState } from './redis-pool-state.ts';
import { ResilientPoolState } from './resilient-pool-state.ts';
import { TeamRefreshCoordinator } from './refresh-coordinator.ts';
import { parseStateKeys } from './state-key.ts';
import { RedisTeamEvents } from './team-events.ts';
import { RedisTokenVault } from './token-vault.ts';
import { RedisTeamIdentity, type TeamIdentity } from './team-identity.ts';
import type { InstanceInfo, TeamState } from './types.ts';

export interface RedisTeamConfig {
  redisUrl: string;
  /** The raw KIRO_PROXY_STATE_KEY value. */
  stateKey: string | undefined;
  keyPrefix?: string;
  instance: InstanceInfo;
  logger: Logger;
  now?: () => number;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  leaseTtlMs?: number;
  stickyTtlMs?: number;
  reserveIdleMs?: number;
  lockTtlMs?: number;
  refreshWaitMs?: number;
  presenceTtlMs?: number;
}

/** The team, and the identity index the accounts consult (team-identity.ts). */
export type RedisTeam = TeamState & { readonly identity: TeamIdentity };

export async function openRedisTeam(config: RedisTeamConfig): Promise<RedisTeam> {
  const keyring = parseStateKeys(config.stateKey);
  checkRedisUrl(config.redisUrl);
  const keys = teamKeys(config.keyPrefix ?? DEFAULT_KEY_PREFIX);
  const { logger, instance } = config;
  const now = config.now ?? Date.now;
  const connection = await TeamConnection.open({
    url: config.redisUrl,
    logger,
    now,
    ...(config.connectTimeoutMs !== undefined ? { connectTimeoutMs: config.connectTimeoutMs } : {}),
    ...(config.commandTimeoutMs !== undefined ? { commandTimeoutMs: config.commandTimeoutMs } : {}),
  });
  // Give a reachable Redis a moment so the first requests already share state; never block on it.
  await connection.waitUntilUp(AbortSignal.timeout(config.connectTimeoutMs ?? 2000)).catch(() => undefined);
  const events = await RedisTeamEvents.start({ connection, keys, instanceId: instance.id, logger, now });
  const shared = new RedisPoolState({
    connection,
    keys,
    instanceId: instance.id,
    logger,
    now,
    ...(config.leaseTtlMs !== undefined ? { leaseTtlMs: config.leaseTtlMs } : {}),
    ...(config.stickyTtlMs !== undefined ? { stickyTtlMs: config.stickyTtlMs } : {}),
    ...(config.reserveIdleMs !== undefined ? { reserveIdleMs: config.reserveIdleMs } : {}),
    events,
  });
  // Redis while it answers, the instance's own state the moment it does not.
  const pool = new ResilientPoolState({
    shared,
    health: () => connection.health,
    onHealth: (l) => connection.onHealth(l),
    events,
    instanceId: instance.id,
    logger,
    now,
  });
  const identity = new RedisTeamIdentity({ connection, keys, keyring, logger });
  const vault = new RedisTokenVault({ connection, keys, keyring, instanceId: instance.id, logger, now, identity });
  const lock = new RedisLock({ connection, keys, instanceId: instance.id, logger });
  const refresh = new TeamRefreshCoordinator({
    lock,
    vault,
    events,
    logger,
    ...(config.lockTtlMs !== undefined ? { lockTtlMs: config.lockTtlMs } : {}),
    ...(config.refreshWaitMs !== undefined ? { waitMs: config.refreshWaitMs } : {}),
  });
  const presence = new InstancePresence({
    connection,
    keys,
    info: instance,
    logger,
    now,
    ...(config.presenceTtlMs !== undefined ? { ttlMs: config.presenceTtlMs } : {}),
  });
  await presence.start();
  logger.info(`[team] team mode: key prefix ${keys.prefix}, instance ${instance.id}, state key ${keyring.current.id}`);
  return {
    mode: 'redis',
    instanceId: instance.id,
    health: () => connection.health,
    onHealth: (l) => connection.onHealth(l),
    pool,
    vault,
    refresh,
    events,
    identity,
    instances: (signal) => presence.list(signal),
    async close() {
      await Promise.all([presence.stop(AbortSignal.timeout(1000)), shared.giveBackReserved()]);
      refresh.dispose();
      identity.dispose();
      pool.dispose();
      shared.dispose();
      events.dispose();
      await connection.close();
    },
  };
}
