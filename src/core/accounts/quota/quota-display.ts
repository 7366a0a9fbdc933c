// How an account's quota reads in the dashboard and the Accounts tree: the included credits
// (plan + active trial + bonuses, already totalled by kiro/usage-limits.ts) and, apart from
// them, the overage — on or off, used, cap and what it cost. Pure and DOM-free: the webview
// bundle and the VS Code glue both use it.
import type { UsageLimits } from '../../kiro/types.ts';
import { overageUsedOf } from './quota-verdict.ts';

export interface QuotaDisplay {
  /** Included credits used, at most the limit (what lies beyond is overage). */
  includedUsed: number;
  includedLimit: number;
  /** `12.5/50`, or `5 used` when no limit is reported. */
  included: string;
  /** undefined when Kiro reported no overage configuration. */
  overage?: {
    enabled: boolean;
    used: number;
    cap?: number;
    /** `15/100 overage`, `overage on`, `overage off`. */
    text: string;
    /** `0.60 USD`, when anything was charged. */
    cost?: string;
  };
  /** The tree's description: included, plus the overage while some is used. */
  short: string;
  /** One line for tooltips and titles. */
  long: string;
}

const num = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(1));

export function quotaDisplay(q: UsageLimits): QuotaDisplay {
  const includedLimit = q.limit;
  const includedUsed = includedLimit > 0 ? Math.min(q.used, includedLimit) : q.used;
  const included = includedLimit > 0 ? `${num(includedUsed)}/${num(includedLimit)}` : `${num(includedUsed)} used`;
  const out: QuotaDisplay = { includedUsed, includedLimit, included, short: included, long: `included credits ${included}` };
  if (q.overageEnabled === undefined) return out;
  const used = overageUsedOf(q);
  const cap = q.overageCap !== undefined && q.overageCap > 0 ? q.overageCap : undefined;
  const text = !q.overageEnabled ? 'overage off' : cap !== undefined ? `${num(used)}/${num(cap)} overage` : used > 0 ? `${num(used)} overage` : 'overage on';
  const overage: NonNullable<QuotaDisplay['overage']> = { enabled: q.overageEnabled, used, text };
  if (cap !== undefined) overage.cap = cap;
  if (q.overageCharges !== undefined && q.overageCharges > 0) overage.cost = `${q.overageCharges.toFixed(2)} ${q.currency ?? 'USD'}`;
  out.overage = overage;
  if (q.overageEnabled && used > 0) out.short = `${included} +${num(used)} overage`;
  out.long = `${out.long} · ${text}${overage.cost ? ` (${overage.cost})` : ''}`;
  return out;
}
