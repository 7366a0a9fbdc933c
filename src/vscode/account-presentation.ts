// How an account looks in the tree and the quick picks. Pure: no vscode, testable.
import type { AccountState, AccountView } from '../core/proxy-types.ts';
import { accountSubtitle } from '../core/admin/account-labels.ts';
import { quotaDisplay } from '../core/accounts/quota/quota-display.ts';

export interface AccountPresentation {
  label: string;
  description: string;
  icon: string;
  color: string | undefined;
  tooltipLines: string[];
  contextValue: string;
}

const ICONS: Record<AccountState, { icon: string; color: string | undefined; word: string }> = {
  active: { icon: 'pass-filled', color: 'testing.iconPassed', word: 'Active' },
  cooldown: { icon: 'watch', color: 'editorWarning.foreground', word: 'Cooling down' },
  disabled: { icon: 'circle-slash', color: 'disabledForeground', word: 'Disabled' },
  expired: { icon: 'key', color: 'editorWarning.foreground', word: 'Token expired' },
  error: { icon: 'error', color: 'errorForeground', word: 'Error' },
};

export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

/** Included credits (used/limit; the totals already hold trial and bonuses), plus overage while it is used. */
function formatQuota(a: AccountView): string | undefined {
  return a.quota ? quotaDisplay(a.quota).short : undefined;
}

/** When the account leaves cooldown (ms epoch), if it is cooling down now. */
export function cooldownEnd(a: AccountView, now: number): number | undefined {
  const until = a.cooldownUntil ?? a.disabledUntil;
  return a.state === 'cooldown' && until !== undefined && until > now ? until : undefined;
}

export function presentAccount(a: AccountView, now: number): AccountPresentation {
  const look = ICONS[a.state] ?? ICONS.error;
  const parts: string[] = [];
  const quota = formatQuota(a);
  if (quota) parts.push(quota);
  const until = cooldownEnd(a, now);
  if (until !== undefined) parts.push(`cooldown ${formatCountdown(until - now)}`);
  else if (a.state !== 'active') parts.push(look.word.toLowerCase());
  if (!a.enabled && a.state !== 'disabled') parts.push('disabled');

  const tip: string[] = [`**${a.label}** — ${look.word}`];
  if (a.stateReason) tip.push(a.stateReason);
  tip.push(`${accountSubtitle(a)} (${a.source})`);
  if (a.quota) {
    const q = a.quota;
    const d = quotaDisplay(q);
    const overage = d.overage ? ` · ${d.overage.text}${d.overage.cost ? ` (${d.overage.cost})` : ''}` : '';
    tip.push(
      `Quota: ${d.included} included credits${overage}${q.plan ? ` · ${q.plan}` : ''}${q.nextResetAt ? ` · resets ${new Date(q.nextResetAt).toLocaleDateString()}` : ''}`,
    );
  }
  tip.push(
    `Requests: ${a.counters.requests} · errors: ${a.counters.errors} · aborted by the client: ${a.counters.aborted ?? 0} · in flight: ${a.counters.inFlight}`,
  );
  if (a.tokenExpiresAt) tip.push(`Token expires: ${new Date(a.tokenExpiresAt).toLocaleString()}`);
  if (a.lastError) tip.push(`Last error (${new Date(a.lastError.at).toLocaleTimeString()}): ${a.lastError.message}`);

  return {
    label: a.label,
    description: parts.join(' · '),
    icon: look.icon,
    color: look.color,
    tooltipLines: tip,
    contextValue: `kiroAccount.${a.state}${a.enabled ? '.enabled' : '.disabled'}`,
  };
}
