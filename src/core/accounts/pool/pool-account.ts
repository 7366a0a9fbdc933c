// One account as the pool sees it: what the host hands in (PoolAccount), the pool's mutable
// record about it (AccountRecord), and the state derived from that record at a given time.
import type { KiroAccountContext, UsageLimits } from '../../kiro/types.ts';
import type { AccountState, AccountView } from '../../proxy-types.ts';
import { describeExhaustion, describeOverage, quotaGate, servingOnOverage, type QuotaProbeState } from '../quota/quota-verdict.ts';

/** Structurally what TokenManager offers; anything else that hands out tokens fits too. */
export interface AccountTokenSource {
  getAccessToken(options: { signal: AbortSignal; forceRefresh?: boolean; rejectedToken?: string }): Promise<string>;
  /** `needs_login` after a permanent refresh failure. */
  readonly state?: string;
  status?(): { expiresAt?: number; lastError?: { message: string } };
  /** Something about where the tokens are kept that the user should know (account-sync.ts). */
  notice?(): string | undefined;
  /** The live credential (TokenManager): a refresh may bring a profile ARN the account was added without. */
  readonly credential?: { profileArn?: string };
}

export interface PoolAccount {
  /** Stable, secret-free (credentialId). */
  id: string;
  label: string;
  /** Where it came from, for display (describeOrigin). */
  source: string;
  /** social | idc | api_key | external_idp | oauth */
  authMethod: string;
  provider?: string;
  tokens: AccountTokenSource;
  profileArn?: string;
  /** 64 hex (machineIdFor). */
  machineId: string;
  /** API region; derived from the profile ARN when absent. */
  region?: string;
  tokenType?: KiroAccountContext['tokenType'];
  /** Default true. */
  enabled?: boolean;
  /** Overrides config.accountConcurrency; 0 = unlimited. */
  maxConcurrency?: number;
}

export interface AccountRecord {
  account: PoolAccount;
  enabled: boolean;
  cooldownUntil?: number;
  cooldownReason?: string;
  /** Quota exhausted (402) until the reset date. */
  disabledUntil?: number;
  disabledReason?: string;
  /** Overage was on when that 402 came (turning it on since is a reason to try again). */
  disabledWithOverage?: boolean;
  /** What Kiro said when the usage numbers said "used up" (quota-verdict.ts). */
  quotaProbe?: QuotaProbeState;
  /** Set by TEMPORARILY_SUSPENDED; cleared only by the user re-enabling the account. */
  suspendedReason?: string;
  /** Upstream still rejected a freshly refreshed token. Cleared by a successful forced refresh or re-login. */
  authFailedReason?: string;
  /** The last attempt failed in a way that is nobody's state (5xx, network, token endpoint down). */
  degradedReason?: string;
  inFlight: number;
  /** `aborted`: answers this account was giving when the client went away (not errors). */
  counters: { requests: number; errors: number; aborted: number; tokensIn: number; tokensOut: number; credits: number };
  lastError?: { at: number; message: string; cls?: string };
  lastUsedAt?: number;
  quota?: UsageLimits;
}

export function newRecord(account: PoolAccount): AccountRecord {
  return {
    account,
    enabled: account.enabled !== false,
    inFlight: 0,
    counters: { requests: 0, errors: 0, aborted: 0, tokensIn: 0, tokensOut: 0, credits: 0 },
  };
}

/** Remaining credits, or undefined when the quota is unknown (or reports no limit). */
export function remainingQuota(quota: UsageLimits | undefined): number | undefined {
  if (!quota || quota.limit <= 0) return undefined;
  return quota.limit - quota.used;
}

export interface DerivedState {
  state: AccountState;
  reason?: string;
  /** When the account recovers by itself. */
  until?: number;
  /** Out of rotation by its usage numbers, but due to be checked with Kiro: a last-resort candidate, one request at a time. */
  quotaProbe?: boolean;
}

const iso = (t: number) => new Date(t).toISOString();

/** The precedence says which reason the user most needs to act on. */
export function deriveState(r: AccountRecord, now: number): DerivedState {
  if (!r.enabled) return { state: 'disabled', reason: 'disabled by the user' };
  if (r.suspendedReason) return { state: 'disabled', reason: r.suspendedReason };
  if (r.account.tokens.state === 'needs_login') {
    // The refresh failure says what was re-read and why nothing on disk helped.
    return { state: 'expired', reason: r.account.tokens.status?.().lastError?.message ?? 'the refresh token was rejected: log in again' };
  }
  if (r.authFailedReason) return { state: 'expired', reason: r.authFailedReason };
  if (r.disabledUntil !== undefined && r.disabledUntil > now) {
    return { state: 'disabled', reason: r.disabledReason ?? `quota exhausted until ${iso(r.disabledUntil)}`, until: r.disabledUntil };
  }
  if (r.cooldownUntil !== undefined && r.cooldownUntil > now) {
    return { state: 'cooldown', reason: r.cooldownReason ?? 'cooling down', until: r.cooldownUntil };
  }
  // The usage numbers are a forecast; Kiro has the last word (quota-verdict.ts).
  const gate = quotaGate(r.quota, r.quotaProbe, now);
  if (gate.kind === 'wait')
    return { state: 'cooldown', reason: `${describeExhaustion(r.quota!)}; Kiro is asked again at ${iso(gate.until)}`, until: gate.until };
  if (gate.kind === 'probe')
    return { state: 'cooldown', reason: `${describeExhaustion(r.quota!)}; the next request it is needed for asks Kiro`, quotaProbe: true };
  if (r.degradedReason) return { state: 'error', reason: r.degradedReason };
  if (servingOnOverage(r.quota, now)) return { state: 'active', reason: describeOverage(r.quota!) };
  return { state: 'active' };
}

/** `error` accounts still serve (the failure may be gone); they are just tried after `active` ones. */
export function isServable(state: AccountState): boolean {
  return state === 'active' || state === 'error';
}

export function concurrencyLimit(r: AccountRecord, configDefault: number): number {
  const limit = r.account.maxConcurrency ?? configDefault;
  return limit > 0 ? limit : Infinity;
}

export function toView(r: AccountRecord, now: number): AccountView {
  const d = deriveState(r, now);
  const a = r.account;
  const view: AccountView = {
    id: a.id,
    label: a.label,
    state: d.state,
    authMethod: a.authMethod,
    source: a.source,
    enabled: r.enabled,
    counters: { ...r.counters, inFlight: r.inFlight },
  };
  if (d.reason !== undefined) view.stateReason = d.reason;
  if (d.state === 'cooldown' && d.until !== undefined) view.cooldownUntil = d.until;
  if (d.state === 'disabled' && d.until !== undefined) view.disabledUntil = d.until;
  if (a.provider !== undefined) view.provider = a.provider;
  const expiresAt = a.tokens.status?.().expiresAt;
  if (expiresAt !== undefined) view.tokenExpiresAt = expiresAt;
  if (r.lastError) view.lastError = { ...r.lastError };
  if (r.lastUsedAt !== undefined) view.lastUsedAt = r.lastUsedAt;
  if (r.quota) view.quota = { ...r.quota };
  const notice = a.tokens.notice?.();
  if (notice !== undefined) view.notice = notice;
  return view;
}
