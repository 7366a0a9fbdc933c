// The seams of team mode: what the account registry, quota service and upstream executor of the
// split pool will call, each with one in-process and one Redis implementation chosen by config.
// The registry keeps its local AccountRecord per account and MIRRORS the shared fields below
// (cooldown, disabled, quota, token generation): reads on the hot path are local; Redis is the
// authority that the one hot-path round trip (acquire) re-checks.
//
// Round-trip budget per call (Redis implementation, loopback):
//   acquire          none when the instance keeps a reserved slot of the account the request goes
//                    to (the slot its previous request there gave back, see redis-pool-state.ts);
//                    else 1 round trip (one EVALSHA), on the request's latency path
//   release          none when the slot is kept as the reserved one; else 1 round trip, after the
//                    response (not awaited by the request)
//   heartbeat        1 round trip per lease TTL/3 for all of the instance's slots and conversations
//   setCooldown/…    1 round trip each (state + event published by the same script)
//   snapshot         1 round trip for any number of accounts (resync after a gap)
//   token read       1 round trip; token write 1 round trip (CAS + publish in one script)
//   lock acquire     1 round trip when free; release/extend 1 each
//   event publish    1 round trip; receiving costs none on the caller's path
import type { UsageLimits } from '../kiro/types.ts';
import type { Disposable } from '../proxy-types.ts';

// ---------------------------------------------------------------------------------------------
// Health of the Redis connection

type TeamHealthState = 'up' | 'down';

export interface TeamHealth {
  state: TeamHealthState;
  /** Epoch ms of the last change. */
  since: number;
  /** Why it is down (never holds the URL's password). */
  reason?: string;
}

// ---------------------------------------------------------------------------------------------
// Shared pool state (cooldowns, disabled, quota, stickiness, in-flight caps)

export interface SharedCooldown {
  /** Remaining ms when read (clocks of instances differ; `until` = local now + remainingMs). */
  remainingMs: number;
  reason: string;
  /** Instance that set it. */
  by: string;
}

export interface SharedDisabled {
  reason: string;
  /** Remaining ms, or undefined when it lasts until cleared. */
  remainingMs?: number;
  by: string;
}

export interface SharedQuota {
  limits: UsageLimits;
  /** Instance that fetched it. */
  by: string;
}

export interface AccountShared {
  cooldown?: SharedCooldown;
  disabled?: SharedDisabled;
  quota?: SharedQuota;
  /** Live in-flight leases on this account across all instances. */
  inFlight: number;
}

interface AcquireCandidate {
  accountId: string;
  /** Per-account concurrency cap across instances; 0 = unlimited. */
  limit: number;
}

export interface AcquireRequest {
  /**
   * Accounts the registry considers servable, in the order of its selection strategy. The
   * account the conversation is bound to is preferred when it is among them and can serve.
   */
  candidates: readonly AcquireCandidate[];
  /** Conversation key (stickiness). */
  stickyKey?: string;
}

export interface InFlightLease {
  readonly accountId: string;
  readonly id: string;
}

export type SkipReason = 'cooldown' | 'disabled' | 'full';

export type AcquireResult =
  | { ok: true; lease: InFlightLease; accountId: string; inFlight: number; sticky: boolean }
  | {
      ok: false;
      /** Why each candidate was passed over, so the registry can correct its mirror. */
      skipped: { accountId: string; why: SkipReason; remainingMs?: number }[];
    };

