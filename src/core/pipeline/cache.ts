// The response cache as the completion pipeline uses it (--cache-enabled, off by default).
//
// What is cached: every successful, complete answer (see ResponseCache.set), keyed on the exact
// normalised Kiro request minus per-request ids (cache/cache-key.ts) plus what the proxy itself
// shapes the answer with (maxTokens, stop sequences, tool-name aliases, tool choice, thinking).
// Tool results are part of the key like any other content, so a changed tool output (a file that
// changed, a command that printed something else) is a miss; an identical replayed conversation
// is a hit. We deliberately do not exclude requests that carry tool results: the request is the
// whole input of the model, and exact-match caching is an explicit opt-in that trades sampling
// variety for speed and credits. The key is dialect-free (NeutralEvents are stored), so an answer
// recorded for one dialect replays through any other, streamed or not.
import type { NeutralEvent, NeutralRequest } from '../conversation/types.ts';
import type { NormaliseResult } from '../conversation/normalise.ts';
import type { ProxyConfig } from '../proxy-types.ts';
import { ResponseCache, type CacheRecorder, type ResponseCacheStats } from '../cache/response-cache.ts';
import { responseCacheKey } from '../cache/cache-key.ts';

export interface CompletionCacheHooks {
  hit?(): void;
  miss?(): void;
  /** After every change of size (store, eviction, expiry seen). */
  size?(entries: number, bytes: number): void;
}

/** The cache key of one normalised request. */
export function completionCacheKey(norm: Pick<NormaliseResult, 'body' | 'toolNames'>, req: NeutralRequest): string {
  return responseCacheKey(norm.body, {
    maxTokens: req.maxTokens ?? null,
    stopSequences: req.stopSequences ?? null,
    toolChoice: req.toolChoice ?? null,
    thinking: req.thinking !== undefined,
    toolNames: [...norm.toolNames.toKiro.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  });
}

/**
 * Owns the ResponseCache of one proxy and follows the config: created when caching is turned
 * on, dropped when it is turned off, rebuilt when the TTL or size bound changes.
 */
export class CompletionCache {
  readonly #now: () => number;
  readonly #hooks: CompletionCacheHooks;
  #cache: ResponseCache | undefined;
  #shape = '';

  constructor(options: { now: () => number; hooks?: CompletionCacheHooks }) {
    this.#now = options.now;
    this.#hooks = options.hooks ?? {};
  }

  /** The cache for this config, or undefined when caching is off. */
  for(config: Pick<ProxyConfig, 'cacheEnabled' | 'cacheTtlSeconds' | 'cacheMaxEntries'>): ResponseCache | undefined {
    if (!config.cacheEnabled) {
      if (this.#cache) this.clear();
      return undefined;
    }
    const shape = `${config.cacheTtlSeconds}/${config.cacheMaxEntries}`;
    if (!this.#cache || shape !== this.#shape) {
      this.#cache = new ResponseCache({ ttlMs: config.cacheTtlSeconds * 1000, maxEntries: config.cacheMaxEntries, now: this.#now });
      this.#shape = shape;
      this.#reportSize();
    }
    return this.#cache;
  }

  /** A stored answer to replay (counted as a hit), or undefined (counted as a miss). */
  lookup(cache: ResponseCache, key: string): readonly NeutralEvent[] | undefined {
    const events = cache.get(key);
    if (events) this.#hooks.hit?.();
    else this.#hooks.miss?.();
    this.#reportSize();
    return events;
  }

  /** Records a live answer; `commit` stores it only if it completed normally. */
  record(cache: ResponseCache, key: string): { push(ev: NeutralEvent): void; commit(): boolean; abort(): void } {
    const rec: CacheRecorder = cache.recorder(key);
    return {
      push: (ev) => rec.push(ev),
      commit: () => {
        const stored = rec.commit();
        this.#reportSize();
        return stored;
      },
      abort: () => rec.abort(),
    };
  }

  stats(): ResponseCacheStats | undefined {
    return this.#cache?.stats();
  }

  clear(): void {
    this.#cache = undefined;
    this.#shape = '';
    this.#reportSize();
  }

  #reportSize(): void {
    const s = this.#cache?.stats();
    this.#hooks.size?.(s?.entries ?? 0, s?.bytes ?? 0);
  }
}
