// An in-flight lease of one instance in the shared pool state (redis-pool-state.ts): held by a
// request, or kept reserved for the instance's next request on its account, and when keeping one
// is fair to the other instances.

/** One in-flight lease of this instance, held by a request or kept reserved. */
export interface Slot {
  accountId: string;
  /** Its member in the account's in-flight sorted set. */
  member: string;
  limit: number;
  /** When its current holder took it (one held past maxLeaseMs is let go). */
  takenAt: number;
  /** When Redis last confirmed it (taken or renewed). */
  confirmedAt: number;
  /** Kept since then for the next request (undefined while a request holds it). */
  keptSince?: number;
}

/** The account is quiet enough that keeping one of its slots starves nobody. */
export function mayKeep(limit: number, live: number): boolean {
  return limit === 0 || (limit >= 4 && live <= limit / 2);
}
