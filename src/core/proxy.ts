// Composition root: createProxy(config, deps) wires the proxy-scoped parts (config, events, the
// request log and counts, metrics, the response cache, secret scrubbing) and starts/stops a
// Runtime (runtime.ts: upstream client, account pool, HTTP server) — one per start, one teardown.
// Every host (CLI, VS Code, tests) builds the proxy here with its own side effects injected.
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { AccountView, Clock, Logger, ProxyConfig, ProxyEvent, ProxyHandle, ProxyStatus, RequestLogEntry, SecretStore } from './proxy-types.ts';
import { checkBindPolicy } from './server/bind-policy.ts';
import { RequestLog } from './observe/request-log.ts';
import { JsonlSink } from './observe/jsonl-sink.ts';
import { ProxyMetrics } from './observe/metrics.ts';
import { createSecretRegistry, type SecretRegistry } from './observe/redact.ts';
import { withRedaction } from './observe/redacting-logger.ts';
import { emptyTally, isErrorStatus, tallyStatus } from './observe/request-outcome.ts';
import { CompletionCache } from './pipeline/cache.ts';
import { ProxyError } from './errors.ts';
import { persistableSettings } from './settings-file.ts';
import { poolConfigOf, Runtime, type RuntimeEnv, type StartScopedService } from './runtime.ts';
import { proxyAccounts } from './proxy-accounts.ts';
import type { AccountManager } from './accounts/store/account-manager.ts';
import type { TeamTuning } from './team/team-runtime.ts';

const VERSION = '0.1.0';

export interface ProxyDeps {
  logger: Logger;
  secrets: SecretStore;
  clock?: Clock;
  /** Shared with the host's own logger so every loaded token is scrubbed there too. */
  secretRegistry?: SecretRegistry;
  /** Folder with the built dashboard (webview.js, dashboard.css). */
  dashboardDir?: string;
  /**
   * Headless hosts keep behaviour settings changed at run time (dashboard) in
   * KIRO_PROXY_HOME/config.json. The editor keeps them in its own settings instead.
   */
  persistSettings?: boolean;
  /** Headless: journal rotated tokens in KIRO_PROXY_HOME before the store update (accounts/tokens/refresh-journal.ts). */
  refreshJournal?: boolean;
  /** Slow-client limits of the request body reader (defaults in server/body.ts); tests shorten them. */
  bodyTimeouts?: { idleMs?: number; totalMs?: number };
  /** Services that live as long as one start (runtime.ts StartScopedService), e.g. team mode. */
  services?: readonly StartScopedService[];
  /**
   * Team mode (config.redisUrl): the operator's KIRO_PROXY_STATE_KEY, asked for at each start
   * (the CLI reads the environment, the editor its SecretStorage). Never part of the config.
   */
  teamStateKey?: () => string | undefined | Promise<string | undefined>;
  /** Team-mode timings (tests shorten lock and presence leases). */
  teamTuning?: TeamTuning;
}

export type Proxy = ProxyHandle & { getConfig(): ProxyConfig; metrics: ProxyMetrics };

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { clear: () => clearTimeout(t) };
  },
};

function defaultDashboardDir(): string {
  const candidates = [
    process.argv[1] ? dirname(process.argv[1]) : undefined,
    process.argv[1] ? join(dirname(process.argv[1]), '..', '..', 'dist') : undefined,
    join(process.cwd(), 'dist'),
  ].filter((p): p is string => !!p);
  return candidates.find((d) => existsSync(join(d, 'webview.js'))) ?? candidates[candidates.length - 1]!;
}

/** A config change that only a new listener (and upstream client) can apply. */
function needsRestart(prev: ProxyConfig, next: ProxyConfig): boolean {
  return (
    prev.port !== next.port ||
    prev.host !== next.host ||
    prev.mock !== next.mock ||
    prev.maxConnections !== next.maxConnections ||
    prev.endpointStyle !== next.endpointStyle ||
    prev.redisUrl !== next.redisUrl ||
    prev.redisPrefix !== next.redisPrefix ||
    JSON.stringify(prev.endpoints) !== JSON.stringify(next.endpoints)
  );
}

