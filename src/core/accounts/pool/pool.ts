// The account pool: picks an account per request, fails over on the §8 fault table until the
// first event is in hand, and keeps each account's state (cooldown, disabled, expired…) for the
// hosts to show. State recovers by comparing deadlines with the clock, so no per-account timers.
import { ProxyError } from '../../errors.ts';
import { upstreamErrorToProxyError as upstreamToProxyError } from '../../kiro/classify.ts';
import { KiroUpstreamError, type KiroAccountContext, type KiroClient } from '../../kiro/types.ts';
import type { AccountView, Clock, Disposable, Logger, ProxyConfig } from '../../proxy-types.ts';
import { sleep } from './backoff.ts';
import { decideFault, isAccountStateClass, type FaultTuning } from './fault-policy.ts';
import { runAttempt, link, type AttemptResult } from './pool-attempt.ts';
import {
  concurrencyLimit,
  deriveState,
  isServable,
  newRecord,
  remainingQuota,
  toView,
  type AccountRecord,
  type PoolAccount,
} from './pool-account.ts';
import { replayThenFollow } from './pool-lease.ts';
import type { AccountPool, UpstreamLease, UpstreamRequest } from './pool-types.ts';
import { allUnavailableError } from './pool-unavailable.ts';
import { effectiveProfileArn, effectiveRegion } from '../credentials/profile-arn.ts';
import { startQuotaScheduler, type QuotaScheduler } from '../quota/quota-scheduler.ts';
import { DEFAULT_QUOTA_PROBE_INTERVAL_MS, describeExhaustion, quotaNumbersExhausted, servingOnOverage } from '../quota/quota-verdict.ts';
import { selectAccount, type Candidate } from './selection.ts';
import { conversationKeyOf, createStickyMap } from './stickiness.ts';

/**
 * The reason a released lease aborts its upstream request with. One shared AbortError: after a
 * complete stream the abort is a no-op, and a fresh DOMException (with its stack) per request
 * showed in the request-rate profile.
 */
const LEASE_RELEASED = new DOMException('the upstream stream was released', 'AbortError');

export type PoolConfig = Pick<
  ProxyConfig,
  'selectionStrategy' | 'cooldownSeconds' | 'accountConcurrency' | 'requestTimeoutMs' | 'firstTokenTimeoutMs' | 'region'
>;

export interface PoolTuning extends Omit<FaultTuning, 'throttleCooldownMs'> {
  /** Upper bound of upstream attempts per request, all accounts together. */
  maxAttempts: number;
  stickyMaxEntries: number;
  stickyTtlMs: number;
  /** 0 disables the schedule (on-demand refreshQuota still works). */
  quotaRefreshIntervalMs: number;
  quotaInitialDelayMs: number;
  /** When the usage numbers say "used up", Kiro is asked with a real request at most this often (quota-verdict.ts). */
  quotaProbeIntervalMs: number;
}

export const DEFAULT_POOL_TUNING: PoolTuning = {
  rateLimitCooldownMs: 15_000,
  serverRetries: 2,
  capacityRetries: 3,
  capacityMaxWaitMs: 30_000,
  backoff: { baseMs: 500, maxMs: 8_000 },
  maxAttempts: 12,
  stickyMaxEntries: 10_000,
  stickyTtlMs: 6 * 60 * 60_000,
  quotaRefreshIntervalMs: 15 * 60_000,
  quotaInitialDelayMs: 5_000,
  quotaProbeIntervalMs: DEFAULT_QUOTA_PROBE_INTERVAL_MS,
};

export interface AccountPoolOptions {
  client: KiroClient;
  config: PoolConfig;
  clock: Clock;
  logger: Logger;
  /** [0, 1); injectable so jitter is deterministic in tests. */
  random?: () => number;
  tuning?: Partial<PoolTuning>;
}

