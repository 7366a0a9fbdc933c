// Team mode's side of the token managers: every refresh of an account goes through the team's
// cross-instance single flight (team/refresh-coordinator.ts), and a token set another instance
// rotated is adopted without a refresh of our own. For one account:
//   - refresh(): the coordinator adopts a newer shared token, or, holding the account's Redis
//     lock, calls our own refresh (AccountSync: file lock, re-read, refresh, write-back), so only
//     the winner refreshes and only the winner writes the credential file;
//   - a `token-rotated` event from another instance, and the first read when the account joins,
//     hand the newer shared tokens to the token manager (adoptTokens), so it never refreshes with
//     a refresh token that is already dead;
//   - while Redis is away a refresh is put off as long as the access token still works (another
//     instance cut off too could refresh the same account: Kiro would then kill one of the two new
//     tokens); when it must be made (the token is about to expire, or upstream rejected it) it is
//     made locally, so the account keeps working, and shared when Redis is back, by
//     compare-and-set on the generation this instance held: a newer record found then wins, and
//     is adopted.
import type { Disposable, Logger } from '../../proxy-types.ts';
import { isTeamUnavailable } from '../../team/errors.ts';
import type { SharedTokenSet, TeamState, TokenRecord } from '../../team/types.ts';
import type { KiroCredential } from '../credentials/credential.ts';
import { RefreshError } from './refresh-error.ts';
import { compareTokens, isAdoptable } from './token-order.ts';
import type { RefreshResult } from './token-refresh.ts';

/** What a token manager offers the team: its current credential and a way to take newer tokens. */
export interface TeamTokenHolder {
  readonly credential: KiroCredential;
  /** False when it did not take them (a refresh of its own is running and will hand a result). */
  adoptTokens(tokens: SharedTokenSet): boolean;
}

/** Where an adopted token set is kept by this instance (AccountSync: the proxy's own store, never the file). */
export interface TeamTokenStore {
  adoptShared(tokens: SharedTokenSet): Promise<void>;
}

type PlainRefresh = (credential: KiroCredential, signal: AbortSignal) => Promise<RefreshResult>;

export interface TeamTokensOptions {
  team: Pick<TeamState, 'refresh' | 'vault' | 'events' | 'onHealth' | 'health'>;
  logger: Logger;
  /** Every token adopted from the team is registered so logs scrub it. */
  registerSecret: (value: string) => void;
  labelOf?: (accountId: string) => string;
}

interface Tracked {
  holder: TeamTokenHolder;
  store: TeamTokenStore | undefined;
  /** The generation of the shared record this instance holds (0: none seen yet). */
  gen: number;
  /** Rotated here while Redis was away, not shared yet. */
  unshared?: SharedTokenSet;
  /** A refresh was put off during the current Redis outage (logged once). */
  deferred?: boolean;
}

export class TeamTokens implements Disposable {
  readonly #o: TeamTokensOptions;
  readonly #accounts = new Map<string, Tracked>();
  readonly #subs: Disposable[] = [];
  readonly #lifetime = new AbortController();

