// Composition root: createProxy(config, deps) wires the upstream client, the account pool,
// the pipeline, the HTTP server and observability. Every host (CLI, VS Code, tests) builds the
// proxy here with its own side effects injected (logger, secret store, clock).
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type {
  AccountView,
  Clock,
  Disposable,
  Logger,
  ProxyConfig,
  ProxyEvent,
  ProxyHandle,
  ProxyStatus,
  RequestLogEntry,
  SecretStore,
} from './proxy-types.ts';
import type { KiroClient, KiroEndpoints, ModelInfo } from './kiro/types.ts';
import { createKiroClient } from './kiro/client.ts';
import { listClientModels } from './kiro/models.ts';
import { createAccountPool, type ManagedAccountPool, type PoolConfig } from './accounts/pool/pool.ts';
import { AccountManager } from './accounts/store/account-manager.ts';
import type { KiroCredential } from './accounts/credentials/credential.ts';
import { discoverCredentials } from './accounts/credentials/discover.ts';
import { loadCredsJsonText } from './accounts/credentials/credential-sources.ts';
import { effectiveProfileArn, effectiveRegion } from './accounts/credentials/profile-arn.ts';
// The simulated Kiro is loaded only in mock mode (dynamic import below): a real proxy never runs it.
import type { MockKiro } from './kiro-mock/index.ts';
import { listen, type ListeningServer } from './server/http-server.ts';
import { createRouter } from './server/router.ts';
import { checkRequest, type GuardDecision } from './server/guard.ts';
import { readJsonBody } from './server/body.ts';
import { checkBindPolicy } from './server/bind-policy.ts';
import { anthropicDialect, openAIChatDialect, openAIResponsesDialect, parseCountTokensRequest, renderCountTokens } from './dialects/index.ts';
import { countInputTokens } from './conversation/estimate-input.ts';
import { RequestLog } from './observe/request-log.ts';
import { JsonlSink } from './observe/jsonl-sink.ts';
import { ProxyMetrics } from './observe/metrics.ts';
import { createSecretRegistry, type SecretRegistry } from './observe/redact.ts';
import { withRedaction } from './observe/redacting-logger.ts';
import { accountTransitionTracker } from './observe/account-transitions.ts';
import { emptyTally, isErrorStatus, tallyStatus } from './observe/request-outcome.ts';
import { CompletionCache } from './pipeline/cache.ts';
import { poolCompleteText } from './pipeline/complete-text.ts';
import { handleAdminHttp, handleDashboardHttp } from './admin/http.ts';
import { loginWithSocial } from './kiro/login/social-pkce.ts';
import { startDeviceLogin } from './kiro/login/device-code.ts';
import { ProxyError } from './errors.ts';
import { persistableSettings } from './settings-file.ts';

export const VERSION = '0.1.0';
/** Longest a completion waits for the start-up model list before using the static catalogue. */
const MODELS_WAIT_MS = 5_000;

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

/** The part of the config the account pool reads. */
function poolConfigOf(c: ProxyConfig): PoolConfig {
  return {
    selectionStrategy: c.selectionStrategy,
    cooldownSeconds: c.cooldownSeconds,
    accountConcurrency: c.accountConcurrency,
    requestTimeoutMs: c.requestTimeoutMs,
    firstTokenTimeoutMs: c.firstTokenTimeoutMs,
    region: c.region,
  };
}

function registerWithMock(mock: MockKiro, c: KiroCredential): void {
  if (!c.refreshToken || mock.account(c.refreshToken)) return;
  mock.addAccount({
    refreshToken: c.refreshToken,
    ...(c.accessToken ? { accessToken: c.accessToken } : {}),
    authMethod: c.kind === 'idc' ? 'idc' : c.kind === 'oauth' ? 'oauth' : 'social',
    ...(c.clientId ? { clientId: c.clientId } : {}),
    ...(c.clientSecret ? { clientSecret: c.clientSecret } : {}),
    ...(c.profileArn ? { profileArn: c.profileArn } : {}),
  });
}

