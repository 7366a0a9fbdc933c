// The current tokens of each account, shared by all instances: sealed with the operator's key
// (token-cipher.ts) so Redis never holds one in clear text, and written only by compare-and-set
// on the generation (plus the writer's fencing token), so a rotation is never overwritten by an
// older token, and of two writers that started from the same generation only the first lands.
//
// Redis layout: a hash `{prefix}:acct:<id>:token` with gen, fence, writer, at (clear, not secret)
// and env (the sealed token set, bound to account id and gen). With an identity indexer, the same
// script records the new refresh token in the team's identity index (team-identity.ts).
import * as z from 'zod';
import type { Logger } from '../proxy-types.ts';
import { luaScript, type TeamConnection } from './connection.ts';
import { TeamError } from './errors.ts';
import type { TeamKeys } from './keys.ts';
import type { StateKeyring } from './state-key.ts';
import type { IdentityIndexer } from './team-identity.ts';
import { encodeTeamEvent } from './team-events.ts';
import { open, seal, tokenAad } from './token-cipher.ts';
import type { SharedTokenSet, TokenRecord, TokenVault, TokenWriteResult } from './types.ts';

/**
 * KEYS: token[, identity index key of the new refresh token]; ARGV: expectGen, fence, writer,
 * envelope, channel, message|''[, account id, index ttl ms] → {1, gen, at} | {0, gen, fence, writer, at, env}
 */
const WRITE = luaScript(`
local cur = redis.call('HMGET', KEYS[1], 'gen', 'fence', 'writer', 'at', 'env')
local gen = tonumber(cur[1]) or 0
local fence = tonumber(cur[2]) or 0
if gen ~= tonumber(ARGV[1]) or fence > tonumber(ARGV[2]) then
  return {0, gen, fence, cur[3] or '', cur[4] or '0', cur[5] or ''}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], 'gen', gen + 1, 'fence', ARGV[2], 'writer', ARGV[3], 'at', now, 'env', ARGV[4])
if KEYS[2] then redis.call('SET', KEYS[2], ARGV[7], 'PX', ARGV[8]) end
if ARGV[6] ~= '' then redis.call('PUBLISH', ARGV[5], ARGV[6]) end
return {1, gen + 1, now}
`);

/** Re-seals a record under the current key without changing it. KEYS: token; ARGV: gen, envelope */
const REWRAP = luaScript(`
if redis.call('HGET', KEYS[1], 'gen') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'env', ARGV[2])
  return 1
end
return 0
`);

const tokenSetSchema = z.object({
  accessToken: z.string().optional(),
  refreshToken: z.string().optional(),
  expiresAt: z.number().optional(),
  profileArn: z.string().optional(),
});

function plaintextOf(tokens: SharedTokenSet): string {
  const t: SharedTokenSet = {};
  if (tokens.accessToken !== undefined) t.accessToken = tokens.accessToken;
  if (tokens.refreshToken !== undefined) t.refreshToken = tokens.refreshToken;
  if (tokens.expiresAt !== undefined) t.expiresAt = tokens.expiresAt;
  if (tokens.profileArn !== undefined) t.profileArn = tokens.profileArn;
  return JSON.stringify(t);
}

export class RedisTokenVault implements TokenVault {
  readonly #conn: TeamConnection;
  readonly #keys: TeamKeys;
  readonly #keyring: StateKeyring;
  readonly #id: string;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #identity: IdentityIndexer | undefined;

  constructor(options: {
    connection: TeamConnection;
    keys: TeamKeys;
    keyring: StateKeyring;
    instanceId: string;
    logger: Logger;
    now?: () => number;
    identity?: IdentityIndexer;
  }) {
    this.#identity = options.identity;
    this.#conn = options.connection;
    this.#keys = options.keys;
    this.#keyring = options.keyring;
    this.#id = options.instanceId;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  async read(accountId: string, signal: AbortSignal): Promise<TokenRecord | undefined> {
    const r = await this.#conn.command<(string | null)[]>(['HMGET', this.#keys.token(accountId), 'gen', 'fence', 'writer', 'at', 'env'], signal);
    if (r[0] === null || r[0] === undefined) return undefined;
    return this.#decode(accountId, Number(r[0]), Number(r[1] ?? 0), r[2] ?? '', Number(r[3] ?? 0), r[4] ?? '');
  }

