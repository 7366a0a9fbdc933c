// Everything that exists only while the proxy runs, created by one start() and torn down by one
// close(): the simulated Kiro (mock mode), the Kiro client, the account pool and its manager, the
// HTTP server and the start-up model list. proxy.ts owns what outlives a restart (config, events,
// request log, metrics, response cache) and hands it in as RuntimeEnv.
import type { AccountView, Clock, Disposable, Logger, ProxyConfig, RequestLogEntry, SecretStore } from './proxy-types.ts';
import type { KiroClient, KiroEndpoints, ModelInfo } from './kiro/types.ts';
import { createKiroClient } from './kiro/client.ts';
import { createAccountPool, type ManagedAccountPool, type PoolConfig } from './accounts/pool/pool.ts';
import { AccountManager } from './accounts/store/account-manager.ts';
import { effectiveProfileArn, effectiveRegion } from './accounts/credentials/profile-arn.ts';
import type { AccountPool } from './accounts/pool/pool-types.ts';
// The simulated Kiro is loaded only in mock mode (dynamic import in runtime-accounts.ts): a real proxy never runs it.
import type { MockKiro } from './kiro-mock/index.ts';
import { listen, type ListeningServer } from './server/http-server.ts';
import { createRouter } from './server/router.ts';
import type { ServerHost } from './server/server-host.ts';
import type { AdminTarget } from './admin/dispatch.ts';
import { anthropicDialect, openAIChatDialect, openAIResponsesDialect } from './dialects/index.ts';
import type { ProxyMetrics } from './observe/metrics.ts';
import type { SecretRegistry } from './observe/redact.ts';
import type { CompletionCache } from './pipeline/cache.ts';
import { poolCompleteText } from './pipeline/complete-text.ts';
import { loadStartupAccounts, registerWithMock, startMockUpstream } from './runtime-accounts.ts';
import { startTeamRuntime, type TeamRuntime, type TeamTuning } from './team/team-runtime.ts';
import { TeamTokens } from './accounts/tokens/team-tokens.ts';

/** Longest a completion waits for the start-up model list before using the static catalogue. */
const MODELS_WAIT_MS = 5_000;

/**
 * A service that lives as long as one start (e.g. a team connection): started after the pool and
 * its accounts exist, before the server listens; stopped by the runtime's one teardown.
 */
export interface StartScopedService {
  readonly name: string;
  start(ctx: {
    config: ProxyConfig;
    pool: ManagedAccountPool;
    accounts: AccountManager;
    logger: Logger;
    signal: AbortSignal;
  }): Promise<{ close(): Promise<void> | void } | void>;
}

/** What outlives a restart, as the runtime uses it. */
export interface RuntimeEnv {
  config(): ProxyConfig;
  logger: Logger;
  clock: Clock;
  registry: SecretRegistry;
  metrics: ProxyMetrics;
  responseCache: CompletionCache;
  secrets: SecretStore;
  refreshJournal: boolean;
  dashboardDir: string;
  bodyTimeouts?: { idleMs?: number; totalMs?: number };
  /** The proxy the admin API acts on. */
  admin: AdminTarget;
  /** Views without secrets in their error text. */
  scrubAccount(a: AccountView): AccountView;
  /** Pool changes for the hosts' account views (only built when someone listens). */
  accountsChanged(list: AccountView[]): void;
  /** Counts since start for /health. */
  counts(): { requests: number; errors: number; aborted: number; inFlight: number };
  instance: string;
  version: string;
  requestStarted(): void;
  requestFinished(entry: RequestLogEntry): void;
  /** Something in the hosts' status changed outside a request (team mode: Redis up/down, instances). */
  statusChanged?(): void;
  /** Extra start-scoped services (composition-root options, e.g. team mode). */
  services?: readonly StartScopedService[];
  /** Team mode (config.redisUrl): the raw KIRO_PROXY_STATE_KEY, read at each start; timings for tests. */
  team?: { stateKey(): string | undefined | Promise<string | undefined>; tuning?: TeamTuning };
}

/** The part of the config the account pool reads. */
export function poolConfigOf(c: ProxyConfig): PoolConfig {
  return {
    selectionStrategy: c.selectionStrategy,
    cooldownSeconds: c.cooldownSeconds,
    accountConcurrency: c.accountConcurrency,
    requestTimeoutMs: c.requestTimeoutMs,
    firstTokenTimeoutMs: c.firstTokenTimeoutMs,
    region: c.region,
  };
}

