// One per account: hands out a valid access token, refreshing ahead of expiry. Refreshes are
// single-flight (concurrent callers share one), rotated tokens go to `persist`, and a permanent
// failure parks the account in `needs_login` until its credential is replaced.
import type { Clock, Disposable, Logger } from '../../proxy-types.ts';
import type { KiroCredential } from '../credentials/credential.ts';
import { RefreshError, type RefreshErrorCode } from './refresh-error.ts';
import { applyRefresh, type RefreshResult } from './token-refresh.ts';
import { abortable } from '../../abortable.ts';

export type TokenState = 'ok' | 'needs_login';

export interface TokenStatus {
  state: TokenState;
  expiresAt?: number;
  refreshing: boolean;
  lastError?: { at: number; message: string; code: RefreshErrorCode; permanent: boolean };
}

/** Performs one refresh; `refreshCredential` bound to endpoints and http options in production. */
/** `urgent`: the token is about to stop working, or upstream rejected it; a refresh may not be deferred then. */
export type RefreshFn = (credential: KiroCredential, signal: AbortSignal, context: { urgent: boolean }) => Promise<RefreshResult>;

export interface TokenManagerOptions {
  credential: KiroCredential;
  refresh: RefreshFn;
  /** Receives the credential after every successful refresh (rotated refresh token included). */
  persist?: (credential: KiroCredential) => Promise<void> | void;
  clock: Pick<Clock, 'now'>;
  /** Refresh when less than this is left. Default 10 min (kiro-protocol.md §2.3). */
  refreshAheadMs?: number;
  /** A token with less than this left is not handed out even when refresh is failing. Default 1 min. */
  minValidityMs?: number;
  /** After a transient failure, a still-usable token is served this long before trying again. Default 30 s. */
  retryAfterFailureMs?: number;
  logger?: Logger;
  /** For log lines; never a secret. */
  label?: string;
}

export interface GetAccessTokenOptions {
  signal: AbortSignal;
  /** Refresh even if the cached token looks fresh (upstream said "bearer token invalid"). */
  forceRefresh?: boolean;
  /**
   * The token upstream rejected. If another caller already replaced it, the force is skipped:
   * a burst of 403s on one old token costs one refresh, not one each.
   */
  rejectedToken?: string;
}

export class TokenManager implements Disposable {
  #cred: KiroCredential;
  #state: TokenState = 'ok';
  #lastError: TokenStatus['lastError'];
  #lastFailureAt: number | undefined;
  #inflight: Promise<void> | undefined;
  /** The lifetime of the last token a refresh gave (expiry − when it came): short ones are refreshed later in their life. */
  #issuedFor: number | undefined;
  /** Urgent callers that found a deferred refresh in flight since the last success (bounded retry). */
  #deferredUrgently = 0;
  /** Bumped by replaceCredential so a refresh of the old credential cannot land on the new one. */
  #generation = 0;
  #lifetime = new AbortController();
  #listeners = new Set<(status: TokenStatus) => void>();
  readonly #opts: TokenManagerOptions;

  constructor(options: TokenManagerOptions) {
    this.#opts = options;
    this.#cred = { ...options.credential };
  }