  constructor(options: TeamTokensOptions) {
    this.#o = options;
    const { team } = options;
    this.#subs.push(
      team.events.subscribe((e) => {
        if (e.type === 'token-rotated') void this.#pull(e.accountId, e.gen);
      }),
      team.events.onResubscribed(() => this.#pullAll()),
      team.onHealth((h) => {
        if (h.state !== 'up') return;
        for (const t of this.#accounts.values()) t.deferred = false;
        void this.#flush().finally(() => this.#pullAll());
      }),
    );
  }

  /** An account joined (or its token manager was replaced): adopt what the team holds of it, if newer. */
  track(accountId: string, holder: TeamTokenHolder, store?: TeamTokenStore): void {
    const prev = this.#accounts.get(accountId);
    this.#accounts.set(accountId, { holder, store, gen: prev?.gen ?? 0 });
    void this.#pull(accountId, 1);
  }

  untrack(accountId: string): void {
    this.#accounts.delete(accountId);
  }

  /** The token manager's refresh in team mode; `plain` is the single-instance refresh (AccountSync). */
  async refresh(accountId: string, credential: KiroCredential, signal: AbortSignal, plain: PlainRefresh, context: { urgent: boolean }): Promise<RefreshResult> {
    const t = this.#accounts.get(accountId);
    const heldGen = t?.gen ?? 0;
    const refresher = async (base: SharedTokenSet, s: AbortSignal): Promise<SharedTokenSet> => {
      const r = await plain({ ...credential, ...defined(base) }, s);
      return defined({
        accessToken: r.accessToken,
        refreshToken: r.refreshToken ?? base.refreshToken ?? credential.refreshToken,
        expiresAt: r.expiresAt,
        profileArn: r.profileArn ?? base.profileArn,
      });
    };
    let record: TokenRecord;
    try {
      const out = await this.#o.team.refresh.refresh({ accountId, heldGen, held: sharedOf(credential) }, refresher, signal);
      record = out.record;
      if (out.source === 'adopted') {
        this.#o.logger.debug(`[team] ${this.#label(accountId)}: adopted generation ${record.gen} another instance refreshed`);
        this.#keep(accountId, t, record.tokens);
      }
    } catch (err) {
      if (!isTeamUnavailable(err)) throw err;
      // Redis is away before the refresh began. While the token works, wait for Redis: an
      // instance on another machine, cut off too, could refresh the same account meanwhile.
      if (!context.urgent) {
        if (t && !t.deferred) {
          t.deferred = true;
          this.#o.logger.warn(`[team] ${this.#label(accountId)}: Redis is unavailable; the refresh waits for it while the access token still works`);
        }
        throw new RefreshError('refresh put off while Redis is unavailable (the access token still works)', { code: 'deferred', permanent: false });
      }
      // It cannot wait: refresh here so the account keeps serving, and share the rotation when Redis is back.
      this.#o.logger.warn(`[team] ${this.#label(accountId)}: Redis is unavailable; refreshing locally, the new token is shared when Redis is back`);
      const tokens = await refresher(sharedOf(credential), signal);
      if (t) t.unshared = tokens;
      this.#register(tokens);
      return resultOf(tokens, credential);
    }
    if (t && record.gen > t.gen) t.gen = record.gen;
    if (t && record.writer !== 'local') t.unshared = undefined;
    this.#register(record.tokens);
    return resultOf(record.tokens, credential);
  }

  dispose(): void {
    this.#lifetime.abort();
    for (const s of this.#subs.splice(0)) s.dispose();
    this.#accounts.clear();
  }

  /** An adopted token set into this instance's own store (so a restart without Redis still has it). */
  #keep(accountId: string, t: Tracked | undefined, tokens: SharedTokenSet): void {
    void t?.store
      ?.adoptShared(tokens)
      .catch((err: unknown) => this.#o.logger.warn(`[team] ${this.#label(accountId)}: could not save the adopted token: ${(err as Error).message}`));
  }

  #label(accountId: string): string {
    return this.#o.labelOf?.(accountId) ?? accountId;
  }

  #register(tokens: SharedTokenSet): void {
    for (const v of [tokens.accessToken, tokens.refreshToken]) if (v) this.#o.registerSecret(v);
  }

  /** After a gap (Redis back, events resubscribed): re-read every account, whatever generation we hold. */
  #pullAll(): void {
    for (const id of this.#accounts.keys()) void this.#pull(id, 1, true);
  }

