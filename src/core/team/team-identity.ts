// Which account a refresh token belongs to, team-wide. A credential read from a file carries no
// account id, and the id this proxy gives it depends partly on its token (account-identity.ts):
// an instance first started after the token was rotated would name the account differently and
// share nothing of it (cooldowns, the shared token, the refresh lock), so two instances could
// refresh it independently and one of them would lose it. The team therefore keeps an index
// "refresh token → account id" in Redis, for every token an account has held:
//   - written when an instance takes an account into its pool (remember(): every fingerprint of
//     its history, an existing claim of another id is kept and reported), and atomically with
//     every rotation written to the token vault (token-vault.ts: the new token → the account);
//   - read when a credential from a file is not recognised locally, before a new id is made.
//
// Redis key: `{prefix}:ident:<h>` → account id, h = HMAC-SHA256 under a key derived (HKDF) from
// KIRO_PROXY_STATE_KEY of the token's fingerprint (token-fingerprint.ts, the one-way name the
// accounts already keep of every token they held), truncated to 128 bits. Neither a token nor
// its plain fingerprint reaches Redis, and without the state key a key name reveals nothing.
// Entries expire IDENTITY_TTL_MS after their last write (a token unseen for that long is dead).
import { createHmac, type KeyObject } from 'node:crypto';
import type { Disposable, Logger } from '../proxy-types.ts';
import { tokenFingerprint } from '../accounts/tokens/token-fingerprint.ts';
import { luaScript, type TeamConnection } from './connection.ts';
import { isTeamUnavailable, messageOf } from './errors.ts';
import type { TeamKeys } from './keys.ts';
import type { StateKeyring } from './state-key.ts';

/** How the accounts ask the team whose token this is (absent in local mode). */
export interface TeamIdentity {
  /**
   * The team's id of the account that held one of these refresh tokens (fingerprints, the most
   * relevant first), or undefined when the team knows none. Throws while Redis is away.
   */
  lookup(fingerprints: readonly string[], signal: AbortSignal): Promise<string | undefined>;
  /**
   * Records that `accountId` holds (held) these tokens: now, or when Redis is back. A token the
   * team already knows under another id keeps that id, and a warning names both.
   */
  remember(accountId: string, fingerprints: readonly string[], label?: string): void;
}

/** 90 days, renewed on every write. */
export const IDENTITY_TTL_MS = 90 * 24 * 3600_000;

/** The index key's hash of a token fingerprint under one derived identity key (hex, 128 bits). */
export function identityHash(key: KeyObject, fingerprint: string): string {
  return createHmac('sha256', key).update('kiro-proxy account identity v1\0').update(fingerprint).digest('hex').slice(0, 32);
}

/** What the token vault needs to index a rotation in the same script as its write. */
export interface IdentityIndexer {
  readonly ttlMs: number;
  /** The index key of a refresh token (current state key). */
  keyOfToken(refreshToken: string): string;
}

/**
 * Sets each key to the account id unless it names another account; renews the TTL.
 * KEYS: index keys; ARGV: account id, ttl ms → the other ids found (one per refused key)
 */
const CLAIM = luaScript(`
local others = {}
for _, k in ipairs(KEYS) do
  local cur = redis.call('GET', k)
  if (not cur) or cur == ARGV[1] then
    redis.call('SET', k, ARGV[1], 'PX', ARGV[2])
  else
    others[#others + 1] = cur
  end
end
return others
`);

interface Pending {
  fingerprints: string[];
  label: string;
}

export class RedisTeamIdentity implements TeamIdentity, IdentityIndexer, Disposable {
  readonly ttlMs: number;
  readonly #conn: TeamConnection;
  readonly #keys: TeamKeys;
  readonly #keyring: StateKeyring;
  readonly #logger: Logger;
  /** Claims not written yet (Redis away), by account. */
  readonly #pending = new Map<string, Pending>();
  readonly #lifetime = new AbortController();
  readonly #sub: Disposable;
  #flushing: Promise<void> | undefined;

  constructor(options: { connection: TeamConnection; keys: TeamKeys; keyring: StateKeyring; logger: Logger; ttlMs?: number }) {
    this.#conn = options.connection;
    this.#keys = options.keys;
    this.#keyring = options.keyring;
    this.#logger = options.logger;
    this.ttlMs = options.ttlMs ?? IDENTITY_TTL_MS;
    this.#sub = this.#conn.onHealth((h) => {
      if (h.state === 'up') this.#flush();
    });
  }

  keyOfToken(refreshToken: string): string {
    return this.#keyOf(this.#keyring.current.identityKey, tokenFingerprint(refreshToken));
  }

  async lookup(fingerprints: readonly string[], signal: AbortSignal): Promise<string | undefined> {
    if (fingerprints.length === 0) return undefined;
    // Every key of the keyring: an entry written before a state key rotation is still found.
    const keys = fingerprints.flatMap((fp) => [...this.#keyring.byId.values()].map((k) => this.#keyOf(k.identityKey, fp)));
    const ids = await this.#conn.command<(string | null)[]>(['MGET', ...keys], signal);
    return ids.find((id): id is string => typeof id === 'string' && id !== '');
  }

  remember(accountId: string, fingerprints: readonly string[], label = accountId): void {
    if (fingerprints.length === 0 || this.#lifetime.signal.aborted) return;
    const prev = this.#pending.get(accountId);
    this.#pending.set(accountId, { fingerprints: [...new Set([...(prev?.fingerprints ?? []), ...fingerprints])], label });
    this.#flush();
  }

  dispose(): void {
    this.#lifetime.abort();
    this.#sub.dispose();
    this.#pending.clear();
  }

  #keyOf(key: KeyObject, fingerprint: string): string {
    return this.#keys.identity(identityHash(key, fingerprint));
  }

  #flush(): void {
    if (this.#flushing || !this.#conn.isUp || this.#pending.size === 0) return;
    this.#flushing = this.#flushAll().finally(() => {
      this.#flushing = undefined;
      // Claims made while this flush ran.
      if (this.#pending.size > 0 && this.#conn.isUp && !this.#lifetime.signal.aborted) queueMicrotask(() => this.#flush());
    });
  }

  async #flushAll(): Promise<void> {
    for (const [accountId, p] of [...this.#pending]) {
      if (this.#lifetime.signal.aborted) return;
      try {
        const keys = p.fingerprints.map((fp) => this.#keyOf(this.#keyring.current.identityKey, fp));
        const others = await this.#conn.eval<string[]>(CLAIM, keys, [accountId, String(this.ttlMs)], this.#lifetime.signal);
        if (this.#pending.get(accountId) === p) this.#pending.delete(accountId);
        this.#reportConflicts(accountId, p.label, others);
      } catch (err) {
        // Redis away: kept for the next `up`. Anything else will not get better by retrying.
        if (isTeamUnavailable(err)) return;
        if (this.#pending.get(accountId) === p) this.#pending.delete(accountId);
        this.#logger.warn(`[team] ${p.label}: could not record the account's tokens in the team's identity index: ${messageOf(err)}`);
      }
    }
  }

  #reportConflicts(accountId: string, label: string, others: readonly string[]): void {
    for (const other of new Set(others)) {
      this.#logger.warn(
        `[team] ${label}: this instance serves the account as ${accountId}, but the team already knows its refresh token as account ${other} ` +
          '(this instance named it while Redis was away, or from its own store): the two ids share no cooldowns, shared token or refresh lock, ' +
          'so two instances may refresh it independently and one of them would lose it. An instance started with an empty ' +
          "KIRO_PROXY_HOME while Redis is reachable takes the team's id for a token the team knows",
      );
    }
  }
}
