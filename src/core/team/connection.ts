// The one owner of the Redis connections of an instance: connects with timeouts, reconnects with
// jittered backoff, and FAILS FAST while Redis is away (no offline queue: a call made while down
// throws TeamUnavailableError at once, so the pool falls back to local state instead of waiting).
// A reply that does not come within `commandTimeoutMs` (a frozen server, a silent partition)
// marks the connection down and replaces the socket, which rejects everything still waiting.
// Health (`up`/`down` with since/reason) is observable; pub/sub runs on a dedicated connection
// (team-subscriber.ts).
//
// `@redis/client` is loaded with a dynamic import on open(), so a proxy without --redis-url
// never loads it (like the mock upstream is only loaded in mock mode).
import { createHash } from 'node:crypto';
import { abortable } from '../abortable.ts';
import type { Disposable, Logger } from '../proxy-types.ts';
import { TeamUnavailableError, callListener, messageOf } from './errors.ts';
import { checkRedisUrl, redactRedisUrl } from './redis-url.ts';
import { TeamSubscriber } from './team-subscriber.ts';
import type { TeamHealth } from './types.ts';

export { checkRedisUrl, redactRedisUrl } from './redis-url.ts';

/** The part of a node-redis client this module uses (kept narrow so the rest never sees it). */
export interface RawClient {
  connect(): Promise<unknown>;
  sendCommand<T = unknown>(args: readonly string[], options?: { abortSignal?: AbortSignal }): Promise<T>;
  duplicate(): RawClient;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  on(event: string, listener: (...args: never[]) => void): unknown;
  destroy(): void;
  readonly isReady: boolean;
}

export interface TeamConnectionOptions {
  /** redis://[user:pass@]host:port[/db] or rediss:// */
  url: string;
  logger: Logger;
  now?: () => number;
  /** TCP connect timeout per attempt. Default 2000 ms. */
  connectTimeoutMs?: number;
  /** A reply later than this means the server is hung: down + new socket. Default 1000 ms. */
  commandTimeoutMs?: number;
  /** Reconnect backoff: min·2^n capped at max, with ±25 % jitter. Default 100 ms … 5000 ms. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

/** A Lua script sent by SHA (EVALSHA), loaded on first NOSCRIPT. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

type HealthListener = (health: TeamHealth) => void;

export class TeamConnection {
  readonly #opts: Required<Omit<TeamConnectionOptions, 'logger' | 'now'>> & Pick<TeamConnectionOptions, 'logger'> & { now: () => number };
  readonly #createClient: (options: object) => RawClient;
  #client: RawClient;
  readonly #subscriber: TeamSubscriber;
  #health: TeamHealth;
  readonly #healthListeners = new Set<HealthListener>();
  /** Calls waiting for a reply: id → start time (insertion order = oldest first). */
  readonly #pending = new Map<number, number>();
  #nextCallId = 0;
  #sent = 0;
  readonly #watchdog: ReturnType<typeof setInterval>;
  readonly #tickMs: number;
  #lastTick: number;
  #closed = false;

  /** Loads the client library and starts connecting; resolves at once (state `down` until the first ready). */
  static async open(options: TeamConnectionOptions): Promise<TeamConnection> {
    checkRedisUrl(options.url);
    const { createClient } = await import('@redis/client');
    return new TeamConnection(options, (o) => createClient(o) as unknown as RawClient);
  }