  /** A copy of the current credential (after refreshes). */
  get credential(): KiroCredential {
    return { ...this.#cred };
  }

  get state(): TokenState {
    return this.#state;
  }

  status(): TokenStatus {
    const s: TokenStatus = { state: this.#state, refreshing: this.#inflight !== undefined };
    if (this.#cred.expiresAt !== undefined) s.expiresAt = this.#cred.expiresAt;
    if (this.#lastError) s.lastError = { ...this.#lastError };
    return s;
  }

  onChange(listener: (status: TokenStatus) => void): Disposable {
    this.#listeners.add(listener);
    return { dispose: () => this.#listeners.delete(listener) };
  }

  /** New login or re-import: clears needs_login and any in-flight refresh's claim on the account. */
  replaceCredential(credential: KiroCredential): void {
    this.#generation++;
    this.#cred = { ...credential };
    this.#state = 'ok';
    this.#lastError = undefined;
    this.#lastFailureAt = undefined;
    this.#emit();
  }

  /**
   * Team mode: tokens another instance refreshed, taken without a refresh of our own (the account
   * works again if it was waiting for a login). Not taken while a refresh of ours runs: its
   * outcome (the team's newest) lands right after.
   */
  adoptTokens(tokens: Pick<KiroCredential, 'accessToken' | 'refreshToken' | 'expiresAt' | 'profileArn'>): boolean {
    if (this.#inflight || this.#lifetime.signal.aborted) return false;
    this.#cred = { ...this.#cred, ...tokens };
    if (tokens.expiresAt !== undefined) this.#issuedFor = tokens.expiresAt - this.#opts.clock.now();
    this.#state = 'ok';
    this.#lastError = undefined;
    this.#lastFailureAt = undefined;
    this.#emit();
    return true;
  }

  async getAccessToken(options: GetAccessTokenOptions): Promise<string> {
    const { signal } = options;
    signal.throwIfAborted();
    if (this.#cred.kind === 'api_key') {
      if (!this.#cred.accessToken) throw new RefreshError('API key credential has no key', { code: 'no_refresh_token', permanent: true });
      return this.#cred.accessToken;
    }
    let force = options.forceRefresh === true && (options.rejectedToken === undefined || options.rejectedToken === this.#cred.accessToken);
    for (;;) {
      if (this.#lifetime.signal.aborted) throw new RefreshError('token manager disposed', { code: 'network', permanent: false });
      if (this.#state === 'needs_login') throw this.#needsLoginError();
      const token = this.#cred.accessToken;
      const now = this.#opts.clock.now();
      if (!force && token && this.#remaining(now) > this.#refreshAhead()) return token;
      // Refresh is failing for a transient reason: do not hammer it while the token still works.
      if (!force && token && this.#usable(now) && this.#lastFailureAt !== undefined && now - this.#lastFailureAt < (this.#opts.retryAfterFailureMs ?? 30_000)) {
        return token;
      }
      const generation = this.#generation;
      const urgent = force || !this.#usable(now);
      const inflight = this.#inflight ?? this.#startRefresh(urgent);
      try {
        await abortable(inflight, signal);
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (generation !== this.#generation) continue; // credential replaced meanwhile; start over
        const e = err instanceof RefreshError ? err : wrapUnknown(err);
        // A refresh put off while the token worked, but this caller cannot wait: refresh now.
        if (e.code === 'deferred' && urgent) {
          if (this.#inflight === inflight) this.#inflight = undefined;
          this.#lastFailureAt = undefined;
          if (this.#deferredUrgently++ < 2) continue;
        }
        const current = this.#cred.accessToken;
        // A transient failure with a still-usable token degrades gracefully (unless that token is the one upstream just rejected).
        if (!e.permanent && !force && current && this.#usable(this.#opts.clock.now())) return current;
        throw e;
      }
      // Whatever refresh just finished satisfies a force; re-check the (new) token.
      force = false;
    }
  }

  dispose(): void {
    this.#lifetime.abort();
    this.#listeners.clear();
  }

  /**
   * How long before expiry to refresh: refreshAheadMs, but at most half of what the last refresh
   * gave, so a token issued for less than that is used, not refreshed again at once (a storm).
   */
  #refreshAhead(): number {
    const ahead = this.#opts.refreshAheadMs ?? 10 * 60_000;
    return this.#issuedFor !== undefined ? Math.min(ahead, this.#issuedFor / 2) : ahead;
  }

  #remaining(now: number): number {
    return this.#cred.expiresAt === undefined ? -Infinity : this.#cred.expiresAt - now;
  }

  #usable(now: number): boolean {
    return this.#remaining(now) > (this.#opts.minValidityMs ?? 60_000);
  }

  #startRefresh(urgent: boolean): Promise<void> {
    const p = this.#runRefresh(urgent);
    this.#inflight = p;
    // Clear only our own slot (after replaceCredential a newer refresh may own it), then tell
    // listeners, so they never see `refreshing: true` after the fact.
    const settle = () => {
      if (this.#inflight === p) this.#inflight = undefined;
      this.#emit();
    };
    p.then(settle, settle);
    this.#emit();
    return p;
  }

  async #runRefresh(urgent: boolean): Promise<void> {
    const generation = this.#generation;
    const before = this.#cred;
    let result: RefreshResult;
    try {
      result = await this.#opts.refresh(before, this.#lifetime.signal, { urgent });
    } catch (err) {
      if (generation !== this.#generation || this.#lifetime.signal.aborted) throw err;
      const e = err instanceof RefreshError ? err : wrapUnknown(err);
      const now = this.#opts.clock.now();
      if (e.code === 'deferred') {
        // Not a failure: ask again after the back-off, or at once when a caller cannot wait.
        this.#lastFailureAt = now;
        throw e;
      }
      this.#lastError = { at: now, message: e.message, code: e.code, permanent: e.permanent };
      this.#lastFailureAt = now;
      if (e.permanent) this.#state = 'needs_login';
      this.#opts.logger?.warn(`[tokens] ${this.#opts.label ?? 'account'}: ${e.message}`);
      throw e;
    }
    if (generation !== this.#generation) return;
    const next = applyRefresh(before, result);
    this.#cred = next;
    this.#issuedFor = next.expiresAt !== undefined ? next.expiresAt - this.#opts.clock.now() : undefined;
    this.#lastError = undefined;
    this.#lastFailureAt = undefined;
    this.#deferredUrgently = 0;
    try {
      // Inside the single flight so a rotated refresh token is on disk before the next refresh.
      await this.#opts.persist?.({ ...next });
    } catch (err) {
      this.#opts.logger?.error(`[tokens] ${this.#opts.label ?? 'account'}: refreshed token could not be saved: ${(err as Error)?.message ?? 'unknown error'}`);
    }
  }

  #needsLoginError(): RefreshError {
    const why = this.#lastError ? `: ${this.#lastError.message}` : '';
    return new RefreshError(`${this.#opts.label ?? 'account'} needs a new login${why}`, { code: 'needs_login', permanent: true });
  }

  #emit(): void {
    const status = this.status();
    for (const l of [...this.#listeners]) {
      try {
        l(status);
      } catch (err) {
        this.#opts.logger?.error(`[tokens] onChange listener failed: ${(err as Error)?.message ?? 'unknown error'}`);
      }
    }
  }
}

function wrapUnknown(err: unknown): RefreshError {
  return new RefreshError('token refresh failed unexpectedly', { code: 'network', permanent: false, cause: err });
}
