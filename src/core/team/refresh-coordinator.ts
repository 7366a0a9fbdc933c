// Refresh, single-flight across instances. Kiro kills a refresh token the moment it is used, so
// of all instances exactly one may refresh an account per rotation; the others must adopt what it
// wrote. For one account:
//
//   1. a token newer than ours is already shared → adopt it (no lock, one round trip);
//   2. take the account's lock (wait, bounded; a `token-rotated` event wakes the waiters);
//   3. re-read under the lock: rotated meanwhile → adopt, release;
//   4. refresh with the shared refresh token (ours if the team has none yet), write the result by
//      compare-and-set on the generation with our fencing token, announce `token-rotated`, release.
//
// A crashed holder's lease runs out and the next waiter takes over (its refresh token was never
// used, or its rotation was written before the crash). If a holder's lease lapsed while its
// refresh was in flight and a second holder then got `invalid_grant` (the first one's refresh had
// consumed the token), the second waits a short grace for the first one's write and adopts it:
// the first holder's compare-and-set still succeeds because nobody wrote in between, so its
// token, the only live one, is never refused. Only a writer that would overwrite a NEWER record
// is refused (fencing + generation).
//
// The same class runs in process over MemoryLock + MemoryTokenVault.
import { abortable } from '../abortable.ts';
import type { Disposable, Logger } from '../proxy-types.ts';
import { TeamError, isTeamUnavailable } from './errors.ts';
import type {
  DistributedLock,
  LockLease,
  RefreshCoordinator,
  RefreshOutcome,
  RefreshRequest,
  Refresher,
  SharedTokenSet,
  TeamEvents,
  TokenRecord,
  TokenVault,
} from './types.ts';

export interface RefreshCoordinatorOptions {
  lock: DistributedLock;
  vault: TokenVault;
  /** Wakes waiters on `token-rotated` (they also poll, so events are an optimisation). */
  events?: TeamEvents;
  logger: Logger;
  /** Lease of the refresh lock; kept alive while the refresh runs. Default 30 s. */
  lockTtlMs?: number;
  /** How long a caller waits for another instance's refresh. Default 45 s. */
  waitMs?: number;
  /** After `invalid_grant`, how long to wait for a lapsed holder's write. Default 3 s. */
  lapsedWriterGraceMs?: number;
  /** The refresher's error means "this refresh token is dead". Default: RefreshError codes invalid_grant, unauthorized, bad_credentials. */
  isRefreshTokenRejected?: (err: unknown) => boolean;
  /** Label for logs; never a secret. */
  labelOf?: (accountId: string) => string;
}

export interface UnsharedRotation {
  accountId: string;
  tokens: SharedTokenSet;
  expectGen: number;
  fence: number;
}

/** The refresh-token-is-dead codes of RefreshError (the same set the account sync re-reads on). */
const REJECTED_CODES = new Set(['invalid_grant', 'unauthorized', 'bad_credentials']);
const defaultRejected = (err: unknown) => typeof err === 'object' && err !== null && REJECTED_CODES.has(String((err as { code?: unknown }).code));

export class TeamRefreshCoordinator implements RefreshCoordinator {
  readonly #o: Required<Omit<RefreshCoordinatorOptions, 'events'>> & Pick<RefreshCoordinatorOptions, 'events'>;
  readonly #flights = new Map<string, Promise<RefreshOutcome>>();
  /** Rotations this instance made that Redis did not take (it went away): pushed by flushUnshared(). */
  readonly #unshared = new Map<string, UnsharedRotation>();
  readonly #lifetime = new AbortController();

