// Parses getUsageLimits (kiro-protocol.md §9.1) into UsageLimits. Every field is optional and a
// wrongly typed field is dropped rather than failing the whole parse: quota display must not
// break because AWS added or renamed something.
import * as z from 'zod';
import type { UsageLimits } from './types.ts';

const num = z.number().finite().optional().catch(undefined);
const str = z.string().optional().catch(undefined);
/** Epoch seconds on the JSON API; ISO strings on the portal variant. */
const when = z.union([z.number().finite(), z.string()]).optional().catch(undefined);

const Amounts = {
  currentUsage: num,
  currentUsageWithPrecision: num,
  usageLimit: num,
  usageLimitWithPrecision: num,
};

const Bonus = z.looseObject({ ...Amounts, status: str });
const FreeTrial = z.looseObject({ ...Amounts, freeTrialStatus: str, freeTrialExpiry: when });
const Breakdown = z.looseObject({
  ...Amounts,
  currentOverages: num,
  currentOveragesWithPrecision: num,
  overageCap: num,
  overageCapWithPrecision: num,
  overageCharges: num,
  currency: str,
  resourceType: str,
  nextDateReset: when,
  bonuses: z.array(Bonus.catch({})).optional().catch(undefined),
  freeTrialInfo: FreeTrial.optional().catch(undefined),
});

const UsageLimitsResponse = z.looseObject({
  daysUntilReset: num,
  nextDateReset: when,
  subscriptionInfo: z.looseObject({ subscriptionTitle: str, type: str }).optional().catch(undefined),
  overageConfiguration: z.looseObject({ overageStatus: str }).optional().catch(undefined),
  usageBreakdownList: z.array(Breakdown.catch({})).optional().catch(undefined),
  userInfo: z.looseObject({ email: str, userId: str }).optional().catch(undefined),
});
type UsageLimitsResponse = z.infer<typeof UsageLimitsResponse>;

type Amount = { [K in keyof typeof Amounts]?: number | undefined };

const limitOf = (a: Amount) => a.usageLimitWithPrecision ?? a.usageLimit ?? 0;
const usedOf = (a: Amount) => a.currentUsageWithPrecision ?? a.currentUsage ?? 0;

/** Epoch ms from epoch seconds, epoch ms or an ISO string. */
function toEpochMs(v: number | string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  // 1e11 s is the year 5138; anything bigger is already milliseconds.
  return v < 1e11 ? Math.round(v * 1000) : Math.round(v);
}

/**
 * Totals follow KRS: limit = base + active free trial + active bonuses; the same for usage.
 * The CREDIT breakdown is preferred (CDL); otherwise the first one (KRS).
 * Returns undefined when the body is not a JSON object at all.
 */
export function parseUsageLimits(json: unknown, now: number): UsageLimits | undefined {
  const parsed = UsageLimitsResponse.safeParse(json);
  if (!parsed.success) return undefined;
  const r = parsed.data;
  const list = r.usageBreakdownList ?? [];
  const b = list.find((x) => x.resourceType === 'CREDIT') ?? list[0];

  const trial = b?.freeTrialInfo?.freeTrialStatus === 'ACTIVE' ? b.freeTrialInfo : undefined;
  const bonuses = (b?.bonuses ?? []).filter((x) => x.status === 'ACTIVE');
  const bonusLimit = bonuses.reduce((s, x) => s + limitOf(x), 0);
  const bonusUsed = bonuses.reduce((s, x) => s + usedOf(x), 0);
  const freeTrialLimit = trial ? limitOf(trial) : 0;
  const freeTrialUsed = trial ? usedOf(trial) : 0;

  const out: UsageLimits = {
    used: (b ? usedOf(b) : 0) + freeTrialUsed + bonusUsed,
    limit: (b ? limitOf(b) : 0) + freeTrialLimit + bonusLimit,
    bonusUsed,
    bonusLimit,
    freeTrialUsed,
    freeTrialLimit,
    fetchedAt: now,
  };
  const plan = r.subscriptionInfo?.subscriptionTitle;
  const planType = r.subscriptionInfo?.type;
  const expiry = toEpochMs(b?.freeTrialInfo?.freeTrialExpiry);
  const reset = toEpochMs(b?.nextDateReset ?? r.nextDateReset);
  const email = r.userInfo?.email;
  if (plan !== undefined) out.plan = plan;
  if (planType !== undefined) out.planType = planType;
  if (expiry !== undefined) out.freeTrialExpiry = expiry;
  if (reset !== undefined) out.nextResetAt = reset;
  if (r.daysUntilReset !== undefined) out.daysUntilReset = r.daysUntilReset;
  if (email !== undefined) out.email = email;
  const userId = r.userInfo?.userId;
  if (userId !== undefined) out.userId = userId;
  // Overage (kiro-protocol.md §9.1): past the included credits, Kiro keeps serving when it is
  // enabled, up to the cap. The cap is reported even when overage is off.
  const overageStatus = r.overageConfiguration?.overageStatus;
  if (overageStatus !== undefined) {
    out.overageStatus = overageStatus;
    out.overageEnabled = /^enabled/i.test(overageStatus);
  }
  const overageUsed = b?.currentOveragesWithPrecision ?? b?.currentOverages;
  const overageCap = b?.overageCapWithPrecision ?? b?.overageCap;
  if (overageUsed !== undefined) out.overageUsed = overageUsed;
  if (overageCap !== undefined) out.overageCap = overageCap;
  if (b?.overageCharges !== undefined) out.overageCharges = b.overageCharges;
  if (b?.currency !== undefined) out.currency = b.currency;
  return out;
}