  /** Reads the shared record when it may be newer than ours (`atLeast`), and adopts it. */
  async #pull(accountId: string, atLeast: number, resync = false): Promise<void> {
    const t = this.#accounts.get(accountId);
    if (!t || (!resync && atLeast <= t.gen) || this.#lifetime.signal.aborted || t.unshared) return;
    let record: TokenRecord | undefined;
    try {
      record = await this.#o.team.vault.read(accountId, this.#lifetime.signal);
    } catch (err) {
      if (!this.#lifetime.signal.aborted) this.#o.logger.debug(`[team] ${this.#label(accountId)}: reading the shared token failed: ${(err as Error).message}`);
      return;
    }
    if (this.#accounts.get(accountId) !== t) return;
    // A Redis that came back empty (no persistence) or older counts generations afresh: what it
    // holds is compared by the tokens themselves, and our next refresh seeds it again.
    if (resync && (!record || record.gen < t.gen)) t.gen = 0;
    if (!record || record.gen <= t.gen) return;
    this.#adopt(accountId, t, record);
  }

  #adopt(accountId: string, t: Tracked, record: TokenRecord): void {
    const cur = t.holder.credential;
    const order = compareTokens(record.tokens, cur, new Set());
    // The team holds an older token than this instance: one rotated here while Redis was away
    // (another rotation of the same account was written meanwhile and is already dead, since
    // Kiro accepts one refresh per refresh token), or by another program since. Taking it would
    // throw the live token away: keep ours and share it from that generation on.
    if (!isAdoptable(order) && order !== 'same') {
      t.gen = record.gen;
      if (cur.refreshToken) void this.#shareOver(accountId, t, record);
      return;
    }
    this.#register(record.tokens);
    if (order === 'same' || t.holder.adoptTokens(record.tokens)) {
      t.gen = record.gen;
      if (order !== 'same') this.#keep(accountId, t, record.tokens);
      if (order !== 'same') this.#o.logger.debug(`[team] ${this.#label(accountId)}: took generation ${record.gen} of the shared token`);
    }
  }

  /** Writes this instance's newer token over an older shared record (compare-and-set on its generation). */
  async #shareOver(accountId: string, t: Tracked, record: TokenRecord): Promise<void> {
    const tokens = sharedOf(t.holder.credential);
    try {
      const w = await this.#o.team.vault.write(accountId, tokens, { expectGen: record.gen, fence: record.fence, announce: true }, this.#lifetime.signal);
      if (w.ok) {
        if (this.#accounts.get(accountId) === t && w.record.gen > t.gen) t.gen = w.record.gen;
        this.#o.logger.info(
          `[team] ${this.#label(accountId)}: the team held an older token (generation ${record.gen}); shared this instance's newer one as generation ${w.record.gen}`,
        );
      } else if (w.current && w.current.gen > record.gen && this.#accounts.get(accountId) === t) {
        this.#adopt(accountId, t, w.current);
      }
    } catch (err) {
      if (!this.#lifetime.signal.aborted) this.#o.logger.debug(`[team] ${this.#label(accountId)}: sharing the newer token failed: ${(err as Error).message}`);
    }
  }

  /** Shares the rotations made while Redis was away (CAS on the generation held then). */
  async #flush(): Promise<void> {
    const { refresh } = this.#o.team;
    if (refresh.flushUnshared) {
      const shared = await refresh.flushUnshared(this.#lifetime.signal).catch(() => new Map<string, TokenRecord>());
      for (const [id, record] of shared) {
        const t = this.#accounts.get(id);
        if (t) t.unshared = undefined;
        if (t && record.gen > t.gen) this.#adopt(id, t, record);
      }
    }
    for (const [id, t] of this.#accounts) {
      const tokens = t.unshared;
      if (!tokens) continue;
      try {
        await this.#share(id, t, tokens);
      } catch (err) {
        this.#o.logger.debug(`[team] ${this.#label(id)}: sharing a local rotation failed: ${(err as Error).message}`);
      }
    }
  }

  async #share(id: string, t: Tracked, tokens: SharedTokenSet): Promise<void> {
    const signal = this.#lifetime.signal;
    const { vault } = this.#o.team;
    const current = await vault.read(id, signal);
    t.unshared = undefined;
    if (current && current.gen !== t.gen) {
      // Written meanwhile by another instance: the newer of the two tokens is kept (#adopt).
      this.#o.logger.info(
        `[team] ${this.#label(id)}: a rotation made while Redis was away met generation ${current.gen} written meanwhile; keeping the newer token`,
      );
      this.#adopt(id, t, current);
      return;
    }
    const w = await vault.write(id, tokens, { expectGen: current?.gen ?? 0, fence: current?.fence ?? 0, announce: true }, signal);
    if (w.ok) {
      t.gen = w.record.gen;
      this.#o.logger.info(`[team] ${this.#label(id)}: shared the token refreshed while Redis was away (generation ${w.record.gen})`);
    } else if (w.current) this.#adopt(id, t, w.current);
  }
}

type Loose<T> = { [K in keyof T]?: T[K] | undefined };

function defined(t: Loose<SharedTokenSet>): SharedTokenSet {
  const out: SharedTokenSet = {};
  if (t.accessToken !== undefined) out.accessToken = t.accessToken;
  if (t.refreshToken !== undefined) out.refreshToken = t.refreshToken;
  if (t.expiresAt !== undefined) out.expiresAt = t.expiresAt;
  if (t.profileArn !== undefined) out.profileArn = t.profileArn;
  return out;
}

function sharedOf(c: KiroCredential): SharedTokenSet {
  return defined({ accessToken: c.accessToken, refreshToken: c.refreshToken, expiresAt: c.expiresAt, profileArn: c.profileArn });
}

function resultOf(tokens: SharedTokenSet, fallback: KiroCredential): RefreshResult {
  const accessToken = tokens.accessToken ?? fallback.accessToken ?? '';
  const out: RefreshResult = { accessToken, expiresAt: tokens.expiresAt ?? 0 };
  if (tokens.refreshToken) out.refreshToken = tokens.refreshToken;
  if (tokens.profileArn) out.profileArn = tokens.profileArn;
  return out;
}
