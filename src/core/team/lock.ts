// A lock with a lease, shared by all instances (Redis) or local to one process (memory): taken
// with SET NX PX semantics, released and extended only by its holder (compare-and-delete /
// compare-and-extend in Lua), and stamped with a fencing token from a counter that only grows,
// so a store can refuse a write from a holder whose lease lapsed after a newer one wrote.
// A holder that keeps working extends its lease every ttl/3 (keepAlive); a crashed holder's
// lease simply runs out.
import { randomBytes } from 'node:crypto';
import type { Disposable, Logger } from '../proxy-types.ts';
import { luaScript, type TeamConnection } from './connection.ts';
import { TeamError, isTeamUnavailable } from './errors.ts';
import type { TeamKeys } from './keys.ts';
import type { DistributedLock, LockLease, LockOptions } from './types.ts';

const ACQUIRE = luaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, redis.call('PTTL', KEYS[1])} end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '/' .. fence, 'PX', ARGV[2])
return {1, fence}
`);

const RELEASE = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

const EXTEND = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/** The backend operations a lease needs; one implementation per store. */
interface LockBackend {
  tryAcquire(name: string, owner: string, ttlMs: number, signal: AbortSignal): Promise<{ fence: number } | { busyForMs: number }>;
  extend(name: string, value: string, ttlMs: number, signal?: AbortSignal): Promise<boolean>;
  release(name: string, value: string): Promise<boolean>;
}

class Lease implements LockLease {
  readonly name: string;
  readonly fence: number;
  readonly #value: string;
  readonly #ttlMs: number;
  readonly #backend: LockBackend;
  readonly #lost = new AbortController();
  readonly #logger: Logger;
  #timer: ReturnType<typeof setInterval> | undefined;
  #released = false;

  constructor(backend: LockBackend, name: string, owner: string, fence: number, ttlMs: number, keepAlive: boolean, logger: Logger) {
    this.#backend = backend;
    this.name = name;
    this.fence = fence;
    this.#value = `${owner}/${fence}`;
    this.#ttlMs = ttlMs;
    this.#logger = logger;
    if (keepAlive) {
      this.#timer = setInterval(() => void this.#keepAlive(), Math.max(10, Math.floor(ttlMs / 3)));
      this.#timer.unref();
    }
  }

  get lost(): AbortSignal {
    return this.#lost.signal;
  }

  async extend(signal?: AbortSignal): Promise<boolean> {
    if (this.#released || this.#lost.signal.aborted) return false;
    const ok = await this.#backend.extend(this.name, this.#value, this.#ttlMs, signal);
    if (!ok) this.#markLost('another holder has it or it expired');
    return ok;
  }

  async release(): Promise<boolean> {
    if (this.#released) return false;
    this.#released = true;
    this.#stop();
    if (this.#lost.signal.aborted) return false;
    try {
      return await this.#backend.release(this.name, this.#value);
    } catch (err) {
      // Redis away: the lease runs out by itself.
      if (isTeamUnavailable(err)) return false;
      throw err;
    }
  }

  async #keepAlive(): Promise<void> {
    try {
      await this.extend();
    } catch (err) {
      // Cannot tell (Redis away): keep trying while the lease may still run.
      this.#logger.debug(`[team] lock ${this.name}: extend failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  #markLost(why: string): void {
    this.#stop();
    if (!this.#lost.signal.aborted) {
      this.#logger.warn(`[team] lock ${this.name} (fence ${this.fence}) was lost: ${why}`);
      this.#lost.abort(new TeamError('lock_timeout', `lock ${this.name} lost: ${why}`));
    }
  }

  #stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

abstract class LockBase implements DistributedLock {
  protected readonly owner: string;
  protected readonly logger: Logger;
  protected abstract readonly backend: LockBackend;

  constructor(instanceId: string, logger: Logger) {
    // One owner string per lock object: a lease is identified by owner and fence.
    this.owner = `${instanceId}:${randomBytes(4).toString('hex')}`;
    this.logger = logger;
  }

