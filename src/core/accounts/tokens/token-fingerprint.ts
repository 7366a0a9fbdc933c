// A short one-way name for a refresh token, so the proxy can remember which tokens an account
// has held (and tell "an older token of A" from "another account's token") without keeping the
// dead tokens themselves. 64 bits of a namespaced SHA-256 of a 100+ character random token
// reveal nothing usable.
import { createHash } from 'node:crypto';

export function tokenFingerprint(token: string): string {
  return createHash('sha256').update('kiro-proxy refresh token\0').update(token).digest('hex').slice(0, 16);
}

/** How many earlier fingerprints an account keeps: enough for a long-stale editor buffer. */
export const HISTORY_LIMIT = 64;

/** `history` with `fp` moved to the end, bounded. */
export function remember(history: readonly string[], fp: string): string[] {
  const out = history.filter((h) => h !== fp);
  out.push(fp);
  return out.length > HISTORY_LIMIT ? out.slice(out.length - HISTORY_LIMIT) : out;
}
