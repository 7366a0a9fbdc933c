// The error a client gets when no account can serve: which accounts, why, and when the first
// one comes back. 429 + Retry-After when time will fix it (cooldown, quota reset), so clients
// wait; 503 when only the user can (expired, suspended, disabled).
import { ProxyError } from '../../errors.ts';
import type { AccountView } from '../../proxy-types.ts';
import { secondsUntil } from './cooldown.ts';

function recoveryOf(v: AccountView): number | undefined {
  if (v.state === 'cooldown') return v.cooldownUntil;
  if (v.state === 'disabled') return v.disabledUntil;
  return undefined;
}

function describe(v: AccountView): string {
  const until = recoveryOf(v);
  const when = until !== undefined ? ` until ${new Date(until).toISOString()}` : '';
  const why = v.stateReason ? `: ${v.stateReason}` : '';
  return `${v.label} (${v.state}${when}${why})`;
}

export function allUnavailableError(views: readonly AccountView[], now: number): ProxyError {
  if (views.length === 0) {
    return new ProxyError('unavailable', 'No Kiro account is configured. Add an account (login, SSO cache import or a credentials file) and retry.', {
      code: 'NO_ACCOUNTS',
    });
  }
  const recoveries = views.map(recoveryOf).filter((t): t is number => t !== undefined && t > now);
  const earliest = recoveries.length > 0 ? Math.min(...recoveries) : undefined;
  const list = views.map(describe).join('; ');
  const head = views.length === 1 ? 'The only Kiro account is unavailable' : `All ${views.length} Kiro accounts are unavailable`;
  if (earliest === undefined) {
    return new ProxyError('unavailable', `${head}: ${list}. None recovers by itself: log in again or re-enable an account.`, {
      code: 'ALL_ACCOUNTS_UNAVAILABLE',
    });
  }
  const retryAfterSeconds = secondsUntil(earliest, now);
  return new ProxyError(
    'rate_limit',
    `${head}: ${list}. The first one is available again at ${new Date(earliest).toISOString()} (in ${retryAfterSeconds} s).`,
    { code: 'ALL_ACCOUNTS_RATE_LIMITED', retryAfterSeconds },
  );
}
