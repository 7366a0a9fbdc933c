// The team's conversation bindings (sticky keys) as this instance knows them, so that a request
// can take its account's reserved slot without asking Redis which account the conversation is on.
// Filled by a full read of Redis's bindings (after the event subscription is up: at start and
// after every gap), by every acquire that went to Redis, and by `conversation-bound` events when
// another instance binds or moves a conversation. While that holds ("complete"), a conversation
// not in here is new to the whole team; after a gap, a Redis outage or an overflow it is only
// unknown, and Redis is asked. A conversation idle here for the sticky TTL is asked about too
// (other instances may have kept it alive), and dropped after twice that. The keys used without
// Redis since the last heartbeat are handed out so their Redis TTL is pushed in one batch.

const MAX_ENTRIES = 20_000;

export type Binding = { accountId: string } | 'new' | 'unknown';

export class StickyBindings {
  readonly #ttlMs: number;
  readonly #max: number;
  /** Conversation key → account and last use or news (insertion order = oldest first). */
  readonly #map = new Map<string, { accountId: string; seenAt: number }>();
  /** Used since the last `takeTouched()`: key → account. */
  #touched = new Map<string, string>();
  #complete = false;

  constructor(ttlMs: number, maxEntries = MAX_ENTRIES) {
    this.#ttlMs = ttlMs;
    this.#max = maxEntries;
  }

  /** Every binding the team has is in here (a missing conversation is a new one). */
  get complete(): boolean {
    return this.#complete;
  }

  lookup(key: string, now: number): Binding {
    const e = this.#map.get(key);
    if (e) return now - e.seenAt < this.#ttlMs ? { accountId: e.accountId } : 'unknown';
    return this.#complete ? 'new' : 'unknown';
  }

  /** The conversation is on `accountId` (Redis or another instance said so, or it was just used there). */
  set(key: string, accountId: string, now: number): void {
    this.#map.delete(key);
    this.#map.set(key, { accountId, seenAt: now });
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
      this.#complete = false;
    }
    if (this.#touched.has(key)) this.#touched.set(key, accountId);
  }

  /** Used without Redis: its TTL there is pushed at the next heartbeat. */
  touch(key: string, accountId: string, now: number): void {
    this.set(key, accountId, now);
    this.#touched.set(key, accountId);
  }

  /** The keys used without Redis since the last call, with their account. */
  takeTouched(): Map<string, string> {
    const t = this.#touched;
    this.#touched = new Map();
    return t;
  }

  /** Drops the conversations idle here for twice the sticky TTL (Redis has let most of them go). */
  prune(now: number): void {
    for (const [key, e] of this.#map) {
      if (now - e.seenAt < 2 * this.#ttlMs) break;
      this.#map.delete(key);
    }
  }

  /** A full read of Redis's bindings, taken while events were flowing, is in. */
  loaded(): void {
    this.#complete = this.#map.size <= this.#max;
  }

  /** Events may be missed from now on (Redis away): conversations not in here are only unknown. */
  incomplete(): void {
    this.#complete = false;
  }

  clear(): void {
    this.#map.clear();
    this.#touched.clear();
    this.#complete = false;
  }
}
