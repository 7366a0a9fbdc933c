// Which account each conversation of the team is on, kept by one instance in step with Redis (the
// local copy is sticky-bindings.ts), so the pool state can answer a request from its reserved slot
// without a round trip: a known conversation goes to its account, a conversation new to the whole
// team to the first candidate, bound in Redis afterwards (not on the request's path). Everything
// that binds a conversation says so (`conversation-bound`), so every instance's copy follows.
// The copy is complete only after a full read of Redis's bindings made while the event
// subscription was up; Redis away or a gap in events makes it incomplete until the next read.
import type { Disposable, Logger } from '../proxy-types.ts';
import type { TeamConnection } from './connection.ts';
import { isTeamUnavailable } from './errors.ts';
import type { TeamKeys } from './keys.ts';
import { BIND, TOUCH_BINDINGS } from './pool-state-scripts.ts';
import { StickyBindings, type Binding } from './sticky-bindings.ts';
import { encodeTeamEvent } from './team-events.ts';
import type { TeamEvents } from './types.ts';

export interface ConversationBindingsOptions {
  connection: TeamConnection;
  keys: TeamKeys;
  instanceId: string;
  /** Without events the copy is never complete: every conversation not seen here asks Redis. */
  events: TeamEvents | undefined;
  logger: Logger;
  now: () => number;
  ttlMs: number;
  maxEntries?: number;
}

/** Keys read per SCAN step (and per MGET). */
const SCAN_COUNT = 1000;
/** New conversations are bound in Redis in batches this far apart. */
const BIND_DELAY_MS = 20;
/** An incomplete copy is read again at most this often (from the heartbeat). */
const RELOAD_EVERY_MS = 60_000;

export class ConversationBindings implements Disposable {
  readonly #o: ConversationBindingsOptions;
  readonly #copy: StickyBindings;
  readonly #subs: Disposable[] = [];
  #loading: Promise<void> | undefined;
  #lastLoad = -Infinity;
  /** Moves on whenever events may have been missed: a read begun before that does not make the copy complete. */
  #epoch = 0;
  #disposed = false;
  /** New conversations taken on without Redis, not bound there yet. */
  #unbound = new Map<string, string>();
  #bindTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ConversationBindingsOptions) {
    this.#o = options;
    this.#copy = new StickyBindings(options.ttlMs, options.maxEntries);
    const { events, connection } = options;
    if (!events) return;
    this.#subs.push(
      events.subscribe((e) => e.type === 'conversation-bound' && this.#copy.set(e.key, e.accountId, this.#o.now())),
      events.onResubscribed(() => {
        this.#epoch++;
        this.#copy.clear();
        void this.load();
      }),
      connection.onHealth((h) => {
        if (h.state === 'up') return void this.load();
        this.#epoch++;
        this.#copy.incomplete();
      }),
    );
    if (connection.isUp) void this.load();
  }

  /** The copy holds every binding of the team. */
  get complete(): boolean {
    return this.#copy.complete;
  }

  lookup(key: string): Binding {
    return this.#copy.lookup(key, this.#o.now());
  }

  /** An acquire in Redis put the conversation on `accountId`; `changed`: bound anew or moved there. */
  learnt(key: string, accountId: string, changed: boolean): void {
    this.#copy.set(key, accountId, this.#o.now());
    if (changed) this.#publish(key, accountId);
  }

  /** A known conversation used without Redis (its TTL there is pushed by the heartbeat). */
  used(key: string, accountId: string): void {
    this.#copy.touch(key, accountId, this.#o.now());
  }

  /**
   * A conversation new to the team taken on without Redis: bound there shortly (the new ones of a
   * few milliseconds in one call, off the requests' path), unless another instance just did.
   */
  bindNew(key: string, accountId: string): void {
    this.#copy.set(key, accountId, this.#o.now());
    this.#unbound.set(key, accountId);
    this.#bindTimer ??= setTimeout(() => void this.#bindPending(), BIND_DELAY_MS).unref();
  }

  /** From the heartbeat: pushes the TTLs of conversations used without Redis; reads an incomplete copy again now and then. */
  async heartbeat(): Promise<void> {
    const { connection, keys, ttlMs, now } = this.#o;
    this.#copy.prune(now());
    if (!this.#copy.complete && this.#o.events && now() - this.#lastLoad >= RELOAD_EVERY_MS) void this.load();
    const touched = this.#copy.takeTouched();
    if (touched.size === 0) return;
    await connection.eval(
      TOUCH_BINDINGS,
      [...touched.keys()].map((k) => keys.sticky(k)),
      [String(ttlMs), ...touched.values()],
    );
  }

  /** Reads every binding of the team (SCAN + MGET); the copy is complete when it is all in. Concurrent calls share one read. */
  load(): Promise<void> {
    if (!this.#o.events || this.#disposed) return Promise.resolve();
    this.#loading ??= this.#load().finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#bindTimer) clearTimeout(this.#bindTimer);
    for (const s of this.#subs.splice(0)) s.dispose();
    this.#copy.clear();
  }

  async #load(): Promise<void> {
    const { connection, keys, now } = this.#o;
    const epoch = this.#epoch;
    this.#lastLoad = now();
    const prefix = keys.sticky('');
    const pattern = prefix.replace(/[*?[\]\\]/g, '\\$&') + '*';
    const signal = AbortSignal.timeout(30_000);
    try {
      let cursor = '0';
      do {
        const [next, found] = await connection.command<[string, string[]]>(['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(SCAN_COUNT)], signal);
        cursor = next;
        if (found.length === 0) continue;
        const values = await connection.command<(string | null)[]>(['MGET', ...found], signal);
        const at = now();
        found.forEach((k, i) => {
          const v = values[i];
          if (v) this.#copy.set(k.slice(prefix.length), v, at);
        });
      } while (cursor !== '0' && !this.#disposed);
    } catch (err) {
      this.#failed('reading the conversation bindings', err);
      return;
    }
    if (this.#disposed || !connection.isUp) return;
    // Events missed while reading (a gap began or the subscription is not back yet): read again
    // once it is (onResubscribed), or at the heartbeat.
    if (epoch !== this.#epoch) await this.#load();
    else if (connection.eventsLive) this.#copy.loaded();
  }

  async #bindPending(): Promise<void> {
    this.#bindTimer = undefined;
    const batch = this.#unbound;
    this.#unbound = new Map();
    if (batch.size === 0 || this.#disposed) return;
    const { connection, keys, instanceId, now, ttlMs } = this.#o;
    const args = [String(ttlMs), keys.events];
    for (const [key, accountId] of batch) args.push(accountId, encodeTeamEvent(instanceId, now(), { type: 'conversation-bound', key, accountId }));
    try {
      const on = await connection.eval<string[]>(
        BIND,
        [...batch.keys()].map((k) => keys.sticky(k)),
        args,
        AbortSignal.timeout(5000),
      );
      [...batch].forEach(([key, accountId], i) => on[i] && on[i] !== accountId && this.#copy.set(key, on[i], now()));
    } catch (err) {
      // Not bound: the heartbeat's TTL push (SET NX) binds the ones used again; others are asked about by the next acquire anywhere.
      this.#failed('binding new conversations', err);
    }
  }

  #publish(key: string, accountId: string): void {
    this.#o.events
      ?.publish({ type: 'conversation-bound', key, accountId }, AbortSignal.timeout(5000))
      .catch((err: unknown) => this.#failed('announcing a binding', err));
  }

  #failed(what: string, err: unknown): void {
    if (!isTeamUnavailable(err) && !this.#disposed) this.#o.logger.debug(`[team] ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
