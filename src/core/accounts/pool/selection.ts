// Orders the accounts able to serve now, best first. Pure: the pool passes the candidates and the
// round-robin cursor, and keeps the cursor of the account it got (the shared state may pass over
// the first ones: busy on another instance, or cooling down there).
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

/** Healthy candidates first, each group in the strategy's order (round-robin: after the cursor, wrapping). */
export function rankCandidates(strategy: SelectionStrategy, candidates: readonly Candidate[], cursor: number): Candidate[] {
  const healthy: Candidate[] = [];
  const degraded: Candidate[] = [];
  for (const c of candidates) (c.degraded ? degraded : healthy).push(c);
  return [...rankGroup(strategy, healthy, cursor), ...rankGroup(strategy, degraded, cursor)];
}

function rankGroup(strategy: SelectionStrategy, group: Candidate[], cursor: number): Candidate[] {
  if (group.length < 2) return group;
  switch (strategy) {
    case 'round-robin': {
      const sorted = group.sort((a, b) => a.order - b.order);
      const next = sorted.findIndex((c) => c.order > cursor);
      return next <= 0 ? sorted : [...sorted.slice(next), ...sorted.slice(0, next)];
    }
    case 'most-quota':
      return group.sort(byQuota);
    case 'least-used':
    default:
      return group.sort(byUse);
  }
}

/** The first of rankCandidates, and the new round-robin cursor (the picked order). */
export function selectAccount(strategy: SelectionStrategy, candidates: readonly Candidate[], cursor: number): Selection | undefined {
  const picked = rankCandidates(strategy, candidates, cursor)[0];
  return picked ? { candidate: picked, cursor: picked.order } : undefined;
}
