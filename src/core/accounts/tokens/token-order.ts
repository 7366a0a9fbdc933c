// Which of two token sets of the SAME account is newer. Kiro rotates the refresh token on every
// refresh and kills the old one, so a token we held before and gave up is always older, and an
// unknown refresh token is newer only when its access token outlives ours.
import { tokenFingerprint } from './token-fingerprint.ts';

export interface TokenSet {
  refreshToken?: string | undefined;
  accessToken?: string | undefined;
  /** epoch ms */
  expiresAt?: number | undefined;
}

/**
 * - `same`: nothing to adopt;
 * - `fresher-access`: same refresh token, a later access token (IdC does not always rotate);
 * - `newer`: another refresh token with a later expiry: another program refreshed this account;
 * - `older`: a token this account held before (in `history`), or one that expires no later.
 */
export type TokenOrder = 'same' | 'fresher-access' | 'newer' | 'older';

export function compareTokens(candidate: TokenSet, current: TokenSet, history: ReadonlySet<string>): TokenOrder {
  const later = (candidate.expiresAt ?? 0) > (current.expiresAt ?? 0);
  if (candidate.refreshToken === current.refreshToken) {
    return later && candidate.accessToken !== undefined && candidate.accessToken !== current.accessToken ? 'fresher-access' : 'same';
  }
  if (!candidate.refreshToken) return 'older';
  if (history.has(tokenFingerprint(candidate.refreshToken))) return 'older';
  return later ? 'newer' : 'older';
}

/** true when adopting `candidate` moves the account forward. */
export function isAdoptable(order: TokenOrder): boolean {
  return order === 'newer' || order === 'fresher-access';
}