export class Runtime {
  endpoints: KiroEndpoints;
  startedAt: number | undefined;
  server: ListeningServer | undefined;
  mock: MockKiro | undefined;
  client: KiroClient | undefined;
  pool: ManagedAccountPool | undefined;
  accounts: AccountManager | undefined;
  /** Models the accounts reported (ListAvailableModels), once known. */
  models: ModelInfo[] | undefined;
  /** Team mode (Redis), opened before the pool and closed after it. */
  team: TeamRuntime | undefined;
  readonly #env: RuntimeEnv;
  readonly #lifetime = new AbortController();
  readonly #closers: (() => Promise<void> | void)[] = [];
  #poolSub: Disposable | undefined;
  /** The start-up ListAvailableModels call while it runs. */
  #modelsFetch: Promise<void> | undefined;

  private constructor(env: RuntimeEnv) {
    this.#env = env;
    this.endpoints = { ...env.config().endpoints };
  }

  /** Aborted by close(): logins and background calls of this start. */
  get signal(): AbortSignal {
    return this.#lifetime.signal;
  }

  /** Starts everything; whatever was started is closed again when a step fails. */
  static async start(env: RuntimeEnv): Promise<Runtime> {
    const rt = new Runtime(env);
    try {
      await rt.#build();
      return rt;
    } catch (err) {
      await rt.close();
      throw err;
    }
  }

