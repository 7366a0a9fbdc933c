// The JSON values of the shared state keys, parsed at the edge: Redis is shared with other
// instances (possibly other versions), so a value that does not parse is treated as absent.
import * as z from 'zod';
import type { SharedCooldown, SharedDisabled, SharedQuota } from './types.ts';

const stateSchema = z.object({ reason: z.string().max(500), by: z.string().max(128) });
const quotaSchema = z.object({
  // The fields selection relies on are checked; the rest passes through (the quota shape grows).
  limits: z.looseObject({
    used: z.number(),
    limit: z.number(),
    bonusUsed: z.number().default(0),
    bonusLimit: z.number().default(0),
    freeTrialUsed: z.number().default(0),
    freeTrialLimit: z.number().default(0),
    fetchedAt: z.number(),
  }),
  by: z.string().max(128),
});

export function stateValue(v: { reason: string; by: string }): string {
  return JSON.stringify({ reason: v.reason.slice(0, 500), by: v.by });
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const r = schema.safeParse(JSON.parse(value));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** `pttl` as Redis reports it: -2 missing, -1 no expiry. */
export function parseSharedCooldown(value: unknown, pttl: number): SharedCooldown | undefined {
  const v = parse(stateSchema, value);
  if (!v || pttl === -2) return undefined;
  return { remainingMs: pttl < 0 ? Number.MAX_SAFE_INTEGER : pttl, reason: v.reason, by: v.by };
}

export function parseSharedDisabled(value: unknown, pttl: number): SharedDisabled | undefined {
  const v = parse(stateSchema, value);
  if (!v || pttl === -2) return undefined;
  return pttl >= 0 ? { reason: v.reason, by: v.by, remainingMs: pttl } : { reason: v.reason, by: v.by };
}

export function parseSharedQuota(value: unknown): SharedQuota | undefined {
  const v = parse(quotaSchema, value);
  return v ? { limits: v.limits, by: v.by } : undefined;
}
