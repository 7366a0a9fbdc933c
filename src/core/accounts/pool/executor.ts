// The upstream executor: sends one request to Kiro through the pool's accounts. It takes a slot
// from the registry (UpstreamAccounts.acquire), runs an attempt, and fails over on the §8 fault
// table until the first event is in hand; then it hands the pipeline a lease whose release
// reports back. It owns the request's overall timeout and its link to the pool's lifetime; it
// keeps no account state of its own (that is the registry's, reached only through report()).
import { ProxyError } from '../../errors.ts';
import { upstreamErrorToProxyError as upstreamToProxyError } from '../../kiro/classify.ts';
import type { KiroClient } from '../../kiro/types.ts';
import type { Clock } from '../../proxy-types.ts';
import type { AccountSlot, UpstreamAccounts } from './account-slots.ts';
import { sleep } from './backoff.ts';
import { decideFault, isAccountStateClass } from './fault-policy.ts';
import { runAttempt, link, type AttemptInput, type AttemptResult } from './pool-attempt.ts';
import { faultTuningOf, type PoolSettings } from './pool-config.ts';
import { replayThenFollow } from './pool-lease.ts';
import type { UpstreamLease, UpstreamRequest } from './pool-types.ts';
import { conversationKeyOf } from './stickiness.ts';

/**
 * The reason a released lease aborts its upstream request with. One shared AbortError: after a
 * complete stream the abort is a no-op, and a fresh DOMException (with its stack) per request
 * showed in the request-rate profile.
 */
const LEASE_RELEASED = new DOMException('the upstream stream was released', 'AbortError');

export interface ExecutorOptions {
  client: KiroClient;
  clock: Clock;
  random: () => number;
  settings: PoolSettings;
  accounts: UpstreamAccounts;
  /** Aborted when the pool shuts down. */
  lifetime: AbortSignal;
  disposed: () => boolean;
}

/** Per account, per request. */
interface Memo {
  refreshed: boolean;
  serverRetries: number;
  forceNext: boolean;
  rejectedToken: string | undefined;
}

/** One request's way through the accounts. */
interface Run {
  req: UpstreamRequest;
  signal: AbortSignal;
  stickyKey: string;
  finish: () => void;
  excluded: Set<string>;
  memos: Map<string, Memo>;
  capacityRetries: number;
  attempts: number;
  /** The account to try again next (after a refresh or a server error). */
  again: AccountSlot | undefined;
  /** The most recent failure the client should see if no account is left (not a state-class one). */
  lastClientError: ProxyError | undefined;
}

export interface UpstreamExecutor {
  execute(req: UpstreamRequest): Promise<UpstreamLease>;
}

function makeLease(
  accounts: UpstreamAccounts,
  slot: AccountSlot,
  result: Extract<AttemptResult, { ok: true }>,
  attempts: number,
  finish: () => void,
): UpstreamLease {
  let released = false;
  return {
    accountId: slot.accountId,
    accountLabel: slot.label,
    requestId: result.requestId,
    attempts,
    events: replayThenFollow(result.peeked, result.iterator),
    release(outcome) {
      if (released) return;
      released = true;
      finish();
      // Frees the upstream connection if the stream was abandoned; a no-op after a complete one.
      result.controller.abort(LEASE_RELEASED);
      accounts.report(slot, { kind: 'released', outcome });
    },
  };
}

function memoOf(run: Run, id: string): Memo {
  let m = run.memos.get(id);
  if (!m) run.memos.set(id, (m = { refreshed: false, serverRetries: 0, forceNext: false, rejectedToken: undefined }));
  return m;
}

/** The attempt's input: the account's context, the body with its profile ARN, a forced refresh when due. */
function attemptInput(o: ExecutorOptions, run: Run, slot: AccountSlot, memo: Memo): AttemptInput {
  return {
    client: o.client,
    clock: o.clock,
    tokens: slot.tokens,
    context: slot.context,
    body: { ...run.req.body, profileArn: slot.profileArn },
    forceRefresh: memo.forceNext,
    rejectedToken: memo.forceNext ? memo.rejectedToken : undefined,
    signal: run.signal,
    firstTokenTimeoutMs: o.settings.config.firstTokenTimeoutMs,
  };
}

/**
 * What one attempt's result means for the request: the lease, a pause before the next attempt
 * (ms), or undefined to go on at once. Synchronous, so the hot path has no extra await.
 */
