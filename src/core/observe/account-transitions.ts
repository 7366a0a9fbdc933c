// Counts cooldowns and token refreshes from the pool's account snapshots (pool.onChange), so the
// metrics need no hook inside the pool or the token managers. A refresh shows as a later token
// expiry; a failed one as a new `token` error or the account turning `expired` (needs a login).
import type { AccountView } from '../proxy-types.ts';

export interface AccountTransitionSink {
  cooldown(accountId: string): void;
  tokenRefresh(outcome: 'success' | 'failure' | 'needs_login'): void;
}

interface Seen {
  state: AccountView['state'];
  cooldownUntil: number | undefined;
  tokenExpiresAt: number | undefined;
  lastErrorAt: number | undefined;
}

/** Returns the onChange listener; it remembers the previous snapshot of each account. */
export function accountTransitionTracker(sink: AccountTransitionSink): (accounts: readonly AccountView[]) => void {
  const seen = new Map<string, Seen>();
  return (accounts) => {
    const present = new Set<string>();
    for (const a of accounts) {
      present.add(a.id);
      const prev = seen.get(a.id);
      const next: Seen = { state: a.state, cooldownUntil: a.cooldownUntil, tokenExpiresAt: a.tokenExpiresAt, lastErrorAt: a.lastError?.at };
      seen.set(a.id, next);
      if (!prev) continue;
      if (a.state === 'cooldown' && (prev.state !== 'cooldown' || (a.cooldownUntil ?? 0) > (prev.cooldownUntil ?? 0))) sink.cooldown(a.id);
      if (a.tokenExpiresAt !== undefined && prev.tokenExpiresAt !== undefined && a.tokenExpiresAt > prev.tokenExpiresAt) sink.tokenRefresh('success');
      if (a.state === 'expired' && prev.state !== 'expired') sink.tokenRefresh('needs_login');
      else if (a.lastError?.cls === 'token' && a.lastError.at !== prev.lastErrorAt) sink.tokenRefresh('failure');
    }
    for (const id of [...seen.keys()]) if (!present.has(id)) seen.delete(id);
  };
}