  async tryAcquire(name: string, options: Pick<LockOptions, 'ttlMs' | 'keepAlive'>, signal: AbortSignal): Promise<LockLease | { busyForMs: number }> {
    const r = await this.backend.tryAcquire(name, this.owner, options.ttlMs, signal);
    if ('busyForMs' in r) return r;
    return new Lease(this.backend, name, this.owner, r.fence, options.ttlMs, options.keepAlive !== false, this.logger);
  }

  async acquire(name: string, options: LockOptions, signal: AbortSignal, wake?: (listener: () => void) => Disposable): Promise<LockLease> {
    const deadline = Date.now() + options.waitMs;
    let backoff = 10;
    for (;;) {
      signal.throwIfAborted();
      const r = await this.tryAcquire(name, options, signal);
      if (!('busyForMs' in r)) return r;
      const left = deadline - Date.now();
      if (left <= 0) throw new TeamError('lock_timeout', `lock ${name} is held by another instance; gave up after ${options.waitMs} ms`);
      // Poll with a growing, jittered step, never past the holder's lease or our deadline; a wake
      // (the holder announced it is done) cuts the wait short.
      const step = Math.min(left, Math.max(1, r.busyForMs), backoff * (0.5 + Math.random()));
      backoff = Math.min(250, backoff * 2);
      await sleep(step, signal, wake);
    }
  }

  dispose(): void {}
}

function sleep(ms: number, signal: AbortSignal, wake?: (listener: () => void) => Disposable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      sub?.dispose();
      resolve();
    };
    const onAbort = () => {
      clearTimeout(timer);
      sub?.dispose();
      reject(signal.reason);
    };
    const timer = setTimeout(done, ms);
    const sub = wake?.(done);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export class RedisLock extends LockBase {
  protected readonly backend: LockBackend;

  constructor(options: { connection: TeamConnection; keys: TeamKeys; instanceId: string; logger: Logger }) {
    super(options.instanceId, options.logger);
    const { connection: conn, keys } = options;
    this.backend = {
      async tryAcquire(name, owner, ttlMs, signal) {
        const r = await conn.eval<number[]>(ACQUIRE, [keys.lock(name), keys.fence(name)], [owner, String(Math.max(1, Math.round(ttlMs)))], signal);
        return r[0] === 1 ? { fence: Number(r[1]) } : { busyForMs: Math.max(0, Number(r[1])) };
      },
      async extend(name, value, ttlMs, signal) {
        return (await conn.eval<number>(EXTEND, [keys.lock(name)], [value, String(Math.max(1, Math.round(ttlMs)))], signal)) === 1;
      },
      async release(name, value) {
        return (await conn.eval<number>(RELEASE, [keys.lock(name)], [value])) === 1;
      },
    };
  }
}

/** The state of in-process locks; several MemoryLocks (callers) may share one. */
export interface MemoryLockStore {
  readonly held: Map<string, { value: string; expiresAt: number }>;
  readonly fences: Map<string, number>;
}

export function createMemoryLockStore(): MemoryLockStore {
  return { held: new Map(), fences: new Map() };
}

/** One process: the same semantics over a Map and the clock. The in-process twin of the contract tests and benchmarks. */
export class MemoryLock extends LockBase {
  protected readonly backend: LockBackend;

  constructor(options: { instanceId: string; logger: Logger; now?: () => number; store?: MemoryLockStore }) {
    super(options.instanceId, options.logger);
    const now = options.now ?? Date.now;
    const { held, fences } = options.store ?? createMemoryLockStore();
    const live = (name: string) => {
      const h = held.get(name);
      if (h && h.expiresAt <= now()) {
        held.delete(name);
        return undefined;
      }
      return h;
    };
    this.backend = {
      async tryAcquire(name, owner, ttlMs, signal) {
        signal.throwIfAborted();
        const h = live(name);
        if (h) return { busyForMs: h.expiresAt - now() };
        const fence = (fences.get(name) ?? 0) + 1;
        fences.set(name, fence);
        held.set(name, { value: `${owner}/${fence}`, expiresAt: now() + ttlMs });
        return { fence };
      },
      async extend(name, value, ttlMs) {
        const h = live(name);
        if (!h || h.value !== value) return false;
        h.expiresAt = now() + ttlMs;
        return true;
      },
      async release(name, value) {
        const h = live(name);
        if (!h || h.value !== value) return false;
        held.delete(name);
        return true;
      },
    };
  }
}
