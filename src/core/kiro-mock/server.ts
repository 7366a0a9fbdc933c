// The simulated Kiro upstream: one node:http server whose single base URL serves the runtime,
// the social auth service and SSO OIDC (their paths do not clash), so `endpoints` points all
// three KiroEndpoints at it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KiroEndpoints } from '../kiro/types.ts';
import { MockAccountStore, type AddAccountOptions, type MockAccount } from './accounts.ts';
import { AuthFlows } from './auth-flows.ts';
import { chatRoute } from './chat-route.ts';
import type {
  MockContext,
  MockKiroOptions,
  RecordedRequest,
  ResolvedOptions,
  RouteCall,
  RouteHandler,
  ScriptQueues,
  RefreshControl,
  RefreshLogEntry,
} from './context.ts';
import { controlRoutes, type MockControl } from './control-routes.ts';
import { readBody, sendJson } from './http-io.ts';
import { DEFAULT_MOCK_MODELS } from './models.ts';
import { authorizeRoute, createTokenRoute, deviceApprovalRoute, deviceAuthorizationRoute, oauth2TokenRoute, registerClientRoute } from './oidc-routes.ts';
import { listModelsRoute, listProfilesRoute, mcpRoute, usageLimitsRoute } from './runtime-routes.ts';
import type { MockStep } from './script.ts';
import { loginRoute, oauthTokenRoute, refreshTokenRoute } from './social-auth-routes.ts';
import { TimerSet } from './timers.ts';

export type { MockKiroOptions, RecordedRequest } from './context.ts';
export type { MockAccount, AddAccountOptions } from './accounts.ts';
export type { MockStep } from './script.ts';

export const GENERATE_TARGET = 'AmazonCodeWhispererStreamingService.GenerateAssistantResponse';

/** awsJson 1.0 operations on `POST /`, by x-amz-target. */
const AWSJSON_TARGETS: Record<string, RouteHandler> = {
  [GENERATE_TARGET]: (call) => chatRoute(call, 'awsjson'),
  'AmazonCodeWhispererService.GetUsageLimits': usageLimitsRoute,
  'AmazonCodeWhispererService.ListAvailableModels': listModelsRoute,
  'AmazonCodeWhispererService.ListAvailableProfiles': listProfilesRoute,
};

const ROUTES: Record<string, RouteHandler> = {
  'POST /generateAssistantResponse': (call) => chatRoute(call, 'rest'),
  'GET /getUsageLimits': usageLimitsRoute,
  'GET /ListAvailableModels': listModelsRoute,
  'POST /ListAvailableProfiles': listProfilesRoute,
  'POST /mcp': mcpRoute,
  'POST /refreshToken': refreshTokenRoute,
  'GET /login': loginRoute,
  'POST /oauth/token': oauthTokenRoute,
  'POST /client/register': registerClientRoute,
  'POST /device_authorization': deviceAuthorizationRoute,
  'POST /token': createTokenRoute,
  'GET /authorize': authorizeRoute,
  'GET /device': deviceApprovalRoute,
  'POST /oauth2/token': oauth2TokenRoute,
};

/** Route names as recorded in `mock.requests[].route`. */
function routeName(method: string, path: string, target: string | undefined): string {
  if (path === '/' && target) return target === GENERATE_TARGET ? 'generate' : target.split('.').pop()!;
  const names: Record<string, string> = {
    '/generateAssistantResponse': 'generate',
    '/getUsageLimits': 'usage',
    '/ListAvailableModels': 'models',
    '/ListAvailableProfiles': 'profiles',
  };
  return names[path] ?? `${method} ${path}`.replace(/^(GET|POST) \//, '');
}

function resolveOptions(o: MockKiroOptions): ResolvedOptions {
  const models = o.models ?? DEFAULT_MOCK_MODELS;
  return {
    seed: o.seed ?? 1,
    maxBodyBytes: o.maxBodyBytes ?? 615_000,
    models,
    knownModels: o.knownModels ?? models.map((m) => m.modelId),
    enforceUsageLimit: o.enforceUsageLimit ?? true,
    autoApproveDevicesAfterPolls: o.autoApproveDevicesAfterPolls,
    deviceIntervalSeconds: o.deviceIntervalSeconds ?? 1,
    deviceExpiresInSeconds: o.deviceExpiresInSeconds ?? 600,
    deviceSlowDownPolls: o.deviceSlowDownPolls ?? 0,
    splitFrames: o.splitFrames ?? true,
    chunkDelayMs: o.chunkDelayMs ?? 0,
    metadataEvents: o.metadataEvents ?? false,
    maxRecordedRequests: o.maxRecordedRequests ?? 1000,
    loginAccount: o.loginAccount ?? {},
  };
}

function redactHeaders(h: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k] = k === 'authorization' ? String(v).replace(/^(\S+\s+)?.*$/, (_, scheme: string | undefined) => `${scheme ?? ''}<redacted>`) : String(v);
  }
  return out;
}

