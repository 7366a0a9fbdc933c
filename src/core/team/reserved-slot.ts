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

/** The account has room enough (at most three quarters of its cap live) that keeping one of its slots starves nobody. */
export function mayKeep(limit: number, live: number): boolean {
  return limit === 0 || (limit >= 4 && live <= (limit * 3) / 4);
}

/** How many released slots of an account one instance keeps: enough for a few conversations at once, a small share of the cap. */
export function maxKept(limit: number): number {
  return limit === 0 ? 4 : Math.max(1, Math.floor(limit / 4));
}

/** The slots one instance keeps reserved, per account (the most recently kept on top). */
export class KeptSlots {
  readonly #by = new Map<string, Slot[]>();
  #size = 0;

  /** Kept slots in all. */
  get size(): number {
    return this.#size;
  }

  count(accountId: string): number {
    return this.#by.get(accountId)?.length ?? 0;
  }

  peek(accountId: string): Slot | undefined {
    return this.#by.get(accountId)?.at(-1);
  }

  /** The most recently kept slot of the account, taken out. */
  take(accountId: string): Slot | undefined {
    const stack = this.#by.get(accountId);
    const slot = stack?.pop();
    if (!slot) return undefined;
    this.#size--;
    if (stack!.length === 0) this.#by.delete(accountId);
    return slot;
  }

  put(slot: Slot): void {
    const stack = this.#by.get(slot.accountId);
    if (stack) stack.push(slot);
    else this.#by.set(slot.accountId, [slot]);
    this.#size++;
  }

  /** Takes out the slots for which `drop` holds (or all of the account's, or all). */
  takeWhere(drop: (slot: Slot) => boolean): Slot[] {
    const out: Slot[] = [];
    for (const [accountId, stack] of this.#by) {
      const keep = stack.filter((s) => !drop(s));
      if (keep.length === stack.length) continue;
      out.push(...stack.filter(drop));
      if (keep.length === 0) this.#by.delete(accountId);
      else this.#by.set(accountId, keep);
    }
    this.#size -= out.length;
    return out;
  }

  all(): Slot[] {
    return [...this.#by.values()].flat();
  }
}
