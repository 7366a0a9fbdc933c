// Exact-match response cache (--cache-enabled; off by default, the caller decides). It stores
// the NeutralEvent sequence of a completed, successful answer so a hit replays the same stream
// through any dialect renderer. Bounded by TTL, entry count and bytes, evicting least recently
// used first. Expiry is checked lazily on access, so the cache owns no timer.
import type { NeutralEvent } from '../conversation/types.ts';

export interface ResponseCacheOptions {
  ttlMs: number;
  maxEntries: number;
  /** Approximate total size (JSON bytes of the events). Default 64 MiB. */
  maxBytes?: number;
  /** A single answer larger than this is not cached. Default maxBytes / 8. */
  maxEntryBytes?: number;
  now?: () => number;
}

export interface ResponseCacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  stores: number;
  evictions: number;
  expirations: number;
}

interface Entry {
  events: readonly NeutralEvent[];
  bytes: number;
  expiresAt: number;
}

export class ResponseCache {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #maxEntryBytes: number;
  readonly #now: () => number;
  /** Map order is recency order: a hit re-inserts its key at the end. */
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  #hits = 0;
  #misses = 0;
  #stores = 0;
  #evictions = 0;
  #expirations = 0;

  constructor(options: ResponseCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = Math.max(0, Math.floor(options.maxEntries));
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#maxEntryBytes = Math.min(this.#maxBytes, options.maxEntryBytes ?? Math.floor(this.#maxBytes / 8));
    this.#now = options.now ?? Date.now;
  }

  /** The events to replay, or undefined (counted as a miss). The array is frozen: do not mutate. */
  get(key: string): readonly NeutralEvent[] | undefined {
    const e = this.#entries.get(key);
    if (!e) {
      this.#misses++;
      return undefined;
    }
    this.#entries.delete(key);
    if (e.expiresAt <= this.#now()) {
      this.#bytes -= e.bytes;
      this.#expirations++;
      this.#misses++;
      return undefined;
    }
    this.#entries.set(key, e);
    this.#hits++;
    return e.events;
  }

  /**
   * Stores a finished answer. Refused (false) unless it is a complete success: it must end with
   * exactly one `end` event whose stop reason is a normal one; partial or failed streams never
   * get here because the caller only commits after `end`, and this re-checks it.
   */
  set(key: string, events: readonly NeutralEvent[]): boolean {
    if (this.#maxEntries === 0 || this.#ttlMs <= 0 || !isCompleteAnswer(events)) return false;
    const copy = deepFreeze(structuredClone([...events]));
    const bytes = Buffer.byteLength(JSON.stringify(copy));
    if (bytes > this.#maxEntryBytes) return false;
    this.delete(key);
    this.#entries.set(key, { events: copy, bytes, expiresAt: this.#now() + this.#ttlMs });
    this.#bytes += bytes;
    this.#stores++;
    this.#evict();
    return true;
  }

  /** Collects events while a live answer streams; `commit()` stores it only if it completed. */
  recorder(key: string): CacheRecorder {
    return new CacheRecorder(this, key, this.#maxEntryBytes);
  }

  has(key: string): boolean {
    const e = this.#entries.get(key);
    return e !== undefined && e.expiresAt > this.#now();
  }

  delete(key: string): boolean {
    const e = this.#entries.get(key);
    if (!e) return false;
    this.#entries.delete(key);
    this.#bytes -= e.bytes;
    return true;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  /** Drops expired entries now (e.g. before reporting stats). */
  prune(): void {
    const now = this.#now();
    for (const [k, e] of this.#entries) {
      if (e.expiresAt <= now) {
        this.delete(k);
        this.#expirations++;
      }
    }
  }

  stats(): ResponseCacheStats {
    return {
      entries: this.#entries.size,
      bytes: this.#bytes,
      hits: this.#hits,
      misses: this.#misses,
      stores: this.#stores,
      evictions: this.#evictions,
      expirations: this.#expirations,
    };
  }

  #evict(): void {
    this.prune();
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.delete(key);
      this.#evictions++;
    }
  }
}

/** Buffers one streaming answer; abandoned (never committed) on error or disconnect. */
export class CacheRecorder {
  readonly #cache: ResponseCache;
  readonly #key: string;
  readonly #limit: number;
  #events: NeutralEvent[] | undefined = [];
  #bytes = 0;

  constructor(cache: ResponseCache, key: string, maxBytes: number) {
    this.#cache = cache;
    this.#key = key;
    this.#limit = maxBytes;
  }

  push(ev: NeutralEvent): void {
    if (!this.#events) return;
    // Rough size as we go, so a huge answer stops being buffered instead of being held whole.
    this.#bytes += ev.type === 'text_delta' || ev.type === 'thinking_delta' ? ev.text.length * 3 + 32 : 256;
    if (this.#bytes > this.#limit) this.#events = undefined;
    else this.#events.push(ev);
  }

  /** Stores the recording if it is a complete answer; returns whether it was stored. */
  commit(): boolean {
    const events = this.#events;
    this.#events = undefined;
    return events ? this.#cache.set(this.#key, events) : false;
  }

  abort(): void {
    this.#events = undefined;
  }
}

const CACHEABLE_STOPS = new Set(['end_turn', 'tool_use', 'stop_sequence', 'max_tokens']);

function isCompleteAnswer(events: readonly NeutralEvent[]): boolean {
  const last = events[events.length - 1];
  if (!last || last.type !== 'end' || !CACHEABLE_STOPS.has(last.stopReason)) return false;
  return events.findIndex((e) => e.type === 'end') === events.length - 1;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