export interface SharedPoolState extends Disposable {
  /** Hot path. Takes an in-flight slot on the first candidate that can serve and binds the conversation to it. */
  acquire(req: AcquireRequest, signal: AbortSignal): Promise<AcquireResult>;
  /** Gives the slot back. Idempotent. Not on the latency path (call it without awaiting in the request). */
  release(lease: InFlightLease): Promise<void>;
  setCooldown(accountId: string, cooldown: { durationMs: number; reason: string }, signal: AbortSignal): Promise<void>;
  clearCooldown(accountId: string, signal: AbortSignal): Promise<void>;
  /** `durationMs` undefined: until clearDisabled. */
  setDisabled(accountId: string, disabled: { reason: string; durationMs?: number }, signal: AbortSignal): Promise<void>;
  clearDisabled(accountId: string, signal: AbortSignal): Promise<void>;
  setQuota(accountId: string, limits: UsageLimits, signal: AbortSignal): Promise<void>;
  /** Everything shared about these accounts, in one round trip (start, and after a gap in events). */
  snapshot(accountIds: readonly string[], signal: AbortSignal): Promise<Map<string, AccountShared>>;
  /** Forget the conversations bound to a removed account (cold path; may scan). */
  forgetAccount(accountId: string, signal: AbortSignal): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Tokens shared between instances, encrypted at rest

/** The part of a credential that rotates. */
export interface SharedTokenSet {
  accessToken?: string;
  refreshToken?: string;
  /** Access token expiry, epoch ms. */
  expiresAt?: number;
  profileArn?: string;
}

export interface TokenRecord {
  /** 1 for the first write, +1 per rotation. A record with a higher gen is newer. */
  gen: number;
  tokens: SharedTokenSet;
  /** Fencing token of the lock holder that wrote it (0 for a seed written without the lock). */
  fence: number;
  writer: string;
  writtenAt: number;
}

export type TokenWriteResult = { ok: true; record: TokenRecord } | { ok: false; current: TokenRecord | undefined };

export interface TokenVault extends Disposable {
  read(accountId: string, signal: AbortSignal): Promise<TokenRecord | undefined>;
  /**
   * Compare-and-set: writes generation `expectGen + 1` only when the stored generation is still
   * `expectGen` (0 = no record yet) and no record of a higher fence is stored. On a conflict
   * nothing is written and the current record is returned. A successful write with `announce`
   * publishes `token-rotated` in the same round trip.
   */
  write(
    accountId: string,
    tokens: SharedTokenSet,
    guard: { expectGen: number; fence: number; announce?: boolean },
    signal: AbortSignal,
  ): Promise<TokenWriteResult>;
  remove(accountId: string, signal: AbortSignal): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Lock with a lease and a fencing token

export interface LockLease {
  readonly name: string;
  /** Strictly increasing per lock name: a later holder always has a higher fence. */
  readonly fence: number;
  /** Aborted when the lease is known lost (an extend found another holder or no lock). */
  readonly lost: AbortSignal;
  /** Pushes the expiry to now + ttl if still held. False when lost. */
  extend(signal?: AbortSignal): Promise<boolean>;
  /** Deletes the lock if still held by this lease. False when it was already lost. Idempotent. */
  release(): Promise<boolean>;
}

export interface LockOptions {
  /** Lease length; the holder keeps it alive while working (see keepAlive). */
  ttlMs: number;
  /** How long acquire() waits for another holder (bounded). */
  waitMs: number;
  /** Extend every ttl/3 until released (for work of unknown length). Default true. */
  keepAlive?: boolean;
}

export interface DistributedLock extends Disposable {
  /** One attempt: the lease, or how long the current holder's lease still runs. */
  tryAcquire(name: string, options: Pick<LockOptions, 'ttlMs' | 'keepAlive'>, signal: AbortSignal): Promise<LockLease | { busyForMs: number }>;
  /** Waits up to `waitMs` (abortable); throws TeamError('lock_timeout'). `wake` lets a caller cut a wait short (e.g. on an event). */
  acquire(name: string, options: LockOptions, signal: AbortSignal, wake?: (listener: () => void) => Disposable): Promise<LockLease>;
}

// ---------------------------------------------------------------------------------------------
// Refresh, single-flight across instances

/** Performs one upstream refresh with `current.refreshToken`; returns the new token set. */
export type Refresher = (current: SharedTokenSet, signal: AbortSignal) => Promise<SharedTokenSet>;

export interface RefreshRequest {
  accountId: string;
  /** The generation this instance holds (0 when it has never seen a team record). */
  heldGen: number;
  /** What this instance holds: the base when the team has no record of the account yet. */
  held: SharedTokenSet;
}

export interface RefreshOutcome {
  record: TokenRecord;
  /** refreshed: this instance won and called the refresher; adopted: another instance had rotated it. */
  source: 'refreshed' | 'adopted';
}

export interface RefreshCoordinator extends Disposable {
  /**
   * Gives a token set newer than `heldGen`: adopts one another instance wrote, or refreshes
   * under the account's lock. Concurrent calls for one account share one flight.
   */
  refresh(req: RefreshRequest, refresher: Refresher, signal: AbortSignal): Promise<RefreshOutcome>;
  /** Pushes the rotations Redis did not take while it was away; the records it now holds, by account. */
  flushUnshared?(signal: AbortSignal): Promise<Map<string, TokenRecord>>;
}

// ---------------------------------------------------------------------------------------------
// Events between instances (pub/sub). Never carry a token.

export interface InstanceInfo {
  id: string;
  /** host:port the instance serves on, for display. */
  address?: string;
  version?: string;
  startedAt: number;
}

export type TeamEvent =
  | { type: 'cooldown-started'; accountId: string; remainingMs: number; reason: string }
  | { type: 'cooldown-cleared'; accountId: string }
  | { type: 'account-disabled'; accountId: string; reason: string; remainingMs?: number }
  | { type: 'account-enabled'; accountId: string }
  | { type: 'quota-updated'; accountId: string }
  | { type: 'token-rotated'; accountId: string; gen: number }
  /** An acquire found the account full: instances keeping a reserved slot of it give it back. */
  | { type: 'slot-wanted'; accountId: string }
  /** A conversation (sticky key) was bound to an account, new or moved there. */
  | { type: 'conversation-bound'; key: string; accountId: string }
  | { type: 'instance-up'; instance: InstanceInfo }
  | { type: 'instance-down'; instanceId: string };

export interface TeamEventMeta {
  /** Sender instance id (never our own: echoes are dropped). */
  from: string;
  /** Sender's clock, epoch ms (display only). */
  at: number;
}

export interface TeamEvents extends Disposable {
  readonly instanceId: string;
  publish(event: TeamEvent, signal: AbortSignal): Promise<void>;
  subscribe(listener: (event: TeamEvent, meta: TeamEventMeta) => void): Disposable;
  /**
   * Fires when the subscription is (re)established after a gap in which events may have been
   * missed: the registry re-reads a snapshot then.
   */
  onResubscribed(listener: () => void): Disposable;
}

// ---------------------------------------------------------------------------------------------
// Everything of team mode for one instance, as the composition root receives it

export interface TeamState {
  readonly mode: 'redis' | 'local';
  readonly instanceId: string;
  /** Local mode is always `up`. */
  health(): TeamHealth;
  onHealth(listener: (health: TeamHealth) => void): Disposable;
  readonly pool: SharedPoolState;
  readonly vault: TokenVault;
  readonly refresh: RefreshCoordinator;
  readonly events: TeamEvents;
  /** Live instances of the team (local mode: this one). */
  instances(signal: AbortSignal): Promise<InstanceInfo[]>;
  /** Leaves the team (instance-down) and closes connections. */
  close(): Promise<void>;
}
