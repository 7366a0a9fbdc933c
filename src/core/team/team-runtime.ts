// Team mode for one start of the proxy: opens the Redis team when --redis-url is set (and only
// then loads redis-team.ts, which pulls in @redis/client: the shipped bundles keep it in a
// separate file, dist/team.js, see esbuild.mjs), and keeps what /health shows of it without a
// Redis call on the health path (the connection state, and the live instances, re-read in the
// background). Without a Redis URL there is no team: the pool keeps its state in process.
import type { Disposable, Logger, ProxyConfig } from '../proxy-types.ts';
import type { RedisTeam, RedisTeamConfig } from './redis-team.ts';
import type { TeamIdentity } from './team-identity.ts';
import type { InstanceInfo, TeamState } from './types.ts';

/** Timings a test or a benchmark may shorten (production uses redis-team.ts defaults). */
export type TeamTuning = Partial<
  Pick<RedisTeamConfig, 'connectTimeoutMs' | 'commandTimeoutMs' | 'leaseTtlMs' | 'stickyTtlMs' | 'lockTtlMs' | 'refreshWaitMs' | 'presenceTtlMs'>
>;

export interface TeamRuntimeDeps {
  logger: Logger;
  /** The raw KIRO_PROXY_STATE_KEY (never logged; a missing or bad one refuses to start). */
  stateKey: string | undefined;
  instance: InstanceInfo;
  /** The URL's password is registered here so no log line, error or view can carry it. */
  registerSecret?(value: string): void;
  tuning?: TeamTuning;
  /** How often the instance list shown by /health is re-read. Default 10 s. */
  instancesEveryMs?: number;
  /** The view changed (Redis went down or up, the instance count changed): hosts re-read their status. */
  onViewChange?(): void;
}

/** What /health shows of team mode. Never holds the Redis URL. */
export interface TeamHealthView {
  mode: 'redis';
  instance: string;
  redis: 'up' | 'down';
  /** Epoch ms of the last change of `redis`. */
  since: number;
  /** Live instances of the team, as last read (this one included); undefined before the first read. */
  instances?: number;
}

export interface TeamRuntime {
  readonly team: TeamState;
  /** Which account a refresh token is, team-wide (team-identity.ts). */
  readonly identity?: TeamIdentity;
  view(): TeamHealthView;
  close(): Promise<void>;
}

/** The password of a redis:// URL (user:pass@ or :pass@), if any. */
export function redisUrlPassword(url: string): string | undefined {
  try {
    const p = new URL(url).password;
    return p ? decodeURIComponent(p) : undefined;
  } catch {
    return undefined;
  }
}

/** Opens the team when `config.redisUrl` is set; undefined otherwise (nothing is loaded). */
export async function startTeamRuntime(config: Pick<ProxyConfig, 'redisUrl' | 'redisPrefix'>, deps: TeamRuntimeDeps): Promise<TeamRuntime | undefined> {
  const url = config.redisUrl;
  if (!url) return undefined;
  const password = redisUrlPassword(url);
  if (password) {
    deps.registerSecret?.(password);
    // The percent-encoded form is what a URL echoed in an error would show.
    deps.registerSecret?.(encodeURIComponent(password));
  }
  const { openRedisTeam } = await import('./redis-team.ts');
  const team = await openRedisTeam({
    redisUrl: url,
    stateKey: deps.stateKey,
    keyPrefix: config.redisPrefix,
    instance: deps.instance,
    logger: deps.logger,
    ...deps.tuning,
  });
  return wrap(team, deps);
}

function wrap(team: RedisTeam, deps: TeamRuntimeDeps): TeamRuntime {
  const lifetime = new AbortController();
  let instances: number | undefined;
  let reading = false;
  const readInstances = () => {
    if (reading || lifetime.signal.aborted || team.health().state !== 'up') return;
    reading = true;
    team
      .instances(AbortSignal.any([lifetime.signal, AbortSignal.timeout(2000)]))
      .then((list) => {
        if (list.length === instances) return;
        instances = list.length;
        deps.onViewChange?.();
      })
      .catch(() => undefined)
      .finally(() => (reading = false));
  };
  const subs: Disposable[] = [
    team.onHealth((h) => {
      deps.onViewChange?.();
      if (h.state === 'up') readInstances();
    }),
    team.events.subscribe((e) => (e.type === 'instance-up' || e.type === 'instance-down') && readInstances()),
  ];
  const timer = setInterval(readInstances, deps.instancesEveryMs ?? 10_000);
  timer.unref();
  readInstances();
  return {
    team,
    identity: team.identity,
    view() {
      const h = team.health();
      return { mode: 'redis', instance: team.instanceId, redis: h.state, since: h.since, ...(instances !== undefined ? { instances } : {}) };
    },
    async close() {
      lifetime.abort();
      clearInterval(timer);
      for (const s of subs.splice(0)) s.dispose();
      await team.close();
    },
  };
}
