// Words the hosts show for ids: an account's source ("mock:mock" → "simulated Kiro") and the
// account-selection strategies. One table for the tree, the dashboard and the quick picks.
import type { SelectionStrategy } from '../proxy-types.ts';

export const SELECTION_STRATEGY_INFO: Record<SelectionStrategy, { label: string; detail: string }> = {
  'least-used': { label: 'Least used (default)', detail: 'The account with the fewest requests in flight and recent use.' },
  'round-robin': { label: 'Round robin', detail: 'Each account in turn.' },
  'most-quota': { label: 'Most quota left', detail: 'The account with the most quota left.' },
};

/** Where an account came from, in words (the raw source stays in tooltips for support). */
export function accountSourceLabel(source: string): string {
  if (source.startsWith('mock:')) return 'simulated Kiro';
  if (source.startsWith('store:')) return 'saved by Kiro Proxy';
  if (source.startsWith('$')) return `environment variable ${source.slice(1).replace(/\[\d+\]$/, '')}`;
  if (source.startsWith('base64')) return 'base64 credentials';
  const file = source.split(/[\\/]/).pop() ?? source;
  return file.replace(/\[(\d+)\]$/, ' #$1');
}

/** "Google sign-in · simulated Kiro", "IdC · kiro-auth-token.json". */
export function accountSubtitle(a: { provider?: string; authMethod: string; source: string }): string {
  const how = a.provider ? `${a.provider} sign-in` : a.authMethod === 'idc' ? 'IAM Identity Center' : a.authMethod;
  return `${how} · ${accountSourceLabel(a.source)}`;
}
