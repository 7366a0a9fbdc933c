// Whether an account's quota lets it serve, as Kiro counts it (kiro-protocol.md §9.1). Past its
// included credits an account with overage enabled keeps serving (billed) up to the overage cap,
// so "used ≥ limit" alone never takes it away. And the numbers are only a forecast: when they say
// Kiro would refuse, one real request at most every probe interval asks Kiro itself. A 402 from
// that request confirms it (the pool then sets the account aside until the reset date); an
// answer overrules the numbers until getUsageLimits reports new ones. Pure: the pool keeps the
// probe state in its record and passes the clock.
import type { UsageLimits } from '../../kiro/types.ts';

/** "A few minutes": one request's worth of failover now and then, against serving nothing until the reset. */
export const DEFAULT_QUOTA_PROBE_INTERVAL_MS = 5 * 60_000;

/** The pool's memory of what Kiro said when the numbers said "used up". */
export interface QuotaProbeState {
  /** A probe request is on its way: nobody else uses the account meanwhile. */
  inFlight: boolean;
  /** No probe before this (epoch ms). */
  nextAt: number;
  /** `fetchedAt` of the numbers a served probe proved wrong; newer numbers are judged afresh. */
  overruledFetchedAt?: number;
}

/** Credits used past the included limit: Kiro's own count, else what the totals imply. */
export function overageUsedOf(q: UsageLimits): number {
  return q.overageUsed ?? Math.max(0, q.used - q.limit);
}

/**
 * True when the numbers say Kiro would refuse: included credits used up and overage off, or its
 * cap reached. Unknown limits, and numbers older than the reset date they announced, say nothing.
 */
export function quotaNumbersExhausted(q: UsageLimits | undefined, now: number): boolean {
  if (!q || q.limit <= 0 || q.used < q.limit) return false;
  if (q.nextResetAt !== undefined && q.nextResetAt <= now) return false;
  if (!q.overageEnabled) return true;
  // Overage on but no cap reported: Kiro decides (a 402 would tell).
  return q.overageCap !== undefined && q.overageCap > 0 && overageUsedOf(q) >= q.overageCap;
}

/** Serving past the included credits on overage (billed): worth telling the user. */
export function servingOnOverage(q: UsageLimits | undefined, now: number): boolean {
  return q !== undefined && q.overageEnabled === true && q.limit > 0 && q.used >= q.limit && !quotaNumbersExhausted(q, now);
}

const n = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/** Why the numbers say "used up", for the account's state reason. */
export function describeExhaustion(q: UsageLimits): string {
  if (q.overageEnabled) return `overage cap reached (${n(overageUsedOf(q))} of ${n(q.overageCap ?? 0)} overage credits)`;
  return `included credits used up (${n(q.used)} of ${n(q.limit)}, overage ${q.overageStatus === undefined ? 'not reported' : 'off'})`;
}

/** What the user reads while an account serves on overage. */
export function describeOverage(q: UsageLimits): string {
  const cap = q.overageCap !== undefined && q.overageCap > 0 ? ` of ${n(q.overageCap)}` : '';
  const cost = q.overageCharges !== undefined && q.overageCharges > 0 ? `, ${q.overageCharges.toFixed(2)} ${q.currency ?? 'USD'} so far` : '';
  return `included credits used up; serving on overage (${n(overageUsedOf(q))}${cap} overage credits${cost})`;
}

export type QuotaGate =
  /** The numbers do not stand in the way. */
  | { kind: 'open' }
  /** The numbers say "used up" and it is time to ask Kiro with the next request that needs this account. */
  | { kind: 'probe' }
  /** The numbers say "used up" and Kiro was asked recently (or is being asked). */
  | { kind: 'wait'; until: number };

export function quotaGate(q: UsageLimits | undefined, probe: QuotaProbeState | undefined, now: number): QuotaGate {
  if (!quotaNumbersExhausted(q, now)) return { kind: 'open' };
  if (probe?.overruledFetchedAt !== undefined && probe.overruledFetchedAt === q!.fetchedAt) return { kind: 'open' };
  if (probe && (probe.inFlight || probe.nextAt > now)) return { kind: 'wait', until: probe.nextAt };
  return { kind: 'probe' };
}