export interface ManagedAccountPool extends AccountPool {
  /** Adds or replaces (same id: keeps counters and quota, clears auth/degraded flags). */
  add(account: PoolAccount): AccountView;
  remove(id: string): boolean;
  list(): AccountView[];
  get(id: string): AccountView | undefined;
  /** Enabling is the user's "try again": it also clears suspended and expired flags. */
  setEnabled(id: string, enabled: boolean): AccountView;
  setLabel(id: string, label: string): AccountView;
  /** Forces a token refresh; success clears the expired flag. */
  refreshToken(id: string, signal?: AbortSignal): Promise<AccountView>;
  refreshQuota(id: string, signal?: AbortSignal): Promise<AccountView>;
  refreshAllQuotas(signal?: AbortSignal): Promise<void>;
  updateConfig(patch: Partial<PoolConfig>): void;
  onChange(listener: (accounts: AccountView[]) => void): Disposable;
  dispose(): void;
}

/** Per account, per request. */
interface Memo {
  refreshed: boolean;
  serverRetries: number;
  forceNext: boolean;
  rejectedToken: string | undefined;
}

const MAX_TIMER_MS = 6 * 60 * 60_000;

function profileArnOf(r: AccountRecord): string {
  const live = r.account.tokens.credential?.profileArn;
  return effectiveProfileArn(live ? { ...r.account, profileArn: live } : r.account);
}

