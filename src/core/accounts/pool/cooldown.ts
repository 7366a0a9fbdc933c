// How long an account stays out of rotation after Kiro pushed back. Everything is an absolute
// epoch-ms deadline so recovery is computed from the clock, without per-account timers.

/** First instant of the next calendar month in UTC: Kiro's monthly quotas reset then when it does not tell us. */
export function nextMonthStartUtc(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** Retry-After when Kiro sent one, else our default. */
export function cooldownUntil(now: number, retryAfterSeconds: number | undefined, defaultMs: number): number {
  const ms = retryAfterSeconds !== undefined && retryAfterSeconds > 0 ? retryAfterSeconds * 1000 : defaultMs;
  return now + ms;
}

/** When a quota-exhausted account can serve again: the known reset date, else the next month. */
export function quotaResetAt(now: number, knownResetAt: number | undefined): number {
  return knownResetAt !== undefined && knownResetAt > now ? knownResetAt : nextMonthStartUtc(now);
}

/** Seconds from now until `at`, at least 1 (a Retry-After of 0 invites a hot loop). */
export function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}