  constructor(options: RefreshCoordinatorOptions) {
    this.#o = {
      lockTtlMs: 30_000,
      waitMs: 45_000,
      lapsedWriterGraceMs: 3000,
      isRefreshTokenRejected: defaultRejected,
      labelOf: (id) => id,
      ...options,
    };
  }

  refresh(req: RefreshRequest, refresher: Refresher, signal: AbortSignal): Promise<RefreshOutcome> {
    let flight = this.#flights.get(req.accountId);
    if (!flight) {
      // The flight belongs to the coordinator, not to the first caller: one caller going away
      // must not abort a refresh others wait for (and an aborted refresh can lose a token).
      flight = this.#run(req, refresher, this.#lifetime.signal);
      this.#flights.set(req.accountId, flight);
      const clear = () => {
        if (this.#flights.get(req.accountId) === flight) this.#flights.delete(req.accountId);
      };
      flight.then(clear, clear);
    }
    return abortable(flight, signal);
  }

  /** Rotations made while Redis was away, not yet shared (the caller holds and persists them meanwhile). */
  unshared(): UnsharedRotation[] {
    return [...this.#unshared.values()].map((u) => ({ ...u, tokens: { ...u.tokens } }));
  }

  /**
   * Pushes them once Redis is back (call on health `up`, before resynchronising). A rotation that
   * finds a newer record is dropped in favour of it. Returns what is now shared, per account.
   */
  async flushUnshared(signal: AbortSignal): Promise<Map<string, TokenRecord>> {
    const out = new Map<string, TokenRecord>();
    for (const u of this.unshared()) {
      let w = await this.#o.vault.write(u.accountId, u.tokens, { expectGen: u.expectGen, fence: u.fence, announce: true }, signal);
      // Redis came back empty (restarted without persistence): ours is the only copy, seed it.
      if (!w.ok && !w.current) w = await this.#o.vault.write(u.accountId, u.tokens, { expectGen: 0, fence: u.fence, announce: true }, signal);
      this.#unshared.delete(u.accountId);
      if (w.ok) out.set(u.accountId, w.record);
      else if (w.current) {
        this.#o.logger.warn(`[team] ${this.#o.labelOf(u.accountId)}: a rotation made while Redis was away was superseded by generation ${w.current.gen}`);
        out.set(u.accountId, w.current);
      }
    }
    return out;
  }

  dispose(): void {
    this.#lifetime.abort(new TeamError('unavailable', 'refresh coordinator disposed'));
  }

  async #run(req: RefreshRequest, refresher: Refresher, signal: AbortSignal): Promise<RefreshOutcome> {
    const { vault, lock } = this.#o;
    const label = this.#o.labelOf(req.accountId);

    const before = await vault.read(req.accountId, signal);
    if (before && before.gen > req.heldGen) return { record: before, source: 'adopted' };

    let lease: LockLease;
    try {
      lease = await lock.acquire(`refresh.${req.accountId}`, { ttlMs: this.#o.lockTtlMs, waitMs: this.#o.waitMs }, signal, (wake) =>
        this.#onRotated(req.accountId, () => wake()),
      );
    } catch (err) {
      if (err instanceof TeamError && err.code === 'lock_timeout') {
        const now = await vault.read(req.accountId, signal);
        if (now && now.gen > req.heldGen) return { record: now, source: 'adopted' };
      }
      throw err;
    }

    try {
      const current = await vault.read(req.accountId, signal);
      if (current && current.gen > req.heldGen) return { record: current, source: 'adopted' };
      const base = current?.tokens ?? req.held;
      const baseGen = current?.gen ?? 0;

      let tokens: SharedTokenSet;
      try {
        tokens = await refresher(base, signal);
      } catch (err) {
        if (!this.#o.isRefreshTokenRejected(err)) throw err;
        // Someone else's rotation may have consumed it: a holder whose lease lapsed mid-refresh
        // writes soon. Adopt that rather than declaring the account dead.
        const adopted = await this.#awaitNewer(req.accountId, baseGen, this.#o.lapsedWriterGraceMs, signal);
        if (adopted) {
          this.#o.logger.info(`[team] ${label}: the refresh token had been rotated by another instance; adopted generation ${adopted.gen}`);
          return { record: adopted, source: 'adopted' };
        }
        throw err;
      }

      let written;
      try {
        written = await vault.write(req.accountId, tokens, { expectGen: baseGen, fence: lease.fence, announce: true }, signal);
      } catch (err) {
        if (!isTeamUnavailable(err)) throw err;
        // Redis went away after Kiro rotated: this instance holds the only live token. Keep it,
        // hand it to the caller (who persists it locally), and share it when Redis is back.
        this.#unshared.set(req.accountId, { accountId: req.accountId, tokens: { ...tokens }, expectGen: baseGen, fence: lease.fence });
        this.#o.logger.warn(`[team] ${label}: refreshed, but Redis is unavailable; the new token is kept locally and shared when Redis is back`);
        return { record: { gen: baseGen + 1, tokens, fence: lease.fence, writer: 'local', writtenAt: Date.now() }, source: 'refreshed' };
      }
      if (written.ok) return { record: written.record, source: 'refreshed' };
      // Two refreshes from one generation both succeeded (the upstream tolerated a reuse, or our
      // lease lapsed): the record already stored wins, ours is dropped.
      this.#o.logger.warn(`[team] ${label}: another instance wrote generation ${written.current?.gen ?? '?'} first (lock lease lapsed?); adopted it`);
      if (written.current) return { record: written.current, source: 'adopted' };
      throw new TeamError('unavailable', `${label}: the shared token disappeared during the refresh`);
    } finally {
      await lease.release().catch(() => undefined);
    }
  }

  /** Waits (bounded) until a record newer than `gen` is shared; undefined when none came. */
  async #awaitNewer(accountId: string, gen: number, ms: number, signal: AbortSignal): Promise<TokenRecord | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const r = await this.#o.vault.read(accountId, signal);
      if (r && r.gen > gen) return r;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 100));
        const sub = this.#onRotated(accountId, done);
        function done() {
          clearTimeout(timer);
          sub.dispose();
          resolve();
        }
      });
    }
  }

  #onRotated(accountId: string, listener: () => void): Disposable {
    if (!this.#o.events) return { dispose: () => undefined };
    return this.#o.events.subscribe((e) => {
      if (e.type === 'token-rotated' && e.accountId === accountId) listener();
    });
  }
}