  async #build(): Promise<void> {
    const env = this.#env;
    const config = env.config();
    const { logger, clock, metrics } = env;
    if (config.mock) {
      const started = await startMockUpstream();
      this.mock = started.mock;
      this.#closers.push(() => started.mock.close());
      this.endpoints = { ...started.mock.endpoints };
    }
    const client = createKiroClient({
      endpoints: this.endpoints,
      style: config.endpointStyle,
      maxConnectionsPerOrigin: config.maxConnections,
      firstByteTimeoutMs: config.firstTokenTimeoutMs,
    });
    this.client = client;
    this.#closers.push(() => client.close());
    // The team first: the pool takes its shared state at creation. Closed last (after the pool).
    const team = await this.#openTeam();
    // The counters count what this instance decided (a cooldown after its own 429), never what
    // it learned from the team, so summing the instances' /metrics gives the team's total; the
    // account gauges (setAccounts) show the team's state, the same on every instance.
    const pool = createAccountPool({
      client,
      clock,
      logger,
      config: poolConfigOf(config),
      ...(team ? { team: team.team } : {}),
      onConsequence: (id, kind) => kind === 'cooldown' && metrics.cooldown(id),
    });
    this.pool = pool;
    this.#closers.push(() => pool.dispose());
    this.#poolSub = pool.onChange((list) => {
      metrics.setAccounts(list);
      env.accountsChanged(list);
    });
    const accounts = this.#accountManager(pool, client);
    this.accounts = accounts;
    this.#closers.push(() => accounts.dispose());
    await loadStartupAccounts(accounts, config, logger, this.mock);
    for (const service of env.services ?? []) {
      const started = await service.start({ config, pool, accounts, logger, signal: this.signal });
      if (started) this.#closers.push(() => started.close());
    }
    this.server = await listen(this.#router(pool), config.port, config.host, logger);
    const server = this.server;
    this.#closers.push(() => server.close());
    this.startedAt = clock.now();
    metrics.setAccounts(pool.list());
    const fetching = this.#fetchModels().finally(() => {
      if (this.#modelsFetch === fetching) this.#modelsFetch = undefined;
    });
    this.#modelsFetch = fetching;
  }

  async #openTeam(): Promise<TeamRuntime | undefined> {
    const env = this.#env;
    const config = env.config();
    if (!config.redisUrl) return undefined;
    const stateKey = await env.team?.stateKey();
    const address = config.port !== 0 ? `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}` : undefined;
    const team = await startTeamRuntime(config, {
      logger: env.logger,
      stateKey,
      instance: { id: env.instance, version: env.version, startedAt: env.clock.now(), ...(address ? { address } : {}) },
      registerSecret: (v) => env.registry.add(v),
      ...(env.team?.tuning ? { tuning: env.team.tuning } : {}),
      onViewChange: () => env.statusChanged?.(),
    });
    if (team) {
      this.team = team;
      this.#closers.push(() => team.close());
    }
    return team;
  }

  #accountManager(pool: ManagedAccountPool, client: KiroClient): AccountManager {
    const env = this.#env;
    const mock = this.mock;
    let team: TeamTokens | undefined;
    if (this.team) {
      const t = new TeamTokens({
        team: this.team.team,
        logger: env.logger,
        registerSecret: (v) => env.registry.add(v),
        labelOf: (id) => pool.get(id)?.label ?? id,
      });
      this.#closers.push(() => t.dispose());
      team = t;
    }
    return new AccountManager({
      pool,
      endpoints: () => this.endpoints,
      secrets: env.secrets,
      home: env.config().home,
      ssoCache: () => env.config().ssoCache,
      clock: env.clock,
      logger: env.logger,
      registerSecret: (v) => env.registry.add(v),
      onTokenRefresh: (outcome) => env.metrics.tokenRefresh(outcome),
      ...(env.refreshJournal ? { refreshJournal: true } : {}),
      ...(team ? { team } : {}),
      ...(this.team?.identity ? { identity: this.team.identity } : {}),
      // In mock mode every account the user adds is served by the simulated Kiro as well, so
      // imports and logins behave as they would against the real service.
      ...(mock ? { beforeAdd: (c) => registerWithMock(mock, c) } : {}),
      whoIs: async (c, machineId, signal) => {
        if (!c.accessToken) return undefined;
        const profileArn = effectiveProfileArn({
          authMethod: c.kind,
          ...(c.profileArn ? { profileArn: c.profileArn } : {}),
          ...(c.provider ? { provider: c.provider } : {}),
        });
        const ctx = { accessToken: c.accessToken, profileArn, machineId, region: effectiveRegion(c, profileArn, env.config().region) };
        const q = await client.getUsageLimits(c.kind === 'api_key' ? { ...ctx, tokenType: 'API_KEY' } : ctx, signal);
        return q.userId ? { userId: q.userId, ...(q.email ? { email: q.email } : {}) } : undefined;
      },
    });
  }

  #router(pool: AccountPool): ReturnType<typeof createRouter> {
    const env = this.#env;
    const host: ServerHost = {
      port: () => this.server?.port ?? env.config().port,
      health: () => ({
        version: env.version,
        mode: env.config().mock ? 'mock' : 'real',
        uptimeSeconds: this.startedAt !== undefined ? Math.round((env.clock.now() - this.startedAt) / 1000) : 0,
        accounts: (this.pool?.list() ?? []).map((a) => env.scrubAccount(a)),
        ...env.counts(),
        instance: env.instance,
        ...(this.team ? { team: this.team.view() } : {}),
      }),
      accounts: () => (this.pool?.list() ?? []).map((a) => env.scrubAccount(a)),
      metrics: async () => ({ contentType: env.metrics.contentType, body: await env.metrics.render() }),
      admin: env.admin,
      dashboardDir: env.dashboardDir,
      ...(env.bodyTimeouts ? { bodyTimeouts: env.bodyTimeouts } : {}),
      requestStarted: () => env.requestStarted(),
      requestFinished: (entry) => env.requestFinished(entry),
    };
    return createRouter({
      dialects: { openaiChat: openAIChatDialect, openaiResponses: openAIResponsesDialect, anthropic: anthropicDialect },
      host,
      completion: {
        pool,
        completeText: poolCompleteText(pool),
        config: () => env.config(),
        logger: env.logger,
        availableModels: () => this.models,
        modelsReady: () => this.#modelsReady(),
        now: () => env.clock.now(),
        cache: env.responseCache,
        redact: (text) => env.registry.scrub(text),
        streamStarted: () => env.metrics.streamStarted(),
        ignoredToolsSeen: new Set<string>(),
      },
    });
  }

  /** Settles when the start-up model list is in, or after MODELS_WAIT_MS. */
  #modelsReady(): Promise<void> {
    const pending = this.#modelsFetch;
    if (!pending) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = this.#env.clock.setTimeout(resolve, MODELS_WAIT_MS);
      void pending.finally(() => {
        t.clear();
        resolve();
      });
    });
  }

  /** ListAvailableModels through the first usable account; the static catalogue stays otherwise. */
  async #fetchModels(): Promise<void> {
    const logger = this.#env.logger;
    const config = this.#env.config();
    const signal = this.signal;
    const acct = this.accounts?.firstActive();
    if (!acct || !this.client) return;
    try {
      const token = await acct.tokens.getAccessToken({ signal });
      const profileArn = effectiveProfileArn(acct);
      const list = await this.client.listAvailableModels(
        { accessToken: token, profileArn, machineId: acct.machineId, region: effectiveRegion(acct, profileArn, config.region) },
        signal,
      );
      if (list.length > 0) this.models = list;
      logger.debug(`ListAvailableModels: ${list.length} model(s)`);
    } catch (err) {
      if (!signal.aborted) logger.debug(`ListAvailableModels unavailable, using the built-in catalogue: ${(err as Error).message}`);
    }
  }

  /** The one teardown: stops in reverse order of start whatever this start created. */
  async close(): Promise<void> {
    this.#lifetime.abort();
    // No account events while stopping: hosts hear "no accounts" once it is done.
    this.#poolSub?.dispose();
    this.#poolSub = undefined;
    const closers = this.#closers.splice(0).reverse();
    for (const close of closers) await close();
    this.server = undefined;
    this.accounts = undefined;
    this.pool = undefined;
    this.client = undefined;
    this.mock = undefined;
    this.team = undefined;
    this.startedAt = undefined;
  }
}