export function createAccountPool(options: AccountPoolOptions): ManagedAccountPool {
  const { client, clock, logger } = options;
  const random = options.random ?? Math.random;
  const tuning: PoolTuning = { ...DEFAULT_POOL_TUNING, ...options.tuning };
  let config: PoolConfig = { ...options.config };
  const records = new Map<string, AccountRecord>();
  const sticky = createStickyMap({ maxEntries: tuning.stickyMaxEntries, ttlMs: tuning.stickyTtlMs, now: () => clock.now() });
  const listeners = new Set<(accounts: AccountView[]) => void>();
  const slotWaiters = new Set<() => void>();
  const lifetime = new AbortController();
  let rrCursor = -1;
  let recoveryTimer: { at: number; handle: { clear(): void } } | undefined;
  let disposed = false;

  const faultTuning = (): FaultTuning => ({ ...tuning, throttleCooldownMs: config.cooldownSeconds * 1000 });

  function list(): AccountView[] {
    const now = clock.now();
    return [...records.values()].map((r) => toView(r, now));
  }

  function emit(): void {
    if (disposed) return;
    scheduleRecoveryTick();
    if (listeners.size === 0) return;
    const views = list();
    for (const l of [...listeners]) {
      try {
        l(views);
      } catch (err) {
        logger.error(`[pool] onChange listener failed: ${(err as Error)?.message ?? 'unknown error'}`);
      }
    }
  }

  /** One timer for the whole pool so hosts see "cooldown → active" without polling. */
  function scheduleRecoveryTick(): void {
    const now = clock.now();
    let next: number | undefined;
    for (const r of records.values()) {
      const until = deriveState(r, now).until;
      if (until !== undefined && until > now && (next === undefined || until < next)) next = until;
    }
    if (next === undefined) {
      recoveryTimer?.handle.clear();
      recoveryTimer = undefined;
      return;
    }
    if (recoveryTimer && recoveryTimer.at === next) return;
    recoveryTimer?.handle.clear();
    const at = next;
    recoveryTimer = {
      at,
      handle: clock.setTimeout(() => {
        recoveryTimer = undefined;
        emit();
      }, Math.min(MAX_TIMER_MS, Math.max(0, at - now) + 1)),
    };
  }

  function wake(): void {
    for (const w of [...slotWaiters]) w();
  }

  function waitForSlot(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        slotWaiters.delete(done);
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        slotWaiters.delete(done);
        reject(signal.reason);
      };
      if (signal.aborted) return reject(signal.reason);
      slotWaiters.add(done);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  function mustGet(id: string): AccountRecord {
    const r = records.get(id);
    if (!r) throw new ProxyError('not_found', `no Kiro account with id ${id}`, { code: 'ACCOUNT_NOT_FOUND' });
    return r;
  }

  function contextFor(r: AccountRecord): Omit<KiroAccountContext, 'accessToken'> {
    const a = r.account;
    const profileArn = profileArnOf(r);
    const ctx: Omit<KiroAccountContext, 'accessToken'> = {
      profileArn,
      machineId: a.machineId,
      region: effectiveRegion(a, profileArn, config.region),
    };
    if (a.tokenType) ctx.tokenType = a.tokenType;
    return ctx;
  }

  function recordError(r: AccountRecord, message: string, cls: string | undefined, count: boolean): void {
    r.lastError = { at: clock.now(), message, ...(cls ? { cls } : {}) };
    if (count) r.counters.errors++;
  }

  function suspend(r: AccountRecord, err: KiroUpstreamError): void {
    const first = r.suspendedReason === undefined;
    r.suspendedReason = `suspended by AWS (TEMPORARILY_SUSPENDED): ${err.message}`;
    // Loud once: a suspended account must never be retried in a loop, and the user must act.
    if (first) {
      logger.error(`[pool] Kiro account "${r.account.label}" is SUSPENDED by AWS (${err.message}). It is out of rotation until you re-enable it.`);
    }
  }

  /** The lasting part of a fault (cooldown, disable, suspend), also for failures seen mid-stream. */
  function applyAccountConsequence(r: AccountRecord, err: KiroUpstreamError): boolean {
    const now = clock.now();
    const action = decideFault(err, { refreshed: true, serverRetries: Infinity, capacityRetries: Infinity }, faultTuning(), now, random, r.quota?.nextResetAt);
    switch (action.kind) {
      case 'cooldown': {
        r.cooldownUntil = Math.max(r.cooldownUntil ?? 0, action.until);
        r.cooldownReason = err.reason ? `${err.reason}: ${err.message}` : err.message;
        logger.warn(`[pool] ${r.account.label}: ${err.cls} (${err.status}), cooling down until ${new Date(r.cooldownUntil).toISOString()}`);
        return true;
      }
      case 'disable_until':
        r.disabledUntil = action.until;
        r.disabledWithOverage = r.quota?.overageEnabled === true;
        r.disabledReason = `monthly quota exhausted (${err.reason ?? err.status}) until ${new Date(action.until).toISOString()}`;
        logger.warn(`[pool] ${r.account.label}: ${r.disabledReason}`);
        return true;
      case 'suspend':
        suspend(r, err);
        return true;
      case 'expire':
        r.authFailedReason = `Kiro rejected a freshly refreshed token (HTTP ${err.status}): log in again`;
        logger.warn(`[pool] ${r.account.label}: ${r.authFailedReason}`);
        return true;
      default:
        return false;
    }
  }

  function candidatesFor(excluded: ReadonlySet<string>): { servable: AccountRecord[]; free: AccountRecord[] } {
    const now = clock.now();
    const servable: AccountRecord[] = [];
    const free: AccountRecord[] = [];
    for (const r of records.values()) {
      if (excluded.has(r.account.id)) continue;
      const d = deriveState(r, now);
      if (!isServable(d.state) && !d.quotaProbe) continue;
      servable.push(r);
      if (r.inFlight < concurrencyLimit(r, config.accountConcurrency)) free.push(r);
    }
    return { servable, free };
  }

  /** A free account (waiting for a concurrency slot if every servable one is busy), or undefined when none can serve. */
  async function acquire(stickyKey: string, excluded: ReadonlySet<string>, signal: AbortSignal): Promise<AccountRecord | undefined> {
    for (;;) {
      signal.throwIfAborted();
      const { servable, free } = candidatesFor(excluded);
      if (servable.length === 0) return undefined;
      if (free.length > 0) {
        const now = clock.now();
        const stuck = sticky.get(stickyKey);
        // A conversation does not pull a quota probe forward: that stays a last resort.
        const pinned = stuck !== undefined ? free.find((r) => r.account.id === stuck && !deriveState(r, now).quotaProbe) : undefined;
        if (pinned) return pinned;
        const order = [...records.keys()];
        const candidates: Candidate[] = free.map((r) => {
          const d = deriveState(r, now);
          return {
            id: r.account.id,
            order: order.indexOf(r.account.id),
            inFlight: r.inFlight,
            requests: r.counters.requests,
            lastUsedAt: r.lastUsedAt,
            remaining: remainingQuota(r.quota),
            degraded: d.state === 'error' || d.quotaProbe === true,
          };
        });
        const picked = selectAccount(config.selectionStrategy, candidates, rrCursor);
        if (picked) {
          rrCursor = picked.cursor;
          return records.get(picked.candidate.id);
        }
      }
      await waitForSlot(signal);
    }
  }

  function startAttempt(r: AccountRecord): void {
    r.inFlight++;
    r.counters.requests++;
    r.lastUsedAt = clock.now();
  }

  function endAttempt(r: AccountRecord): void {
    r.inFlight = Math.max(0, r.inFlight - 1);
    wake();
  }

  function makeLease(r: AccountRecord, result: Extract<AttemptResult, { ok: true }>, attempts: number, finish: () => void): UpstreamLease {
    let released = false;
    return {
      accountId: r.account.id,
      accountLabel: r.account.label,
      requestId: result.requestId,
      attempts,
      events: replayThenFollow(result.peeked, result.iterator),
      release(outcome) {
        if (released) return;
        released = true;
        finish();
        // Frees the upstream connection if the stream was abandoned; a no-op after a complete one.
        result.controller.abort(LEASE_RELEASED);
        endAttempt(r);
        r.counters.tokensIn += outcome.inputTokens ?? 0;
        r.counters.tokensOut += outcome.outputTokens ?? 0;
        r.counters.credits += outcome.credits ?? 0;
        const err = outcome.error;
        const aborted = outcome.clientClosed === true || (err instanceof Error && err.name === 'AbortError');
        if (outcome.clientClosed) r.counters.aborted++;
        if (!outcome.ok && !aborted) {
          if (err instanceof KiroUpstreamError) {
            recordError(r, err.message, err.cls, true);
            // Only pushback that outlives this stream; an auth failure mid-answer proves nothing about the token.
            if (err.cls !== 'auth_invalid') applyAccountConsequence(r, err);
          } else {
            recordError(r, err instanceof Error ? err.message : 'stream failed', undefined, true);
          }
        }
        emit();
      },
    };
  }

  /**
   * A request about to go to an account whose usage numbers say "used up" asks Kiro: nobody else
   * uses the account meanwhile, and the next probe waits a full interval (quota-verdict.ts).
   */
  function beginQuotaProbe(r: AccountRecord, again: boolean): boolean {
    const now = clock.now();
    if (!again && !deriveState(r, now).quotaProbe) return false;
    r.quotaProbe = { ...r.quotaProbe, inFlight: true, nextAt: now + tuning.quotaProbeIntervalMs };
    if (!again) logger.info(`[pool] ${r.account.label}: ${describeExhaustion(r.quota!)} by the usage numbers; asking Kiro with this request`);
    emit();
    return true;
  }

  function endQuotaProbe(r: AccountRecord, served: boolean): void {
    const probe = r.quotaProbe;
    if (!probe?.inFlight) return;
    probe.inFlight = false;
    if (served && r.quota) {
      probe.overruledFetchedAt = r.quota.fetchedAt;
      logger.info(`[pool] ${r.account.label}: Kiro still serves it although the usage numbers said ${describeExhaustion(r.quota)}; back in rotation`);
    }
  }

  async function failover(req: UpstreamRequest, signal: AbortSignal, stickyKey: string, finish: () => void): Promise<UpstreamLease> {
    const excluded = new Set<string>();
    const memos = new Map<string, Memo>();
    const memoOf = (id: string): Memo => {
      let m = memos.get(id);
      if (!m) memos.set(id, (m = { refreshed: false, serverRetries: 0, forceNext: false, rejectedToken: undefined }));
      return m;
    };
    let capacityRetries = 0;
    let attempts = 0;
    let pinned: AccountRecord | undefined;
    /** The most recent failure the client should see if no account is left (not a state-class one). */
    let lastClientError: ProxyError | undefined;
    /** The account this request is checking its quota with, if any (it may retry it, e.g. after a refresh). */
    let probing: AccountRecord | undefined;

    for (;;) {
      signal.throwIfAborted();
      if (attempts >= tuning.maxAttempts) {
        throw lastClientError ?? allUnavailableError(list(), clock.now());
      }
      let r: AccountRecord | undefined;
      if (pinned && records.get(pinned.account.id) === pinned && (isServable(deriveState(pinned, clock.now()).state) || pinned === probing)) r = pinned;
      pinned = undefined;
      r ??= await acquire(stickyKey, excluded, signal);
      if (!r) {
        const now = clock.now();
        const stillServable = [...excluded].some((id) => {
          const x = records.get(id);
          return x !== undefined && isServable(deriveState(x, now).state);
        });
        throw lastClientError && stillServable ? lastClientError : allUnavailableError(list(), now);
      }

      attempts++;
      const memo = memoOf(r.account.id);
      if (beginQuotaProbe(r, r === probing)) probing = r;
      startAttempt(r);
      let result: AttemptResult;
      try {
        result = await runAttempt({
          client,
          clock,
          tokens: r.account.tokens,
          context: contextFor(r),
          body: { ...req.body, profileArn: profileArnOf(r) },
          forceRefresh: memo.forceNext,
          rejectedToken: memo.forceNext ? memo.rejectedToken : undefined,
          signal,
          firstTokenTimeoutMs: config.firstTokenTimeoutMs,
        });
      } catch (err) {
        // Only the request's own abort/timeout lands here: nobody's fault, no penalty.
        r.counters.requests--;
        endQuotaProbe(r, false);
        endAttempt(r);
        throw err;
      }
      memo.forceNext = false;
      if (r === probing) endQuotaProbe(r, result.ok);

      if (result.ok) {
        r.degradedReason = undefined;
        sticky.set(stickyKey, r.account.id);
        emit();
        return makeLease(r, result, attempts, finish);
      }
      endAttempt(r);

      if (result.kind === 'token') {
        recordError(r, result.message, 'token', true);
        if (result.needsLogin) logger.warn(`[pool] ${r.account.label}: needs a new login (${result.message})`);
        else {
          r.degradedReason = result.message;
          lastClientError = new ProxyError('upstream', `Could not get a Kiro access token for ${r.account.label}: ${result.message}`, {
            code: 'KIRO_TOKEN_REFRESH_FAILED',
          });
        }
        excluded.add(r.account.id);
        emit();
        continue;
      }

      const err = result.error;
      const action = decideFault(
        err,
        { refreshed: memo.refreshed, serverRetries: memo.serverRetries, capacityRetries },
        faultTuning(),
        clock.now(),
        random,
        r.quota?.nextResetAt,
      );
      // Model capacity is Kiro's problem, not the account's: shown, not counted.
      recordError(r, err.message, err.cls, err.cls !== 'capacity');
      logger.debug(`[pool] ${r.account.label}: ${err.cls} (${err.status}${err.reason ? ` ${err.reason}` : ''}) → ${action.kind}`);
      if (!isAccountStateClass(err.cls)) lastClientError = upstreamToProxyError(err);

      switch (action.kind) {
        case 'refresh_retry':
          memo.refreshed = true;
          memo.forceNext = true;
          memo.rejectedToken = result.token;
          pinned = r;
          break;
        case 'retry_same':
          memo.serverRetries++;
          r.degradedReason = err.message;
          emit();
          await sleep(action.delayMs, clock, signal);
          pinned = r;
          break;
        case 'retry_any':
          capacityRetries++;
          await sleep(action.delayMs, clock, signal);
          break;
        case 'switch':
          if (err.cls === 'server' || err.cls === 'network' || err.cls === 'timeout') r.degradedReason = err.message;
          excluded.add(r.account.id);
          break;
        case 'fail':
          emit();
          throw upstreamToProxyError(err);
        default:
          applyAccountConsequence(r, err);
          excluded.add(r.account.id);
          break;
      }
      emit();
    }
  }

  async function execute(req: UpstreamRequest): Promise<UpstreamLease> {
    if (disposed) throw new ProxyError('unavailable', 'the Kiro account pool is shut down', { code: 'POOL_DISPOSED' });
    req.signal.throwIfAborted();
    // One controller per request, linked by hand (not AbortSignal.any) so nothing stays
    // attached to the pool-lifetime signal after the request is over.
    const run = new AbortController();
    const unlinkClient = link(req.signal, run);
    const unlinkLifetime = link(lifetime.signal, run);
    const timeoutMs = config.requestTimeoutMs;
    // Made only when the timer fires: an error (and its stack) per request is measurable.
    let timeoutError: ProxyError | undefined;
    const timer =
      timeoutMs > 0
        ? clock.setTimeout(() => {
            timeoutError = new ProxyError('timeout', `Kiro did not complete the request within ${Math.round(timeoutMs / 1000)} s (request timeout)`, {
              code: 'REQUEST_TIMEOUT',
            });
            run.abort(timeoutError);
          }, timeoutMs)
        : undefined;
    const finish = () => {
      timer?.clear();
      unlinkClient();
      unlinkLifetime();
    };
    try {
      return await failover(req, run.signal, req.stickyKey ?? conversationKeyOf(req.body), finish);
    } catch (err) {
      finish();
      if (req.signal.aborted) throw req.signal.reason ?? err;
      if (timeoutError) throw timeoutError;
      if (lifetime.signal.aborted) throw new ProxyError('unavailable', 'the Kiro account pool is shutting down', { code: 'POOL_DISPOSED' });
      throw err;
    }
  }

  async function refreshQuota(id: string, signal?: AbortSignal): Promise<AccountView> {
    const r = mustGet(id);
    const ctl = new AbortController();
    const unlinks = [link(lifetime.signal, ctl), ...(signal ? [link(signal, ctl)] : [])];
    try {
      const ctx = contextFor(r);
      let token = await r.account.tokens.getAccessToken({ signal: ctl.signal });
      let quota;
      try {
        quota = await client.getUsageLimits({ ...ctx, accessToken: token }, ctl.signal);
      } catch (err) {
        if (!(err instanceof KiroUpstreamError) || err.cls !== 'auth_invalid') throw err;
        token = await r.account.tokens.getAccessToken({ signal: ctl.signal, forceRefresh: true, rejectedToken: token });
        quota = await client.getUsageLimits({ ...ctx, accessToken: token }, ctl.signal);
      }
      const now = clock.now();
      r.quota = quota;
      // The token just worked, and upstream's own numbers beat a deadline we guessed from a 402:
      // included credits left (a plan change, a reset), or overage turned on since that 402.
      r.authFailedReason = undefined;
      const remaining = remainingQuota(quota);
      const overageTurnedOn = servingOnOverage(quota, now) && !r.disabledWithOverage;
      if (r.disabledUntil !== undefined && ((remaining !== undefined && remaining > 0) || overageTurnedOn) && !quotaNumbersExhausted(quota, now)) {
        r.disabledUntil = undefined;
        r.disabledReason = undefined;
        r.disabledWithOverage = undefined;
      }
      emit();
      return toView(r, now);
    } catch (err) {
      if (ctl.signal.aborted) throw ctl.signal.reason ?? err;
      if (err instanceof KiroUpstreamError) {
        recordError(r, `quota: ${err.message}`, err.cls, false);
        if (err.cls === 'auth_invalid') {
          r.authFailedReason = `Kiro rejected a freshly refreshed token (HTTP ${err.status}): log in again`;
        } else if (err.cls === 'suspended') {
          suspend(r, err);
        }
        emit();
        if (err.cls === 'suspended' || err.cls === 'auth_invalid') return toView(r, clock.now());
      } else {
        recordError(r, `quota: ${err instanceof Error ? err.message : String(err)}`, 'token', false);
        emit();
      }
      throw err;
    } finally {
      for (const u of unlinks) u();
    }
  }

  async function refreshAllQuotas(signal?: AbortSignal): Promise<void> {
    for (const r of [...records.values()]) {
      if (disposed || signal?.aborted) return;
      const state = deriveState(r, clock.now());
      // Asking about an account that cannot be used (user-disabled, suspended, needs login) only adds noise upstream.
      if (!r.enabled || r.suspendedReason || state.state === 'expired') continue;
      await refreshQuota(r.account.id, signal).catch((err: unknown) => {
        logger.debug(`[pool] quota refresh of ${r.account.label} failed: ${(err as Error)?.message ?? 'unknown error'}`);
      });
    }
  }

  const scheduler: QuotaScheduler = startQuotaScheduler({
    clock,
    logger,
    intervalMs: tuning.quotaRefreshIntervalMs,
    initialDelayMs: tuning.quotaInitialDelayMs,
    run: () => refreshAllQuotas(lifetime.signal),
  });

  return {
    execute,
    add(account) {
      const existing = records.get(account.id);
      if (existing) {
        existing.account = account;
        existing.authFailedReason = undefined;
        existing.degradedReason = undefined;
        if (account.enabled !== undefined) existing.enabled = account.enabled;
      } else {
        records.set(account.id, newRecord(account));
      }
      wake();
      emit();
      return toView(mustGet(account.id), clock.now());
    },
    remove(id) {
      const removed = records.delete(id);
      if (removed) {
        sticky.forgetAccount(id);
        emit();
      }
      return removed;
    },
    list,
    get(id) {
      const r = records.get(id);
      return r ? toView(r, clock.now()) : undefined;
    },
    setEnabled(id, enabled) {
      const r = mustGet(id);
      r.enabled = enabled;
      if (enabled) {
        r.suspendedReason = undefined;
        r.authFailedReason = undefined;
        r.degradedReason = undefined;
        wake();
      }
      emit();
      return toView(r, clock.now());
    },
    setLabel(id, label) {
      const r = mustGet(id);
      r.account = { ...r.account, label };
      emit();
      return toView(r, clock.now());
    },
    async refreshToken(id, signal) {
      const r = mustGet(id);
      const ctl = new AbortController();
      const unlinks = [link(lifetime.signal, ctl), ...(signal ? [link(signal, ctl)] : [])];
      try {
        await r.account.tokens.getAccessToken({ signal: ctl.signal, forceRefresh: true });
        r.authFailedReason = undefined;
        r.degradedReason = undefined;
        emit();
        return toView(r, clock.now());
      } catch (err) {
        if (!ctl.signal.aborted) {
          recordError(r, `token refresh: ${err instanceof Error ? err.message : String(err)}`, 'token', false);
          emit();
        }
        throw err;
      } finally {
        for (const u of unlinks) u();
      }
    },
    refreshQuota,
    refreshAllQuotas,
    updateConfig(patch) {
      config = { ...config, ...patch };
      wake();
    },
    onChange(listener) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      scheduler.dispose();
      recoveryTimer?.handle.clear();
      recoveryTimer = undefined;
      lifetime.abort();
      listeners.clear();
      wake();
    },
  };
}