  async write(
    accountId: string,
    tokens: SharedTokenSet,
    guard: { expectGen: number; fence: number; announce?: boolean },
    signal: AbortSignal,
  ): Promise<TokenWriteResult> {
    const gen = guard.expectGen + 1;
    const env = seal(this.#keyring, plaintextOf(tokens), tokenAad(accountId, gen));
    const message = guard.announce ? encodeTeamEvent(this.#id, this.#now(), { type: 'token-rotated', accountId, gen }) : '';
    const keys = [this.#keys.token(accountId)];
    const args = [String(guard.expectGen), String(guard.fence), this.#id, env, this.#keys.events, message];
    const idx = this.#identity;
    if (idx && tokens.refreshToken) {
      keys.push(idx.keyOfToken(tokens.refreshToken));
      args.push(accountId, String(idx.ttlMs));
    }
    const r = await this.#conn.eval<(string | number)[]>(WRITE, keys, args, signal);
    if (r[0] === 1) return { ok: true, record: { gen, tokens: { ...tokens }, fence: guard.fence, writer: this.#id, writtenAt: Number(r[2]) } };
    const curGen = Number(r[1]);
    return { ok: false, current: curGen === 0 ? undefined : this.#decode(accountId, curGen, Number(r[2]), String(r[3]), Number(r[4]), String(r[5])) };
  }

  async remove(accountId: string, signal: AbortSignal): Promise<void> {
    await this.#conn.command(['DEL', this.#keys.token(accountId)], signal);
  }

  dispose(): void {}

  #decode(accountId: string, gen: number, fence: number, writer: string, at: number, env: string): TokenRecord {
    const opened = open(this.#keyring, env, tokenAad(accountId, gen), `the shared token of account ${accountId}`);
    let tokens: SharedTokenSet;
    try {
      tokens = tokenSetSchema.parse(JSON.parse(opened.plaintext));
    } catch {
      throw new TeamError('decrypt_failed', `the shared token of account ${accountId} opened but is not a token set`);
    }
    if (opened.stale) {
      // Finish a key rotation: the same record sealed under the current key (best effort).
      const resealed = seal(this.#keyring, opened.plaintext, tokenAad(accountId, gen));
      this.#conn.eval(REWRAP, [this.#keys.token(accountId)], [String(gen), resealed]).catch((err: unknown) => {
        this.#logger.debug(`[team] re-sealing the token of ${accountId} under the current key failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
    return { gen, tokens, fence, writer, writtenAt: at };
  }
}

/** One process: the same compare-and-set over a Map (nothing to encrypt: it never leaves memory). The in-process twin of the contract tests and benchmarks. */
export class MemoryTokenVault implements TokenVault {
  readonly #records = new Map<string, TokenRecord>();
  readonly #id: string;
  readonly #now: () => number;

  constructor(options: { instanceId: string; now?: () => number }) {
    this.#id = options.instanceId;
    this.#now = options.now ?? Date.now;
  }

  async read(accountId: string, signal: AbortSignal): Promise<TokenRecord | undefined> {
    signal.throwIfAborted();
    const r = this.#records.get(accountId);
    return r ? { ...r, tokens: { ...r.tokens } } : undefined;
  }

  async write(accountId: string, tokens: SharedTokenSet, guard: { expectGen: number; fence: number }, signal: AbortSignal): Promise<TokenWriteResult> {
    signal.throwIfAborted();
    const cur = this.#records.get(accountId);
    if ((cur?.gen ?? 0) !== guard.expectGen || (cur?.fence ?? 0) > guard.fence)
      return { ok: false, current: cur ? { ...cur, tokens: { ...cur.tokens } } : undefined };
    const record: TokenRecord = { gen: guard.expectGen + 1, tokens: { ...tokens }, fence: guard.fence, writer: this.#id, writtenAt: this.#now() };
    this.#records.set(accountId, record);
    return { ok: true, record: { ...record, tokens: { ...tokens } } };
  }

  async remove(accountId: string): Promise<void> {
    this.#records.delete(accountId);
  }

  dispose(): void {}
}