function settle(o: ExecutorOptions, run: Run, slot: AccountSlot, memo: Memo, result: AttemptResult): UpstreamLease | number | undefined {
  const { accounts } = o;
  if (result.ok) {
    accounts.report(slot, { kind: 'served' });
    return makeLease(accounts, slot, result, run.attempts, run.finish);
  }
  if (result.kind === 'token') {
    accounts.report(slot, { kind: 'token_failed', message: result.message, needsLogin: result.needsLogin });
    if (!result.needsLogin) {
      run.lastClientError = new ProxyError('upstream', `Could not get a Kiro access token for ${slot.label}: ${result.message}`, {
        code: 'KIRO_TOKEN_REFRESH_FAILED',
      });
    }
    run.excluded.add(slot.accountId);
    return undefined;
  }

  const err = result.error;
  const faults = { refreshed: memo.refreshed, serverRetries: memo.serverRetries, capacityRetries: run.capacityRetries };
  const action = decideFault(err, faults, faultTuningOf(o.settings), o.clock.now(), o.random, slot.quotaResetAt);
  accounts.report(slot, { kind: 'failed', error: err, action });
  if (!isAccountStateClass(err.cls)) run.lastClientError = upstreamToProxyError(err);
  switch (action.kind) {
    case 'refresh_retry':
      memo.refreshed = true;
      memo.forceNext = true;
      memo.rejectedToken = result.token;
      run.again = slot;
      return undefined;
    case 'retry_same':
      memo.serverRetries++;
      run.again = slot;
      return action.delayMs;
    case 'retry_any':
      run.capacityRetries++;
      return action.delayMs;
    case 'fail':
      throw upstreamToProxyError(err);
    default:
      // switch, and the lasting consequences (cooldown, disable, suspend, expire): the registry applied them.
      run.excluded.add(slot.accountId);
      return undefined;
  }
}

/** Attempts on account after account until one gives a first event, or none is left. */
async function failover(o: ExecutorOptions, run: Run): Promise<UpstreamLease> {
  const { accounts } = o;
  for (;;) {
    run.signal.throwIfAborted();
    if (run.attempts >= o.settings.tuning.maxAttempts) throw run.lastClientError ?? accounts.unavailableError();
    const again = run.again;
    run.again = undefined;
    const slot = await accounts.acquire(run.stickyKey, run.excluded, run.signal, again);
    if (!slot) {
      throw run.lastClientError && accounts.anyServable(run.excluded) ? run.lastClientError : accounts.unavailableError();
    }
    run.attempts++;
    const memo = memoOf(run, slot.accountId);
    let result: AttemptResult;
    try {
      result = await runAttempt(attemptInput(o, run, slot, memo));
    } catch (err) {
      // Only the request's own abort/timeout lands here: nobody's fault, no penalty.
      accounts.report(slot, { kind: 'cancelled' });
      throw err;
    }
    memo.forceNext = false;
    const next = settle(o, run, slot, memo, result);
    if (typeof next === 'object') return next;
    if (next !== undefined) await sleep(next, o.clock, run.signal);
  }
}

export function createUpstreamExecutor(options: ExecutorOptions): UpstreamExecutor {
  const { clock, settings, lifetime } = options;

  async function execute(req: UpstreamRequest): Promise<UpstreamLease> {
    if (options.disposed()) throw new ProxyError('unavailable', 'the Kiro account pool is shut down', { code: 'POOL_DISPOSED' });
    req.signal.throwIfAborted();
    // One controller per request, linked by hand (not AbortSignal.any) so nothing stays
    // attached to the pool-lifetime signal after the request is over.
    const ctl = new AbortController();
    const unlinkClient = link(req.signal, ctl);
    const unlinkLifetime = link(lifetime, ctl);
    const timeoutMs = settings.config.requestTimeoutMs;
    // Made only when the timer fires: an error (and its stack) per request is measurable.
    let timeoutError: ProxyError | undefined;
    const timer =
      timeoutMs > 0
        ? clock.setTimeout(() => {
            timeoutError = new ProxyError('timeout', `Kiro did not complete the request within ${Math.round(timeoutMs / 1000)} s (request timeout)`, {
              code: 'REQUEST_TIMEOUT',
            });
            ctl.abort(timeoutError);
          }, timeoutMs)
        : undefined;
    const finish = () => {
      timer?.clear();
      unlinkClient();
      unlinkLifetime();
    };
    const run: Run = {
      req,
      signal: ctl.signal,
      stickyKey: req.stickyKey ?? conversationKeyOf(req.body),
      finish,
      excluded: new Set(),
      memos: new Map(),
      capacityRetries: 0,
      attempts: 0,
      again: undefined,
      lastClientError: undefined,
    };
    try {
      return await failover(options, run);
    } catch (err) {
      finish();
      if (req.signal.aborted) throw req.signal.reason ?? err;
      if (timeoutError) throw timeoutError;
      if (lifetime.aborted) throw new ProxyError('unavailable', 'the Kiro account pool is shutting down', { code: 'POOL_DISPOSED' });
      throw err;
    }
  }

  return { execute };
}