/** The request log and the counts since start (they describe the records shown, so they restart together). */
class RequestStats {
  requests = 0;
  outcomes = emptyTally();
  inFlight = 0;
  log: RequestLog;
  readonly #registry: SecretRegistry;
  constructor(registry: SecretRegistry) {
    this.#registry = registry;
    this.log = new RequestLog({ registry });
  }
  /** A fresh, empty log (written to `sink` as well, when given) and counts from zero. */
  async reset(sink?: JsonlSink): Promise<void> {
    await this.log.close();
    this.log = new RequestLog({ registry: this.#registry, ...(sink ? { sink } : {}) });
    this.requests = 0;
    this.outcomes = emptyTally();
  }
}

function emitTo(listeners: Set<(ev: ProxyEvent) => void>, ev: ProxyEvent, logger: Logger): void {
  for (const l of listeners) {
    try {
      l(ev);
    } catch (err) {
      logger.warn(`event listener failed: ${(err as Error).message}`);
    }
  }
}

/** Account errors quote upstream messages, which may echo a secret: scrubbed before any host sees them. */
function scrubAccountView(a: AccountView, registry: SecretRegistry): AccountView {
  if (!a.lastError && a.stateReason === undefined) return a;
  const out: AccountView = { ...a };
  if (a.stateReason !== undefined) out.stateReason = registry.scrub(a.stateReason);
  if (a.lastError) out.lastError = { ...a.lastError, message: registry.scrub(a.lastError.message) };
  return out;
}

function statusOf(config: ProxyConfig, runtime: Runtime | undefined, stats: RequestStats, instance: string): ProxyStatus {
  const { requests, outcomes, inFlight } = stats;
  const s: ProxyStatus = {
    running: runtime !== undefined,
    mode: config.mock ? 'mock' : 'real',
    requests,
    errors: outcomes.errors,
    aborted: outcomes.aborted,
    inFlight,
    instance,
  };
  const server = runtime?.server;
  if (server) {
    const host = server.host.includes(':') ? `[${server.host}]` : server.host;
    s.url = `http://${host}:${server.port}`;
    s.port = server.port;
    s.host = server.host;
  }
  if (runtime?.startedAt !== undefined) s.startedAt = runtime.startedAt;
  // The one team view /health shows too (runtime.ts), not a second reading of Redis.
  if (runtime?.team) s.team = runtime.team.view();
  return s;
}

/** A finished request into the counts, the log and the metrics; returns the entry as stored (scrubbed). */
function recordRequest(entry: RequestLogEntry, stats: RequestStats, metrics: ProxyMetrics): RequestLogEntry {
  stats.inFlight -= 1;
  stats.requests += 1;
  tallyStatus(stats.outcomes, entry.status);
  const stored = stats.log.add(entry);
  metrics.recordRequest({
    route: entry.route,
    ...(entry.modelSent ? { model: entry.modelSent } : {}),
    status: entry.status,
    durationMs: entry.durationMs,
    ...(entry.firstTokenMs !== undefined ? { firstTokenMs: entry.firstTokenMs } : {}),
  });
  if (entry.rules?.length) metrics.normaliserRules(entry.rules);
  if (entry.truncatedTurns) metrics.truncation();
  if (isErrorStatus(entry.status) && entry.errorClass) metrics.upstreamError(entry.errorClass);
  return stored;
}

/** Headless hosts: behaviour settings changed at run time go to KIRO_PROXY_HOME/config.json. */
async function saveChangedSettings(prev: ProxyConfig, next: ProxyConfig, accounts: AccountManager, logger: Logger): Promise<void> {
  const after = persistableSettings(next);
  if (JSON.stringify(after) === JSON.stringify(persistableSettings(prev))) return;
  await accounts
    .saveSettings(after as Record<string, unknown>)
    .catch((err: unknown) => logger.warn(`could not save settings to config.json: ${(err as Error).message}`));
}

export function createProxy(initial: ProxyConfig, deps: ProxyDeps): Proxy {
  let config: ProxyConfig = structuredClone(initial);
  let runtime: Runtime | undefined;
  let starting: Promise<{ url: string; port: number }> | undefined;
  const clock = deps.clock ?? realClock;
  const registry = deps.secretRegistry ?? createSecretRegistry();
  const logger = withRedaction(deps.logger, registry);
  const metrics = new ProxyMetrics();
  const responseCache = new CompletionCache({
    now: () => clock.now(),
    hooks: { hit: () => metrics.cacheHit(), miss: () => metrics.cacheMiss(), size: (entries, bytes) => metrics.setCacheSize(entries, bytes) },
  });
  const listeners = new Set<(ev: ProxyEvent) => void>();
  const stats = new RequestStats(registry);
  /** Who this is, for /health: windows tell their own server from another's by it. */
  const instance = randomUUID();

  const emit = (ev: ProxyEvent) => emitTo(listeners, ev, logger);
  const scrubAccount = (a: AccountView) => scrubAccountView(a, registry);
  const accounts = proxyAccounts(() => runtime, scrubAccount);
  const status = () => statusOf(config, runtime, stats, instance);
  const requestFinished = (entry: RequestLogEntry) => {
    emit({ type: 'request', entry: recordRequest(entry, stats, metrics) });
    emit({ type: 'status', status: status() });
  };

  const handle: Proxy = {
    metrics,
    accounts,
    getConfig: () => structuredClone(config),
    status,
    logs: () => stats.log.list({}),
    onEvent(listener) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    start() {
      if (runtime?.server) return Promise.resolve({ url: status().url!, port: runtime.server.port });
      starting ??= doStart().finally(() => {
        starting = undefined;
      });
      return starting;
    },
    async stop() {
      if (starting) await starting.catch(() => undefined);
      const rt = runtime;
      runtime = undefined;
      await rt?.close();
      await stats.reset();
      responseCache.clear();
      emit({ type: 'status', status: status() });
      emit({ type: 'accounts', accounts: [] });
    },
    applyConfig: (patch) => applyConfig(patch),
  };

  const env: RuntimeEnv = {
    config: () => config,
    logger,
    clock,
    registry,
    metrics,
    responseCache,
    secrets: deps.secrets,
    refreshJournal: deps.refreshJournal === true,
    dashboardDir: deps.dashboardDir ?? defaultDashboardDir(),
    ...(deps.bodyTimeouts ? { bodyTimeouts: deps.bodyTimeouts } : {}),
    admin: handle,
    scrubAccount,
    // The pool changes twice per request; build the scrubbed copies only for someone listening.
    accountsChanged: (list) => {
      if (listeners.size > 0) emit({ type: 'accounts', accounts: list.map(scrubAccount) });
    },
    counts: () => ({ requests: stats.requests, errors: stats.outcomes.errors, aborted: stats.outcomes.aborted, inFlight: stats.inFlight }),
    instance,
    version: VERSION,
    requestStarted: () => {
      stats.inFlight += 1;
    },
    requestFinished,
    statusChanged: () => emit({ type: 'status', status: status() }),
    ...(deps.services ? { services: deps.services } : {}),
    team: { stateKey: deps.teamStateKey ?? (() => undefined), ...(deps.teamTuning ? { tuning: deps.teamTuning } : {}) },
  };

  async function doStart(): Promise<{ url: string; port: number }> {
    const bind = checkBindPolicy(config.host, config.apiKey, config.allowedHosts);
    if (!bind.ok) throw new ProxyError('permission', bind.message);
    if (config.apiKey) registry.add(config.apiKey);
    if (config.logFile) {
      await stats.reset(new JsonlSink({ dir: join(config.home, 'logs'), onError: (e) => logger.warn(`request log file: ${(e as Error).message}`) }));
    }
    const rt = await Runtime.start(env);
    runtime = rt;
    const st = status();
    logger.info(`listening on ${st.url} (${config.mock ? 'mock upstream' : 'Kiro'}; ${rt.pool!.list().length} account(s))`);
    emit({ type: 'status', status: st });
    emit({ type: 'accounts', accounts: accounts.list() });
    return { url: st.url!, port: rt.server!.port };
  }

  async function applyConfig(patch: Partial<ProxyConfig>): Promise<void> {
    const prev = config;
    config = { ...config, ...structuredClone(patch) };
    if (!runtime?.server) return;
    if (needsRestart(prev, config)) {
      await handle.stop();
      await handle.start();
      return;
    }
    if (deps.persistSettings && runtime.accounts) await saveChangedSettings(prev, config, runtime.accounts, logger);
    runtime.pool?.updateConfig(poolConfigOf(config));
    emit({ type: 'status', status: status() });
  }

  return handle;
}
