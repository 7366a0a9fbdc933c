// Contracts of the Kiro upstream core (implemented in client.ts, classify.ts, models.ts, …).
import type { KiroEvent } from './kiro-event.ts';
import type { KiroRequestBody } from './wire.ts';

/** Every Kiro base URL is configurable (design-contracts.md §3) so tests can point at loopback. */
export interface KiroEndpoints {
  /** Runtime base: /generateAssistantResponse, /getUsageLimits, /ListAvailableModels, /ListAvailableProfiles. `{region}` is substituted. */
  runtime: string;
  /** Social auth base: /refreshToken, /login, /oauth/token. */
  auth: string;
  /** AWS SSO OIDC base: /token, /client/register, /device_authorization. `{region}` is substituted. */
  oidc: string;
}

export const DEFAULT_ENDPOINTS: KiroEndpoints = {
  runtime: 'https://q.{region}.amazonaws.com',
  auth: 'https://prod.us-east-1.auth.desktop.kiro.dev',
  oidc: 'https://oidc.{region}.amazonaws.com',
};

/** REST `POST /generateAssistantResponse` (application/json) or awsJson 1.0 `POST /` + x-amz-target. */
export type EndpointStyle = 'rest' | 'awsjson';

/** What a call needs to know about the account it is made for. Never logged. */
export interface KiroAccountContext {
  accessToken: string;
  profileArn: string;
  /** 64 lowercase hex chars, stable per account (kiro-protocol.md §4.3). */
  machineId: string;
  /** API region (from the profile ARN), default us-east-1. */
  region: string;
  /** `ksk_` API keys send `tokentype: API_KEY`; external IdP tokens `TokenType: EXTERNAL_IDP`. */
  tokenType?: 'API_KEY' | 'EXTERNAL_IDP';
}

export interface KiroStreamResponse {
  /** x-amzn-requestid. */
  requestId: string | undefined;
  /** Decoded, typed events as they arrive; throws on a broken stream (CRC, truncation, network). */
  events: AsyncIterable<KiroEvent>;
}

/** Classes of upstream failure (kiro-protocol.md §8); the pool acts on these. */
export type UpstreamErrorClass =
  | 'auth_invalid' // 403 bearer invalid / 401 → refresh once, retry
  | 'suspended' // 403 TEMPORARILY_SUSPENDED → disable, flag loudly, never retry
  | 'feature_not_supported' // 403 FEATURE_NOT_SUPPORTED
  | 'quota_exhausted' // 402 MONTHLY_REQUEST_COUNT (or 429 with that reason)
  | 'rate_limited' // 429 USER_REQUEST_RATE_EXCEEDED → short cooldown, switch
  | 'throttled' // other 429 throttling (DAILY_REQUEST_COUNT, credit limit…) → cooldown, switch
  | 'capacity' // INSUFFICIENT_MODEL_CAPACITY (400 or 429) → backoff retry, no penalty
  | 'content_too_long' // 400 CONTENT_LENGTH_EXCEEDS_THRESHOLD
  | 'invalid_model' // 400 INVALID_MODEL_ID
  | 'profile_required' // 400 profileArn is required
  | 'bad_request' // other 400 (Improperly formed request…)
  | 'server' // 5xx
  | 'network' // connection failures
  | 'timeout'; // first-token / overall timeout

export interface UpstreamErrorInit {
  cls: UpstreamErrorClass;
  status: number;
  message: string;
  reason?: string | undefined;
  errorType?: string | undefined;
  retryAfterSeconds?: number | undefined;
  requestId?: string | undefined;
  cause?: unknown;
}

/** A classified upstream failure. `message` is Kiro's own text (never contains our tokens). */
export class KiroUpstreamError extends Error {
  readonly cls: UpstreamErrorClass;
  readonly status: number;
  readonly reason: string | undefined;
  readonly errorType: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly requestId: string | undefined;
  constructor(init: UpstreamErrorInit) {
    super(init.message, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'KiroUpstreamError';
    this.cls = init.cls;
    this.status = init.status;
    this.reason = init.reason;
    this.errorType = init.errorType;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.requestId = init.requestId;
  }
}

/**
 * The upstream class behind a failure, typed: the error itself, or the KiroUpstreamError a
 * client-facing error was made from (its `cause`, as the pool throws them). Callers decide on
 * what happened upstream, never on the wording or code shown to the client.
 */
export function upstreamErrorClassOf(err: unknown): UpstreamErrorClass | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof KiroUpstreamError) return e.cls;
  }
  return undefined;
}

export interface ModelInfo {
  modelId: string;
  modelName?: string;
  description?: string;
  maxInputTokens?: number;
  maxOutputTokens?: number;
  supportsImages?: boolean;
  rateMultiplier?: number;
}

export interface UsageLimits {
  plan?: string; // subscriptionTitle, e.g. "KIRO FREE"
  planType?: string;
  used: number;
  limit: number;
  bonusUsed: number;
  bonusLimit: number;
  freeTrialUsed: number;
  freeTrialLimit: number;
  freeTrialExpiry?: number; // epoch ms
  /** epoch ms of the next reset */
  nextResetAt?: number;
  daysUntilReset?: number;
  email?: string;
  /** Kiro's id of the user the token belongs to: what tells two accounts apart (accounts/store/account-sync.ts). */
  userId?: string;
  /** overageConfiguration.overageStatus as Kiro sent it (DISABLED, ENABLED…). */
  overageStatus?: string;
  /** Overage is on: Kiro keeps serving past `limit`, up to `overageCap` more credits (billed). */
  overageEnabled?: boolean;
  /** Credits used past the included limit this period (currentOverages). */
  overageUsed?: number;
  /** The most overage credits Kiro allows this period (overageCap). */
  overageCap?: number;
  /** What the overage has cost so far, in `currency`. */
  overageCharges?: number;
  currency?: string;
  fetchedAt: number;
}

export interface KiroClient {
  /** Sends the chat request; resolves once HTTP 200 headers arrived, throws KiroUpstreamError otherwise. */
  generateAssistantResponse(body: KiroRequestBody, account: KiroAccountContext, signal: AbortSignal): Promise<KiroStreamResponse>;
  getUsageLimits(account: KiroAccountContext, signal: AbortSignal): Promise<UsageLimits>;
  listAvailableModels(account: KiroAccountContext, signal: AbortSignal): Promise<ModelInfo[]>;
  close(): Promise<void>;
}
