// Picks one account among those able to serve now. Pure: the pool passes the candidates and the
// round-robin cursor, and keeps the returned cursor.
import type { SelectionStrategy } from '../../proxy-types.ts';

export interface Candidate {
  id: string;
  /** Position in the pool's list (stable order for round-robin). */
  order: number;
  inFlight: number;
  requests: number;
  lastUsedAt: number | undefined;
  /** Remaining quota, undefined when unknown. */
  remaining: number | undefined;
  /** Last attempt failed (state `error`): used only when no healthy account is free. */
  degraded: boolean;
}

export interface Selection {
  candidate: Candidate;
  /** The new round-robin cursor (the picked order). */
  cursor: number;
}

const byUse = (a: Candidate, b: Candidate) =>
  a.inFlight - b.inFlight || a.requests - b.requests || (a.lastUsedAt ?? -Infinity) - (b.lastUsedAt ?? -Infinity) || a.order - b.order;

/** Known quota first, most remaining first; unknown quota after known positive ones. */
const byQuota = (a: Candidate, b: Candidate) => {
  const ra = a.remaining ?? -1;
  const rb = b.remaining ?? -1;
  return rb - ra || byUse(a, b);
};

export function selectAccount(strategy: SelectionStrategy, candidates: readonly Candidate[], cursor: number): Selection | undefined {
  const healthy = candidates.filter((c) => !c.degraded);
  const pool = healthy.length > 0 ? healthy : [...candidates];
  if (pool.length === 0) return undefined;
  let picked: Candidate | undefined;
  switch (strategy) {
    case 'round-robin': {
      const sorted = [...pool].sort((a, b) => a.order - b.order);
      picked = sorted.find((c) => c.order > cursor) ?? sorted[0];
      break;
    }
    case 'most-quota':
      picked = [...pool].sort(byQuota)[0];
      break;
    case 'least-used':
    default:
      picked = [...pool].sort(byUse)[0];
      break;
  }
  return picked ? { candidate: picked, cursor: picked.order } : undefined;
}
