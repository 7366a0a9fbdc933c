// The pub/sub side of a TeamConnection (connection.ts): a dedicated Redis connection, made on the
// first subscribe(), that delivers channel messages to listeners. node-redis renews the
// subscriptions after a reconnect; what this adds is knowing when messages may have been missed
// (a gap: the connection was lost, or a subscription could not be made while Redis was away) and
// telling onResubscribed listeners once it is whole again, so they can re-read what they follow.
import type { Disposable, Logger } from '../proxy-types.ts';
import { TeamUnavailableError, callListener, messageOf } from './errors.ts';
import type { RawClient } from './connection.ts';

/** What the subscriber needs of the connection that owns it. */
export interface SubscriberHost {
  /** A new client with the connection's options (timeouts, reconnect strategy), not connected yet. */
  createClient(): RawClient;
  closed(): boolean;
  /** The command connection is up (then the subscriber is expected to be ready soon). */
  isUp(): boolean;
  readonly connectTimeoutMs: number;
  readonly logger: Logger;
}

export class TeamSubscriber {
  readonly #host: SubscriberHost;
  #subscriber: RawClient | undefined;
  #subscriberReady = false;
  /** Events may have been missed since the subscription was last confirmed. */
  #subscribeGap = false;
  readonly #subscriberWaiters: (() => void)[] = [];
  /** Channels SUBSCRIBEd on the subscriber connection (node-redis renews them after a reconnect). */
  readonly #subscribedChannels = new Set<string>();
  readonly #channels = new Map<string, Set<(message: string) => void>>();
  readonly #resubscribed = new Set<() => void>();

  constructor(host: SubscriberHost) {
    this.#host = host;
  }

  /** See TeamConnection.subscribe. */
  async subscribe(channel: string, listener: (message: string) => void): Promise<Disposable> {
    if (this.#host.closed()) throw new TeamUnavailableError('the Redis connection is closed');
    let set = this.#channels.get(channel);
    const first = !set;
    if (!set) {
      set = new Set();
      this.#channels.set(channel, set);
    }
    set.add(listener);
    const disposable = {
      dispose: () => {
        const s = this.#channels.get(channel);
        if (!s) return;
        s.delete(listener);
        if (s.size === 0) {
          this.#channels.delete(channel);
          this.#subscribedChannels.delete(channel);
          if (this.#subscriberReady) this.#subscriber?.unsubscribe(channel).catch(() => undefined);
        }
      },
    };
    const sub = this.#ensureSubscriber();
    if (!first) return disposable;
    // Resolve once the server confirmed the subscription, so nothing published after this call
    // is missed. If Redis is away, do not wait long: the subscription is made when it is back,
    // and that counts as a gap (onResubscribed).
    if (!this.#subscriberReady && this.#host.isUp()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.#host.connectTimeoutMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#subscriberWaiters.push(done);
      });
    }
    if (this.#subscribedChannels.has(channel)) return disposable;
    if (this.#subscriberReady && this.#channels.has(channel)) {
      try {
        await this.#subscribeOnce(sub, channel);
        return disposable;
      } catch (err) {
        this.#host.logger.warn(`[team] subscribe to ${channel} failed, retried on reconnect: ${messageOf(err)}`);
      }
    }
    this.#subscribeGap = true;
    return disposable;
  }

  /** Subscribed, with no gap since: every event published from now on is heard. */
  get live(): boolean {
    return this.#subscriberReady && !this.#subscribeGap;
  }

  /** Fires when the subscriber connection is back after a gap (events may have been missed). */
  onResubscribed(listener: () => void): Disposable {
    this.#resubscribed.add(listener);
    return { dispose: () => this.#resubscribed.delete(listener) };
  }

  /** Drops the connection and lets every subscribe() still waiting for it go on. */
  destroy(): void {
    this.#subscriber?.destroy();
    this.#subscriber = undefined;
    for (const w of this.#subscriberWaiters.splice(0)) w();
  }

  /** Forgets every listener (after destroy, once the connection is closed). */
  clear(): void {
    this.#resubscribed.clear();
    this.#channels.clear();
  }

  #ensureSubscriber(): RawClient {
    if (this.#subscriber) return this.#subscriber;
    const sub = this.#host.createClient();
    this.#subscriber = sub;
    let everReady = false;
    sub.on('ready', () => {
      if (this.#host.closed() || sub !== this.#subscriber) return;
      // node-redis re-subscribes by itself after a reconnect; on the first ready we subscribe here.
      const subscribed = everReady
        ? Promise.resolve()
        : Promise.all([...this.#channels.keys()].map((ch) => this.#subscribeOnce(sub, ch))).then(() => undefined);
      everReady = true;
      subscribed.then(
        () => {
          this.#subscriberReady = true;
          for (const w of this.#subscriberWaiters.splice(0)) w();
          if (this.#subscribeGap) {
            this.#subscribeGap = false;
            for (const l of [...this.#resubscribed]) callListener(l, this.#host.logger);
          }
        },
        (err: unknown) => this.#host.logger.warn(`[team] subscribe failed: ${messageOf(err)}`),
      );
    });
    const lost = () => {
      if (this.#subscriberReady) this.#subscribeGap = true;
      this.#subscriberReady = false;
    };
    sub.on('error', lost); // reported through the command connection's health
    sub.on('end', lost);
    sub.on('reconnecting', lost);
    sub.connect().catch(() => undefined);
    return sub;
  }

  async #subscribeOnce(sub: RawClient, channel: string): Promise<void> {
    if (this.#subscribedChannels.has(channel)) return;
    this.#subscribedChannels.add(channel);
    try {
      await sub.subscribe(channel, (m) => this.#deliver(channel, m));
    } catch (err) {
      this.#subscribedChannels.delete(channel);
      throw err;
    }
  }

  #deliver(channel: string, message: string): void {
    for (const l of [...(this.#channels.get(channel) ?? [])]) {
      try {
        l(message);
      } catch (err) {
        this.#host.logger.error(`[team] event listener failed: ${messageOf(err)}`);
      }
    }
  }
}
