// The conversations this instance has seen bound to an account in Redis (a local copy of the
// sticky keys), so that a request of a known conversation can take its reserved slot without
// asking Redis which account the conversation is on. Learnt from every acquire that went to
// Redis; corrected by `conversation-moved` events when another instance moves a conversation;
// forgotten wholesale after a gap in events (a move may have been missed). Bounded: the least
// recently used conversations are dropped first, and one idle past the sticky TTL is unknown.
// The keys used since the last heartbeat are handed out so that their Redis TTL is pushed in one
// batch instead of on every request.

const MAX_ENTRIES = 20_000;

export class StickyBindings {
  readonly #ttlMs: number;
  /** Conversation key → account and last use (insertion order = least recently used first). */
  readonly #map = new Map<string, { accountId: string; usedAt: number }>();
  /** Used since the last `takeTouched()`: key → account. */
  #touched = new Map<string, string>();

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  /** The account the conversation is bound to, as far as this instance knows. */
  get(key: string, now: number): string | undefined {
    const e = this.#map.get(key);
    if (!e) return undefined;
    if (now - e.usedAt >= this.#ttlMs) {
      this.#map.delete(key);
      return undefined;
    }
    return e.accountId;
  }

  /** The conversation is on `accountId` (Redis said so, or it was just used there). */
  set(key: string, accountId: string, now: number): void {
    this.#map.delete(key);
    this.#map.set(key, { accountId, usedAt: now });
    if (this.#map.size > MAX_ENTRIES) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
  }

  /** Used without Redis: its TTL there is pushed at the next heartbeat. */
  touch(key: string, accountId: string, now: number): void {
    this.set(key, accountId, now);
    this.#touched.set(key, accountId);
  }

  /** Another instance moved the conversation: follow it (only if this instance knows it). */
  moved(key: string, accountId: string, now: number): void {
    if (this.#map.has(key)) this.set(key, accountId, now);
    if (this.#touched.has(key)) this.#touched.set(key, accountId);
  }

  /** The keys used without Redis since the last call, with their account. */
  takeTouched(): Map<string, string> {
    const t = this.#touched;
    this.#touched = new Map();
    return t;
  }

  clear(): void {
    this.#map.clear();
    this.#touched.clear();
  }
}