export interface MockState {
  url: string;
  accounts: {
    id: string;
    authMethod: string;
    provider: string;
    profileArn: string | undefined;
    refreshCount: number;
    usage: number;
    usageLimit: number;
    overageEnabled: boolean;
    overageCap: number;
    queuedSteps: number;
  }[];
  queuedSteps: number;
  requests: number;
  openTimers: number;
}

export class MockKiro implements MockControl {
  readonly url: string;
  readonly port: number;
  readonly endpoints: KiroEndpoints;
  readonly options: ResolvedOptions;
  private readonly server: Server;
  private readonly ctx: MockContext;
  private readonly store: MockAccountStore;
  private readonly flows = new AuthFlows();
  private readonly timers = new TimerSet();
  private readonly queues: ScriptQueues = { global: [], perAccount: new Map() };
  private readonly recorded: RecordedRequest[] = [];
  private readonly routes: Record<string, RouteHandler>;
  private seq = 0;
  private closed = false;
  private readonly refreshControl: RefreshControl;

  /** Use startMockKiro(); the constructor expects a listening server. */
  constructor(server: Server, options: MockKiroOptions, onRequest: (handler: (req: IncomingMessage, res: ServerResponse) => void) => void) {
    this.server = server;
    this.options = resolveOptions(options);
    const now = options.now ?? Date.now;
    this.store = new MockAccountStore(now, options.usageLimit ?? 1000);
    const addr = server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.port = addr.port;
    this.url = `http://${host}:${addr.port}`;
    this.endpoints = { runtime: this.url, auth: this.url, oidc: this.url };
    let seedCounter = 0;
    const login = this.options.loginAccount;
    this.refreshControl = { delayMs: options.refreshDelayMs ?? 0, abandonWhenClientGone: false, log: [] };
    this.ctx = {
      options: this.options,
      accounts: this.store,
      flows: this.flows,
      timers: this.timers,
      queues: this.queues,
      now,
      url: () => this.url,
      nextSeed: () => this.options.seed * 1_000_003 + ++seedCounter,
      refresh: this.refreshControl,
      loginAccount: (o) => this.store.add({ ...login, ...o }),
    };
    this.routes = { ...ROUTES, ...controlRoutes(this) };
    for (const a of options.accounts ?? []) this.addAccount(a);
    onRequest((req, res) => void this.handle(req, res));
  }

  /** Every request received, oldest first (bounded by maxRecordedRequests). */
  get requests(): readonly RecordedRequest[] {
    return this.recorded;
  }

  /** Every token refresh handled, oldest first, with when its answer was sent. */
  get refreshLog(): readonly RefreshLogEntry[] {
    return this.refreshControl.log;
  }

  /** Pause before answering token refreshes from now on. */
  setRefreshDelay(ms: number): void {
    this.refreshControl.delayMs = ms;
  }

  /** From now on a refresh whose client went away during the pause is not processed (its refresh token stays valid). */
  setRefreshAbandonWhenClientGone(on: boolean): void {
    this.refreshControl.abandonWhenClientGone = on;
  }

  /** Chat requests only (both wire styles). */
  chatRequests(): RecordedRequest[] {
    return this.recorded.filter((r) => r.route === 'generate');
  }

  get accounts(): MockAccount[] {
    return this.store.list();
  }

  addAccount(opts: AddAccountOptions = {}): MockAccount {
    const account = this.store.add(opts);
    if (account.authMethod === 'idc' && account.clientId && account.clientSecret && !this.flows.clients.has(account.clientId)) {
      this.flows.registerClient({
        clientId: account.clientId,
        clientSecret: account.clientSecret,
        redirectUris: [],
        grantTypes: ['refresh_token'],
        scopes: [],
      });
    }
    return account;
  }

  /** By id or current refresh token. */
  account(idOrRefreshToken: string): MockAccount | undefined {
    return this.store.find(idOrRefreshToken);
  }

  private mustFind(idOrRefreshToken: string): MockAccount {
    const a = this.store.find(idOrRefreshToken);
    if (!a) throw new Error(`no mock account ${JSON.stringify(idOrRefreshToken.slice(0, 12))}…`);
    return a;
  }