export function createProxy(initial: ProxyConfig, deps: ProxyDeps): Proxy {
  let config: ProxyConfig = structuredClone(initial);
  const clock = deps.clock ?? realClock;
  const registry = deps.secretRegistry ?? createSecretRegistry();
  const logger = withRedaction(deps.logger, registry);
  const metrics = new ProxyMetrics();
  const responseCache = new CompletionCache({
    now: () => clock.now(),
    hooks: { hit: () => metrics.cacheHit(), miss: () => metrics.cacheMiss(), size: (entries, bytes) => metrics.setCacheSize(entries, bytes) },
  });
  const listeners = new Set<(ev: ProxyEvent) => void>();
  /** Who this is, for /health: windows tell their own server from another's by it. */
  const instance = randomUUID();

  let requestLog = new RequestLog({ registry });
  let server: ListeningServer | undefined;
  let mock: MockKiro | undefined;
  let client: KiroClient | undefined;
  let pool: ManagedAccountPool | undefined;
  let accounts: AccountManager | undefined;
  let endpoints: KiroEndpoints = { ...config.endpoints };
  let startedAt: number | undefined;
  let requests = 0;
  /** Errors and client aborts since start, classified like every view does (observe/request-outcome.ts). */
  let outcomes = emptyTally();
  let inFlight = 0;
  let models: ModelInfo[] | undefined;
  /** The start-up ListAvailableModels call while it runs. */
  let modelsFetch: Promise<void> | undefined;
  let poolSub: Disposable | undefined;
  let starting: Promise<{ url: string; port: number }> | undefined;
  const lifetime = { abort: new AbortController() };

  const emit = (ev: ProxyEvent) => {
    for (const l of listeners) {
      try {
        l(ev);
      } catch (err) {
        logger.warn(`event listener failed: ${(err as Error).message}`);
      }
    }
  };

  const status = (): ProxyStatus => {
    const s: ProxyStatus = { running: server !== undefined, mode: config.mock ? 'mock' : 'real', requests, errors: outcomes.errors, aborted: outcomes.aborted, inFlight, instance };
    if (server) {
      const host = server.host.includes(':') ? `[${server.host}]` : server.host;
      s.url = `http://${host}:${server.port}`;
      s.port = server.port;
      s.host = server.host;
    }
    if (startedAt !== undefined) s.startedAt = startedAt;
    return s;
  };

  // Account errors quote upstream messages, which may echo a secret: scrub before any host sees them.
  const scrubAccount = (a: AccountView): AccountView => {
    if (!a.lastError && a.stateReason === undefined) return a;
    const out: AccountView = { ...a };
    if (a.stateReason !== undefined) out.stateReason = registry.scrub(a.stateReason);
    if (a.lastError) out.lastError = { ...a.lastError, message: registry.scrub(a.lastError.message) };
    return out;
  };
  const accountList = (): AccountView[] => (pool?.list() ?? []).map(scrubAccount);

  const onRequestLogged = (entry: RequestLogEntry) => {
    requests += 1;
    tallyStatus(outcomes, entry.status);
    const stored = requestLog.add(entry);
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
    emit({ type: 'request', entry: stored });
    emit({ type: 'status', status: status() });
  };

  const health = () => {
    const list = accountList();
    const byState: Record<string, number> = { active: 0, cooldown: 0, disabled: 0, expired: 0, error: 0 };
    for (const a of list) byState[a.state] = (byState[a.state] ?? 0) + 1;
    return {
      status: 'ok',
      service: 'kiro-proxy',
      version: VERSION,
      mode: config.mock ? 'mock' : 'real',
      uptimeSeconds: startedAt !== undefined ? Math.round((clock.now() - startedAt) / 1000) : 0,
      accounts: { total: list.length, ...byState },
      requests,
      errors: outcomes.errors,
      aborted: outcomes.aborted,
      inFlight,
      instance,
    };
  };

  const modelsList = () => {
    const data = listClientModels(models).map((m) => ({
      id: m.id,
      object: 'model',
      type: 'model',
      created: 0,
      created_at: '2025-01-01T00:00:00Z',
      owned_by: 'kiro',
      display_name: m.displayName ?? m.id,
    }));
    return { object: 'list', data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
  };

  const guard = (req: IncomingMessage): GuardDecision =>
    checkRequest(
      { method: req.method, url: req.url, headers: req.headers },
      {
        host: config.host,
        port: server?.port ?? config.port,
        apiKey: config.apiKey,
        allowedHosts: config.allowedHosts,
        corsOrigins: config.corsOrigins,
      },
    );

  const readBody = (req: IncomingMessage): Promise<unknown> =>
    readJsonBody(req, {
      maxBytes: config.maxBodyBytes,
      ...(deps.bodyTimeouts?.idleMs !== undefined ? { idleTimeoutMs: deps.bodyTimeouts.idleMs } : {}),
      ...(deps.bodyTimeouts?.totalMs !== undefined ? { totalTimeoutMs: deps.bodyTimeouts.totalMs } : {}),
    });

  const handle: Proxy = {
    metrics,
    getConfig: () => structuredClone(config),
    status,
    logs: () => requestLog.list({}),
    onEvent(listener) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },

    start() {
      if (server) return Promise.resolve({ url: status().url!, port: server.port });
      starting ??= doStart().finally(() => {
        starting = undefined;
      });
      return starting;
    },

    async stop() {
      if (starting) await starting.catch(() => undefined);
      const s = server;
      server = undefined;
      lifetime.abort.abort();
      lifetime.abort = new AbortController();
      poolSub?.dispose();
      poolSub = undefined;
      await s?.close();
      accounts?.dispose();
      pool?.dispose();
      await client?.close();
      await mock?.close();
      await requestLog.close();
      requestLog = new RequestLog({ registry });
      // The counts describe the records shown (the log starts empty again), so they restart too.
      requests = 0;
      outcomes = emptyTally();
      responseCache.clear();
      accounts = undefined;
      pool = undefined;
      client = undefined;
      mock = undefined;
      startedAt = undefined;
      emit({ type: 'status', status: status() });
      emit({ type: 'accounts', accounts: [] });
    },

    async applyConfig(patch) {
      const prev = config;
      config = { ...config, ...structuredClone(patch) };
      if (!server) return;
      const restartNeeded =
        prev.port !== config.port ||
        prev.host !== config.host ||
        prev.mock !== config.mock ||
        prev.maxConnections !== config.maxConnections ||
        prev.endpointStyle !== config.endpointStyle ||
        JSON.stringify(prev.endpoints) !== JSON.stringify(config.endpoints);
      if (restartNeeded) {
        await handle.stop();
        await handle.start();
        return;
      }
      if (deps.persistSettings && accounts) {
        const before = JSON.stringify(persistableSettings(prev));
        const after = persistableSettings(config);
        if (JSON.stringify(after) !== before) {
          await accounts.saveSettings(after as Record<string, unknown>).catch((err: unknown) => logger.warn(`could not save settings to config.json: ${(err as Error).message}`));
        }
      }
      pool?.updateConfig(poolConfigOf(config));
      emit({ type: 'status', status: status() });
    },

    accounts: {
      list: accountList,
      async refresh(id) {
        return scrubAccount(await requirePool().refreshToken(id));
      },
      async refreshQuota(id) {
        return scrubAccount(await requirePool().refreshQuota(id));
      },
      async remove(id) {
        await requireAccounts().remove(id);
      },
      async setEnabled(id, enabled) {
        await requireAccounts().setEnabled(id, enabled);
      },
      async setLabel(id, label) {
        await requireAccounts().setLabel(id, label);
      },
      async importJson(json, sourceLabel) {
        return (await requireAccounts().importJson(json, sourceLabel)).map(scrubAccount);
      },
      async scanSsoCache() {
        return requireAccounts().scanSsoCache();
      },
      async importSsoFile(path) {
        return scrubAccount(await requireAccounts().importSsoFile(path));
      },
      async loginSocial(provider, openUrl, signal) {
        const mgr = requireAccounts();
        const cred = await loginWithSocial({ provider, authEndpoint: endpoints.auth, openUrl, signal: signal ?? lifetime.abort.signal });
        return mgr.addLoggedIn(cred, `${provider} login`);
      },
      async startDeviceLogin(options) {
        const mgr = requireAccounts();
        const auth = await startDeviceLogin({
          oidcEndpoint: endpoints.oidc,
          signal: options.signal ?? lifetime.abort.signal,
          ...(options.startUrl ? { startUrl: options.startUrl } : {}),
          ...(options.region ? { region: options.region } : {}),
        });
        const label = options.startUrl ? 'Identity Center login' : 'AWS Builder ID login';
        return {
          userCode: auth.userCode,
          verificationUri: auth.verificationUri,
          ...(auth.verificationUriComplete ? { verificationUriComplete: auth.verificationUriComplete } : {}),
          expiresAt: auth.expiresAt,
          complete: async () => mgr.addLoggedIn(await auth.complete(), label),
        };
      },
      async exportJson(includeSecrets) {
        return requireAccounts().exportJson(includeSecrets);
      },
    },
  };

  function requirePool(): ManagedAccountPool {
    if (!pool) throw new ProxyError('unavailable', 'the proxy is not running');
    return pool;
  }
  function requireAccounts(): AccountManager {
    if (!accounts) throw new ProxyError('unavailable', 'the proxy is not running');
    return accounts;
  }

  async function doStart(): Promise<{ url: string; port: number }> {
    const bind = checkBindPolicy(config.host, config.apiKey, config.allowedHosts);
    if (!bind.ok) throw new ProxyError('permission', bind.message);
    if (config.apiKey) registry.add(config.apiKey);

    endpoints = { ...config.endpoints };
    let mockModeAccount: (() => ReturnType<typeof import('./kiro-mock/index.ts').createMockModeAccount>) | undefined;
    if (config.mock) {
      const { startMockKiro, createMockModeAccount } = await import('./kiro-mock/index.ts');
      const started = await startMockKiro({});
      mock = started;
      mockModeAccount = () => createMockModeAccount(started);
      endpoints = { ...started.endpoints };
    }
    client = createKiroClient({
      endpoints,
      style: config.endpointStyle,
      maxConnectionsPerOrigin: config.maxConnections,
      firstByteTimeoutMs: config.firstTokenTimeoutMs,
    });
    pool = createAccountPool({
      client,
      clock,
      logger,
      config: poolConfigOf(config),
    });
    const trackAccounts = accountTransitionTracker({ cooldown: (id) => metrics.cooldown(id), tokenRefresh: (outcome) => metrics.tokenRefresh(outcome) });
    poolSub = pool.onChange((list) => {
      metrics.setAccounts(list);
      trackAccounts(list);
      // The pool changes twice per request; build the scrubbed copies only for someone listening.
      if (listeners.size > 0) emit({ type: 'accounts', accounts: list.map(scrubAccount) });
    });
    accounts = new AccountManager({
      pool,
      endpoints: () => endpoints,
      secrets: deps.secrets,
      home: config.home,
      ssoCache: () => config.ssoCache,
      clock,
      logger,
      registerSecret: (v) => registry.add(v),
      ...(deps.refreshJournal ? { refreshJournal: true } : {}),
      // In mock mode every account the user adds is served by the simulated Kiro as well, so
      // imports and logins behave as they would against the real service.
      ...(mock ? { beforeAdd: (c: KiroCredential) => registerWithMock(mock!, c) } : {}),
      whoIs: async (c, machineId, signal) => {
        if (!client || !c.accessToken) return undefined;
        const profileArn = effectiveProfileArn({ authMethod: c.kind, ...(c.profileArn ? { profileArn: c.profileArn } : {}), ...(c.provider ? { provider: c.provider } : {}) });
        const ctx = { accessToken: c.accessToken, profileArn, machineId, region: effectiveRegion(c, profileArn, config.region) };
        const q = await client.getUsageLimits(c.kind === 'api_key' ? { ...ctx, tokenType: 'API_KEY' } : ctx, signal);
        return q.userId ? { userId: q.userId, ...(q.email ? { email: q.email } : {}) } : undefined;
      },
    });
    await accounts.loadMeta();

    if (mockModeAccount) {
      const cred = mockModeAccount();
      const loaded = loadCredsJsonText(JSON.stringify(cred), 'mock upstream', () => ({ type: 'mock', name: 'mock' }));
      await accounts.add(loaded.credentials.map((c) => ({ ...c, label: 'Mock account (simulated Kiro)' })));
    } else {
      // The SSO cache is imported below (its accounts become the proxy's own, see AccountManager).
      const found = await discoverCredentials({ ...config, importSsoCacheOnStart: false });
      for (const p of found.problems) logger.warn(`credentials: ${p}`);
      await accounts.add(found.credentials);
    }
    await accounts.add(await accounts.loadStored());
    if (!mockModeAccount && config.importSsoCacheOnStart !== false) await accounts.importSsoCache();

    const router = createRouter({
      dialects: { openaiChat: openAIChatDialect, openaiResponses: openAIResponsesDialect, anthropic: anthropicDialect },
      pool,
      completeText: poolCompleteText(pool),
      config: () => config,
      logger,
      availableModels: () => models,
      modelsReady: () => {
        const pending = modelsFetch;
        if (!pending) return Promise.resolve();
        return new Promise<void>((resolve) => {
          const t = clock.setTimeout(resolve, MODELS_WAIT_MS);
          void pending.finally(() => {
            t.clear();
            resolve();
          });
        });
      },
      now: () => clock.now(),
      cache: responseCache,
      redact: (text) => registry.scrub(text),
      streamStarted: () => metrics.streamStarted(),
      ignoredToolsSeen: new Set<string>(),
      guard,
      readJsonBody: readBody,
      health,
      models: modelsList,
      instances: accountList,
      metrics: async () => ({ contentType: metrics.contentType, body: await metrics.render() }),
      countTokens: (_dialect, body, rctx) => renderCountTokens(countInputTokens(parseCountTokensRequest(body, rctx), { available: models, userMap: config.modelMap })),
      admin: async (req, res, path) => {
        await handleAdminHttp(req, res, path, handle);
        return true;
      },
      dashboard: (req, res, path) => handleDashboardHttp(req, res, path, { dir: deps.dashboardDir ?? defaultDashboardDir() }),
      onRequestLogged,
      inFlight: {
        inc: () => {
          inFlight += 1;
        },
        dec: () => {
          inFlight -= 1;
        },
      },
    });

    if (config.logFile) {
      await requestLog.close();
      requestLog = new RequestLog({ registry, sink: new JsonlSink({ dir: join(config.home, 'logs'), onError: (e) => logger.warn(`request log file: ${(e as Error).message}`) }) });
    }

    try {
      server = await listen(router, config.port, config.host, logger);
    } catch (err) {
      accounts.dispose();
      pool.dispose();
      await client.close();
      await mock?.close();
      accounts = undefined;
      pool = undefined;
      client = undefined;
      mock = undefined;
      throw err;
    }
    startedAt = clock.now();
    metrics.setAccounts(pool.list());
    const st = status();
    logger.info(`listening on ${st.url} (${config.mock ? 'mock upstream' : 'Kiro'}; ${pool.list().length} account(s))`);
    emit({ type: 'status', status: st });
    emit({ type: 'accounts', accounts: accountList() });
    const fetching = fetchModels(lifetime.abort.signal).finally(() => {
      if (modelsFetch === fetching) modelsFetch = undefined;
    });
    modelsFetch = fetching;
    return { url: st.url!, port: server.port };
  }

  /** ListAvailableModels through the first usable account; the static catalogue stays otherwise. */
  async function fetchModels(signal: AbortSignal): Promise<void> {
    const acct = accounts?.firstActive();
    if (!acct || !client) return;
    try {
      const token = await acct.tokens.getAccessToken({ signal });
      const profileArn = effectiveProfileArn(acct);
      const list = await client.listAvailableModels(
        { accessToken: token, profileArn, machineId: acct.machineId, region: effectiveRegion(acct, profileArn, config.region) },
        signal,
      );
      if (list.length > 0) models = list;
      logger.debug(`ListAvailableModels: ${list.length} model(s)`);
    } catch (err) {
      if (!signal.aborted) logger.debug(`ListAvailableModels unavailable, using the built-in catalogue: ${(err as Error).message}`);
    }
  }

  return handle;
}
