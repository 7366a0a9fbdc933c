// Which entry of a credential file belongs to an account — by identity, never by position.
// Users reorder and extend creds-file arrays, and the Kiro IDE writes another account into
// kiro-auth-token.json on a new login, so an index or a path says nothing about whose token an
// entry holds. In order:
//   1. the refresh token the account holds now (or held just before the refresh in progress);
//   2. a refresh token the account held earlier (an editor saved a stale copy): still its entry,
//      holding an older token;
//   3. an entry with a token nobody here knows whose auth method, client id, profile ARN and
//      provider agree with the account, when exactly one entry qualifies: a *candidate* — it may be
//      this account refreshed by another program, or a different account logged in meanwhile.
//      Many social accounts share one profile ARN and an IDE shares its client registration
//      between every account it logs in, so those fields narrow the search but prove nothing;
//      the caller confirms a candidate by the user id Kiro reports for its token (identity.ts)
//      before it writes there or adopts from it.
import type { KiroCredential } from './credential.ts';
import { tokenFingerprint } from '../tokens/token-fingerprint.ts';

export interface FileEntry {
  /** null when the file is a single object. */
  index: number | null;
  credential: KiroCredential;
}

export interface AccountKey {
  /** The refresh token the account holds (before a refresh: the one about to be used). */
  refreshToken: string | undefined;
  /** Fingerprints of every refresh token this account held. */
  history: ReadonlySet<string>;
  kind: KiroCredential['kind'];
  clientId?: string | undefined;
  profileArn?: string | undefined;
  provider?: string | undefined;
  /** Fingerprints of tokens known to belong to the proxy's other accounts. */
  othersHistory: ReadonlySet<string>;
}

export type EntryMatch =
  | { how: 'current'; entry: FileEntry }
  | { how: 'earlier'; entry: FileEntry }
  | { how: 'candidate'; entry: FileEntry }
  | { how: 'none'; why: 'no_entry' | 'ambiguous' };

export function matchEntry(entries: readonly FileEntry[], key: AccountKey): EntryMatch {
  if (key.refreshToken) {
    const exact = entries.find((e) => e.credential.refreshToken === key.refreshToken);
    if (exact) return { how: 'current', entry: exact };
  }
  const earlier = entries.filter((e) => e.credential.refreshToken && key.history.has(tokenFingerprint(e.credential.refreshToken)));
  // The same old token twice (a duplicated entry) is still ours; the first one is written.
  if (earlier.length > 0) return { how: 'earlier', entry: earlier[0]! };
  const unknown = entries.filter((e) => {
    const rt = e.credential.refreshToken;
    return !rt || !key.othersHistory.has(tokenFingerprint(rt));
  });
  const compatible = unknown.filter((e) => sameSignature(e.credential, key));
  if (compatible.length === 1) return { how: 'candidate', entry: compatible[0]! };
  return { how: 'none', why: compatible.length === 0 ? 'no_entry' : 'ambiguous' };
}

/** Fields that differ prove a different account; equal ones prove nothing (see above). */
export function sameSignature(c: KiroCredential, key: Pick<AccountKey, 'kind' | 'clientId' | 'profileArn' | 'provider'>): boolean {
  if (c.kind !== key.kind) return false;
  const differs = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a !== b;
  if (differs(c.clientId, key.clientId)) return false;
  if (differs(c.profileArn, key.profileArn)) return false;
  if (differs(c.provider?.toLowerCase(), key.provider?.toLowerCase())) return false;
  return true;
}