  private constructor(options: TeamConnectionOptions, createClient: (options: object) => RawClient) {
    this.#opts = {
      url: options.url,
      logger: options.logger,
      now: options.now ?? Date.now,
      connectTimeoutMs: options.connectTimeoutMs ?? 2000,
      commandTimeoutMs: options.commandTimeoutMs ?? 1000,
      reconnectMinMs: options.reconnectMinMs ?? 100,
      reconnectMaxMs: options.reconnectMaxMs ?? 5000,
    };
    this.#createClient = createClient;
    this.#health = { state: 'down', since: this.#opts.now(), reason: 'connecting' };
    this.#client = this.#newClient();
    this.#subscriber = new TeamSubscriber({
      createClient: () => this.#createClient(this.#clientOptions()),
      closed: () => this.#closed,
      isUp: () => this.isUp,
      connectTimeoutMs: this.#opts.connectTimeoutMs,
      logger: this.#opts.logger,
    });
    const tick = Math.max(20, Math.min(250, Math.floor(this.#opts.commandTimeoutMs / 4)));
    this.#tickMs = tick;
    this.#lastTick = this.#opts.now();
    this.#watchdog = setInterval(() => this.#checkHung(), tick);
    this.#watchdog.unref();
  }

  get health(): TeamHealth {
    return { ...this.#health };
  }

  /** Commands sent to Redis so far (each one a round trip, unless pipelined with others). */
  get commandsSent(): number {
    return this.#sent;
  }

  get isUp(): boolean {
    return this.#health.state === 'up';
  }

  onHealth(listener: HealthListener): Disposable {
    this.#healthListeners.add(listener);
    return { dispose: () => this.#healthListeners.delete(listener) };
  }

  /** Resolves when up (at once if up); rejects when the signal aborts or the connection closes. */
  waitUntilUp(signal: AbortSignal): Promise<void> {
    if (this.isUp) return Promise.resolve();
    if (this.#closed) return Promise.reject(new TeamUnavailableError('the Redis connection is closed'));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        sub.dispose();
        reject(signal.reason);
      };
      const sub = this.onHealth((h) => {
        if (h.state === 'up' || this.#closed) {
          sub.dispose();
          signal.removeEventListener('abort', onAbort);
          if (h.state === 'up') resolve();
          else reject(new TeamUnavailableError('the Redis connection is closed'));
        }
      });
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** One command; throws TeamUnavailableError at once while down. */
  command<T = unknown>(args: readonly string[], signal?: AbortSignal): Promise<T> {
    if (this.#health.state !== 'up') return Promise.reject(this.#unavailable());
    signal?.throwIfAborted();
    const id = this.#nextCallId++;
    this.#sent++;
    this.#pending.set(id, this.#opts.now());
    const client = this.#client;
    const p = client.sendCommand<T>(args, signal ? { abortSignal: signal } : undefined).then(
      (v) => {
        this.#pending.delete(id);
        return v;
      },
      (err: unknown) => {
        this.#pending.delete(id);
        throw this.#classify(err, client);
      },
    );
    // node-redis only honours the signal before the command is written; after that, the caller
    // still gets its rejection at once (the reply is then read and dropped).
    return signal ? abortable(p, signal) : p;
  }

  /** EVALSHA, falling back to EVAL (which also caches the script) on NOSCRIPT: one round trip normally. */
  async eval<T = unknown>(script: LuaScript, keys: readonly string[], args: readonly string[], signal?: AbortSignal): Promise<T> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await this.command<T>(['EVALSHA', script.sha, ...tail], signal);
    } catch (err) {
      if (!(err instanceof Error) || !/NOSCRIPT/.test(err.message)) throw err;
      return this.command<T>(['EVAL', script.source, ...tail], signal);
    }
  }

  /**
   * Listens on a pub/sub channel over the dedicated subscriber connection (created on first use).
   * The subscription survives reconnects; `onResubscribed` fires after each gap.
   */
  subscribe(channel: string, listener: (message: string) => void): Promise<Disposable> {
    return this.#subscriber.subscribe(channel, listener);
  }

  /** The event subscription is up with no gap since it was (re)made. */
  get eventsLive(): boolean {
    return this.#subscriber.live;
  }

  /** Fires when the subscriber connection is back after a gap (events may have been missed). */
  onResubscribed(listener: () => void): Disposable {
    return this.#subscriber.onResubscribed(listener);
  }

  /** Closes both connections; pending calls reject. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#watchdog);
    // destroy(): no QUIT round trip that could hang on a dead server.
    this.#client.destroy();
    this.#subscriber.destroy();
    this.#health = { state: 'down', since: this.#opts.now(), reason: 'closed' };
    for (const l of [...this.#healthListeners]) callListener(() => l(this.health), this.#opts.logger);
    this.#healthListeners.clear();
    this.#subscriber.clear();
  }

  #clientOptions(): object {
    const { reconnectMinMs: min, reconnectMaxMs: max } = this.#opts;
    return {
      url: this.#opts.url,
      RESP: 2,
      // Fail fast: a command while reconnecting is rejected, never queued for later.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: this.#opts.connectTimeoutMs,
        keepAlive: true,
        noDelay: true,
        reconnectStrategy: (retries: number) => {
          if (this.#closed) return false;
          const base = Math.min(max, min * 2 ** Math.min(retries, 16));
          return Math.round(base * (0.75 + Math.random() * 0.5));
        },
      },
    };
  }

  #newClient(): RawClient {
    const client = this.#createClient(this.#clientOptions());
    this.#wire(client);
    client.connect().catch((err: unknown) => {
      if (!this.#closed && client === this.#client) this.#opts.logger.debug(`[team] connect ended: ${messageOf(err)}`);
    });
    return client;
  }

  #wire(client: RawClient): void {
    client.on('ready', () => {
      if (client === this.#client && !this.#closed) this.#setHealth('up');
    });
    // node-redis emits 'error' on every failed (re)connect; a listener is required or it throws.
    client.on('error', (err: unknown) => {
      if (client === this.#client && !this.#closed) this.#setHealth('down', messageOf(err));
    });
    client.on('reconnecting', () => {
      if (client === this.#client && !this.#closed && this.#health.state === 'up') this.#setHealth('down', 'connection lost, reconnecting');
    });
    client.on('end', () => {
      if (client === this.#client && !this.#closed) this.#setHealth('down', 'connection ended');
    });
  }

  /** A reply overdue: the server is hung or unreachable. Replace the socket (rejects what waits). */
  #checkHung(): void {
    if (this.#closed) return;
    const now = this.#opts.now();
    const late = now - this.#lastTick - this.#tickMs;
    this.#lastTick = now;
    // Our own event loop was stalled (GC, CPU starvation): replies may sit unread in the socket.
    // Judge on the next, punctual tick, after the pending I/O had its turn.
    if (late > this.#tickMs) return;
    const oldest = this.#pending.values().next();
    if (oldest.done) return;
    const waited = now - oldest.value;
    if (waited < this.#opts.commandTimeoutMs) return;
    this.#pending.clear();
    this.#setHealth('down', `Redis did not answer within ${this.#opts.commandTimeoutMs} ms`);
    const old = this.#client;
    this.#client = this.#newClient();
    old.destroy();
  }

  #classify(err: unknown, client: RawClient): Error {
    const msg = messageOf(err);
    // Redis answered with an error reply: a real error, not an outage.
    if (err instanceof Error && /^(ERR|WRONGTYPE|NOSCRIPT|BUSY|NOPERM|WRONGPASS|OOM|READONLY|EXECABORT)\b/.test(err.message)) {
      if (/^(BUSY|READONLY|OOM)\b/.test(err.message)) return new TeamUnavailableError(`Redis refused: ${msg}`, { cause: err });
      return err;
    }
    if (err instanceof Error && err.name === 'AbortError') return err;
    if (client !== this.#client || !client.isReady) return new TeamUnavailableError(`Redis is unavailable: ${msg}`, { cause: err });
    return new TeamUnavailableError(`Redis call failed: ${msg}`, { cause: err });
  }

  #unavailable(): TeamUnavailableError {
    return new TeamUnavailableError(`Redis is unavailable (${this.#health.reason ?? 'down'})`);
  }

  #setHealth(state: TeamHealth['state'], reason?: string): void {
    const prev = this.#health;
    if (prev.state === state) {
      // Only the reason changes (reconnect attempts): no event storm, one log line at start.
      if (state === 'down' && reason !== undefined && reason !== prev.reason) {
        if (prev.reason === 'connecting' && !this.#closed) {
          this.#opts.logger.warn(`[team] Redis ${redactRedisUrl(this.#opts.url)} is unavailable (${reason}): serving from local state until it answers`);
        }
        this.#health = { ...prev, reason };
      }
      return;
    }
    const now = this.#opts.now();
    this.#health = state === 'down' ? { state, since: now, reason: reason ?? 'down' } : { state, since: now };
    if (!this.#closed) {
      if (state === 'down')
        this.#opts.logger.warn(`[team] Redis ${redactRedisUrl(this.#opts.url)} is unavailable (${reason ?? 'down'}): serving from local state`);
      else
        this.#opts.logger.info(
          `[team] Redis ${redactRedisUrl(this.#opts.url)} is available${prev.reason === 'connecting' ? '' : ` again after ${Math.round((now - prev.since) / 1000)} s`}`,
        );
    }
    for (const l of [...this.#healthListeners]) callListener(() => l(this.health), this.#opts.logger);
  }
}
