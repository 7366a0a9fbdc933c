// The state one mock server instance owns, shared by its route handlers. Nothing here is
// module-level: two mocks in one process never see each other's accounts or scripts.
import type { AddAccountOptions, MockAccount, MockAccountStore } from './accounts.ts';
import type { AuthFlows } from './auth-flows.ts';
import type { MockModel } from './models.ts';
import type { MockStep } from './script.ts';
import type { TimerSet } from './timers.ts';

export interface MockKiroOptions {
  host?: string;
  port?: number;
  /** Seeds chunk splitting and tool ids (default 1). */
  seed?: number;
  /** Above this the chat call gets 400 CONTENT_LENGTH_EXCEEDS_THRESHOLD (default 615 000, JWG's observation). */
  maxBodyBytes?: number;
  models?: readonly MockModel[];
  /** Model ids accepted in requests (default: the catalogue's). */
  knownModels?: readonly string[];
  /** Default per-account chat request limit (default 1000). */
  usageLimit?: number;
  /** Answer 402 MONTHLY_REQUEST_COUNT once usage reaches the limit (default true). */
  enforceUsageLimit?: boolean;
  /** Device codes get approved on their own after this many pending polls. */
  autoApproveDevicesAfterPolls?: number;
  /** `interval` of device_authorization (default 1 s; real service says 5). */
  deviceIntervalSeconds?: number;
  deviceExpiresInSeconds?: number;
  /** The first N polls of each device code answer slow_down. */
  deviceSlowDownPolls?: number;
  /** Split frames across odd-sized TCP writes (default true). */
  splitFrames?: boolean;
  /** Pause between TCP writes for every stream (default 0). */
  chunkDelayMs?: number;
  /** Send a metadataEvent tokenUsage before metering by default (default false). */
  metadataEvents?: boolean;
  /** Clock, epoch ms. */
  now?: () => number;
  /** Ring size of `mock.requests` (default 1000). */
  maxRecordedRequests?: number;
  /** Accounts registered at start. */
  accounts?: AddAccountOptions[];
  /** Template for accounts created by login flows (social PKCE, device code, IdC PKCE). */
  loginAccount?: AddAccountOptions;
  /** Pause before every token refresh is answered (crash tests kill the client inside it). */
  refreshDelayMs?: number;
}

/** One token refresh as the mock handles it: logged when it arrives, completed when the answer is sent. */
export interface RefreshLogEntry {
  seq: number;
  route: 'refreshToken' | 'token' | 'oauth2';
  accountId?: string;
  /** Who asked (tests tell the proxy from a simulated Kiro IDE). */
  userAgent?: string;
  receivedAt: number;
  /** When the answer was written (after the scripted delay); the old refresh token died then. Unset while pending. */
  answeredAt?: number;
  /** The client had gone and the refresh was not processed (RefreshControl.abandonWhenClientGone). */
  abandoned?: boolean;
  status?: number;
}

/** The mock's token-refresh behaviour that tests change at run time. */
export interface RefreshControl {
  delayMs: number;
  /**
   * A refresh whose client went away during the pause is not processed (the refresh token stays
   * valid): the server never got to it. Default false: it is processed and the answer is lost.
   */
  abandonWhenClientGone: boolean;
  readonly log: RefreshLogEntry[];
}

export interface ResolvedOptions {
  seed: number;
  maxBodyBytes: number;
  models: readonly MockModel[];
  knownModels: readonly string[];
  enforceUsageLimit: boolean;
  autoApproveDevicesAfterPolls: number | undefined;
  deviceIntervalSeconds: number;
  deviceExpiresInSeconds: number;
  deviceSlowDownPolls: number;
  splitFrames: boolean;
  chunkDelayMs: number;
  metadataEvents: boolean;
  maxRecordedRequests: number;
  loginAccount: AddAccountOptions;
}

export interface RecordedRequest {
  seq: number;
  time: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Authorization is redacted to `Bearer <redacted:…last4>`. */
  headers: Record<string, string>;
  /** Parsed JSON / form, or the raw text when it is neither. */
  body: unknown;
  bodyBytes: number;
  /** Route name, e.g. `generate`, `refreshToken`, `token`, `usage`. */
  route: string;
  accountId?: string;
  status?: number;
  validation?: { ok: true } | { ok: false; rule: string; detail: string };
  /** The kind of scripted step served (`default`, `directive`, or a step kind). */
  served?: string;
}

export interface ScriptQueues {
  global: MockStep[];
  perAccount: Map<string, MockStep[]>;
}

export interface MockContext {
  readonly options: ResolvedOptions;
  readonly accounts: MockAccountStore;
  readonly flows: AuthFlows;
  readonly timers: TimerSet;
  readonly queues: ScriptQueues;
  readonly now: () => number;
  /** Base URL once listening. */
  url(): string;
  /** Next per-request PRNG seed. */
  nextSeed(): number;
  readonly refresh: RefreshControl;
  /** Creates an account for a completed login. */
  loginAccount(overrides: { authMethod: 'social' | 'idc'; provider: string; clientId?: string; clientSecret?: string }): MockAccount;
}

/** One route: gets the already-read body and the record to annotate. */
export type RouteHandler = (call: RouteCall) => void | Promise<void>;

export interface RouteCall {
  req: import('node:http').IncomingMessage;
  res: import('node:http').ServerResponse;
  ctx: MockContext;
  rec: RecordedRequest;
  body: import('./http-io.ts').ReadBody;
  url: URL;
}
