// Instance events over Redis pub/sub (cooldown started, account disabled, token rotated, instance
// up/down), so every instance's dashboard, /loadbalancer/instances and metrics show the same
// truth. Messages carry the sender's instance id; a subscriber drops its own echoes and anything
// that does not parse (another version, a stray publisher). No message ever holds a token.
//
// Pub/sub is fire-and-forget: a message sent while an instance was disconnected is lost to it.
// That is why `onResubscribed` exists: after a gap the registry re-reads a snapshot.
import * as z from 'zod';
import type { Disposable, Logger } from '../proxy-types.ts';
import type { TeamConnection } from './connection.ts';
import type { TeamKeys } from './keys.ts';
import type { TeamEvent, TeamEventMeta, TeamEvents } from './types.ts';

const accountId = z.string().min(1).max(128);
const ms = z.number().finite().nonnegative();

const eventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('cooldown-started'), accountId, remainingMs: ms, reason: z.string().max(500) }),
  z.object({ type: z.literal('cooldown-cleared'), accountId }),
  z.object({ type: z.literal('account-disabled'), accountId, reason: z.string().max(500), remainingMs: ms.optional() }),
  z.object({ type: z.literal('account-enabled'), accountId }),
  z.object({ type: z.literal('quota-updated'), accountId }),
  z.object({ type: z.literal('token-rotated'), accountId, gen: z.number().int().positive() }),
  z.object({ type: z.literal('slot-wanted'), accountId }),
  z.object({ type: z.literal('conversation-bound'), key: z.string().min(1).max(200), accountId }),
  z.object({
    type: z.literal('instance-up'),
    instance: z.object({
      id: z.string().min(1).max(128),
      address: z.string().max(200).optional(),
      version: z.string().max(50).optional(),
      startedAt: z.number(),
    }),
  }),
  z.object({ type: z.literal('instance-down'), instanceId: z.string().min(1).max(128) }),
]);

const envelopeSchema = z.object({ v: z.literal(1), from: z.string().min(1).max(128), at: z.number(), event: z.unknown() });

export function encodeTeamEvent(from: string, at: number, event: TeamEvent): string {
  return JSON.stringify({ v: 1, from, at, event });
}

function decodeTeamEvent(text: string): { event: TeamEvent; meta: TeamEventMeta } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const env = envelopeSchema.safeParse(json);
  if (!env.success) return undefined;
  const ev = eventSchema.safeParse(env.data.event);
  if (!ev.success) return undefined;
  return { event: ev.data, meta: { from: env.data.from, at: env.data.at } };
}

type Listener = (event: TeamEvent, meta: TeamEventMeta) => void;

function deliver(listeners: Set<Listener>, event: TeamEvent, meta: TeamEventMeta, logger: Logger): void {
  for (const l of [...listeners]) {
    try {
      l(event, meta);
    } catch (err) {
      logger.error(`[team] event listener failed on ${event.type}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

export class RedisTeamEvents implements TeamEvents {
  readonly instanceId: string;
  readonly #conn: TeamConnection;
  readonly #channel: string;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #listeners = new Set<Listener>();
  readonly #subs: Disposable[] = [];

  /** Subscribes before resolving, so nothing published after it is missed. */
  static async start(options: {
    connection: TeamConnection;
    keys: TeamKeys;
    instanceId: string;
    logger: Logger;
    now?: () => number;
  }): Promise<RedisTeamEvents> {
    const bus = new RedisTeamEvents(options);
    bus.#subs.push(await options.connection.subscribe(bus.#channel, (m) => bus.#onMessage(m)));
    return bus;
  }

  private constructor(options: { connection: TeamConnection; keys: TeamKeys; instanceId: string; logger: Logger; now?: () => number }) {
    this.instanceId = options.instanceId;
    this.#conn = options.connection;
    this.#channel = options.keys.events;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /** The channel, for scripts that publish together with a state change. */
  get channel(): string {
    return this.#channel;
  }

  encode(event: TeamEvent): string {
    return encodeTeamEvent(this.instanceId, this.#now(), event);
  }

  async publish(event: TeamEvent, signal: AbortSignal): Promise<void> {
    await this.#conn.command(['PUBLISH', this.#channel, this.encode(event)], signal);
  }

  subscribe(listener: Listener): Disposable {
    this.#listeners.add(listener);
    return { dispose: () => this.#listeners.delete(listener) };
  }

  onResubscribed(listener: () => void): Disposable {
    return this.#conn.onResubscribed(listener);
  }

  dispose(): void {
    for (const s of this.#subs.splice(0)) s.dispose();
    this.#listeners.clear();
  }

  #onMessage(text: string): void {
    const decoded = decodeTeamEvent(text);
    if (!decoded) {
      this.#logger.debug(`[team] ignored an event that does not parse (${text.length} bytes)`);
      return;
    }
    if (decoded.meta.from === this.instanceId) return;
    deliver(this.#listeners, decoded.event, decoded.meta, this.#logger);
  }
}