  /** Steps for the next chat requests of any account (after that account's own queue). */
  enqueue(...steps: MockStep[]): void {
    this.queues.global.push(...steps);
  }

  /** Steps for the next chat requests made with this account. */
  enqueueFor(accountIdOrRefreshToken: string, ...steps: MockStep[]): void {
    const id = this.mustFind(accountIdOrRefreshToken).id;
    const q = this.queues.perAccount.get(id) ?? [];
    q.push(...steps);
    this.queues.perAccount.set(id, q);
  }

  /** The user approving a device code; false when it is unknown or not pending. */
  approveDevice(userCode: string): boolean {
    const d = this.flows.deviceByUserCode(userCode);
    if (!d || d.status !== 'pending') return false;
    d.status = 'approved';
    return true;
  }

  denyDevice(userCode: string): boolean {
    const d = this.flows.deviceByUserCode(userCode);
    if (!d || d.status !== 'pending') return false;
    d.status = 'denied';
    return true;
  }

  /** Every access token of the account expires now (the next runtime call gets 403). */
  expireAccessToken(accountIdOrRefreshToken: string): void {
    this.store.expireAccessTokens(this.mustFind(accountIdOrRefreshToken));
  }

  /** The refresh token dies (the next refresh gets invalid_grant). */
  revokeRefreshToken(accountIdOrRefreshToken: string): void {
    this.store.revokeRefreshToken(this.mustFind(accountIdOrRefreshToken));
  }

  /** Clears scripts, recorded requests, login flows and per-account counters; accounts stay. */
  reset(): void {
    this.queues.global.length = 0;
    this.queues.perAccount.clear();
    this.recorded.length = 0;
    this.flows.clear();
    this.store.resetCounters();
  }

  state(): MockState {
    return {
      url: this.url,
      accounts: this.store.list().map((a) => ({
        id: a.id,
        authMethod: a.authMethod,
        provider: a.provider,
        profileArn: a.profileArn,
        refreshCount: a.refreshCount,
        usage: a.usage,
        usageLimit: a.usageLimit,
        overageEnabled: a.overageEnabled,
        overageCap: a.overageCap,
        queuedSteps: this.queues.perAccount.get(a.id)?.length ?? 0,
      })),
      queuedSteps: this.queues.global.length,
      requests: this.recorded.length,
      openTimers: this.timers.size,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timers.clearAll();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await done;
  }

  private record(req: IncomingMessage, url: URL): RecordedRequest {
    const target = req.headers['x-amz-target'];
    const rec: RecordedRequest = {
      seq: ++this.seq,
      time: this.ctx.now(),
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: redactHeaders(req.headers),
      body: undefined,
      bodyBytes: 0,
      route: routeName(req.method ?? 'GET', url.pathname, typeof target === 'string' ? target : undefined),
    };
    this.recorded.push(rec);
    if (this.recorded.length > this.options.maxRecordedRequests) this.recorded.shift();
    return rec;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://mock.invalid');
    const rec = this.record(req, url);
    res.once('close', () => {
      rec.status = res.statusCode;
    });
    try {
      const body = await readBody(req);
      rec.body = body.parsed;
      rec.bodyBytes = body.raw.length;
      const handler = this.pickRoute(req, url);
      const call: RouteCall = { req, res, ctx: this.ctx, rec, body, url };
      if (handler) await handler(call);
      else if (url.pathname === '/' && req.method === 'POST') {
        sendJson(
          res,
          400,
          { __type: 'com.amazon.coral.service#UnknownOperationException', message: null },
          { 'x-amzn-errortype': 'UnknownOperationException' },
        );
      } else sendJson(res, 404, { message: `No mock route for ${req.method} ${url.pathname}` });
    } catch {
      // A client that vanished mid-request or an over-cap body: drop the connection.
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { message: 'mock internal error', reason: null });
      else res.destroy();
    }
  }

  private pickRoute(req: IncomingMessage, url: URL): RouteHandler | undefined {
    if (url.pathname === '/' && req.method === 'POST') {
      const target = req.headers['x-amz-target'];
      return typeof target === 'string' ? AWSJSON_TARGETS[target] : undefined;
    }
    return this.routes[`${req.method} ${url.pathname}`];
  }
}

/** Starts a mock on 127.0.0.1 (port 0 by default) and resolves once it listens. */
export async function startMockKiro(options: MockKiroOptions = {}): Promise<MockKiro> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler) handler(req, res);
    else res.destroy();
  });
  // Chat streams may idle for scripted delays; the real service keeps them open too.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return new MockKiro(server, options, (h) => {
    handler = h;
  });
}
