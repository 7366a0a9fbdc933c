// Which instances of the team are alive: each one keeps an entry with a short lease in a sorted
// set (score = expiry on the server's clock) and its description in a key with the same lease,
// renewed by a heartbeat. A crashed instance disappears when its lease runs out; a clean stop
// removes it at once and says `instance-down`. Coming back after a Redis outage re-registers and
// says `instance-up` again, so peers that missed events still learn of it.
import type { Logger } from '../proxy-types.ts';
import { luaScript, type TeamConnection } from './connection.ts';
import type { TeamKeys } from './keys.ts';
import { encodeTeamEvent } from './team-events.ts';
import type { InstanceInfo } from './types.ts';
import * as z from 'zod';

/** KEYS: instances, instance; ARGV: id, ttlMs, info, channel, message|'' */
const HEARTBEAT = luaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
if ARGV[5] ~= '' then redis.call('PUBLISH', ARGV[4], ARGV[5]) end
return 1
`);

/** KEYS: instances; ARGV: key prefix of instance keys → infos of live instances */
const LIST = luaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local out = {}
for _, id in ipairs(ids) do
  local info = redis.call('GET', ARGV[1] .. id)
  if info then out[#out + 1] = info end
end
return out
`);

/** KEYS: instances, instance; ARGV: id, channel, message */
const LEAVE = luaScript(`
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
`);

const infoSchema = z.object({ id: z.string(), address: z.string().optional(), version: z.string().optional(), startedAt: z.number() });

export interface InstancePresenceOptions {
  connection: TeamConnection;
  keys: TeamKeys;
  info: InstanceInfo;
  logger: Logger;
  now?: () => number;
  /** An instance silent this long is gone. Default 15 s (heartbeat every 5 s). */
  ttlMs?: number;
}

export class InstancePresence {
  readonly #o: InstancePresenceOptions & { ttlMs: number; now: () => number };
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Announce on the next successful heartbeat (start, and after Redis came back). */
  #announce = true;
  readonly #healthSub: { dispose(): void };

  constructor(options: InstancePresenceOptions) {
    this.#o = { ttlMs: 15_000, now: Date.now, ...options };
    this.#healthSub = options.connection.onHealth((h) => {
      if (h.state === 'up') {
        this.#announce = true;
        void this.beat();
      }
    });
  }

  /** Registers now (when Redis is up) and keeps the entry alive until stop(). */
  async start(): Promise<void> {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.beat(), Math.max(20, Math.floor(this.#o.ttlMs / 3)));
    this.#timer.unref();
    await this.beat();
  }

  /** One heartbeat; never throws (an outage is the connection's to report). */
  async beat(): Promise<void> {
    if (!this.#o.connection.isUp) return;
    const { keys, info } = this.#o;
    const message = this.#announce ? encodeTeamEvent(info.id, this.#o.now(), { type: 'instance-up', instance: info }) : '';
    try {
      await this.#o.connection.eval(
        HEARTBEAT,
        [keys.instances, keys.instance(info.id)],
        [info.id, String(this.#o.ttlMs), JSON.stringify(info), keys.events, message],
      );
      this.#announce = false;
    } catch (err) {
      this.#o.logger.debug(`[team] heartbeat failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The live instances (this one included), oldest first. One round trip. */
  async list(signal: AbortSignal): Promise<InstanceInfo[]> {
    const raw = await this.#o.connection.eval<string[]>(LIST, [this.#o.keys.instances], [this.#o.keys.instancePrefix], signal);
    const out: InstanceInfo[] = [];
    for (const r of raw) {
      try {
        const p = infoSchema.safeParse(JSON.parse(r));
        if (p.success) out.push(p.data);
      } catch {
        // another version's entry: not ours to show
      }
    }
    return out.sort((a, b) => a.startedAt - b.startedAt);
  }

  /** Leaves the team at once (clean stop). Best effort while Redis is away: the lease runs out. */
  async stop(signal: AbortSignal): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#healthSub.dispose();
    const { keys, info } = this.#o;
    if (!this.#o.connection.isUp) return;
    try {
      await this.#o.connection.eval(
        LEAVE,
        [keys.instances, keys.instance(info.id)],
        [info.id, keys.events, encodeTeamEvent(info.id, this.#o.now(), { type: 'instance-down', instanceId: info.id })],
        signal,
      );
    } catch (err) {
      this.#o.logger.debug(`[team] leaving the team failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
