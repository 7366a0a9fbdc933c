// The outbound half of an AccountSync (account-sync.ts): after a refresh, the new token goes into
// the linked file's entry of this account, found again by identity right before the write
// (another program may have moved or rewritten it meanwhile). Kept apart from the sync's
// adopt/refresh logic because its outcomes are its own: written, not written (with the notice
// that says why, the token living on in the store), or the link dropped (the file holds another
// account now).
import type { Logger } from '../../proxy-types.ts';
import type { KiroCredential } from '../credentials/credential.ts';
import type { FileEntry } from '../credentials/entry-match.ts';
import { writeEntryTokens, EntryMovedError } from '../credentials/credential-file.ts';
import { compareTokens, isAdoptable } from '../tokens/token-order.ts';
import type { AccountLink } from './account-record.ts';

/** What the linked file holds for an account, as AccountSync looks it up. */
export type DiskLook =
  | { kind: 'entry'; entry: FileEntry; how: 'current' | 'earlier' | 'candidate' }
  | { kind: 'unconfirmed'; entry: FileEntry }
  | { kind: 'other-account'; entry: FileEntry }
  | { kind: 'none'; message: string }
  | { kind: 'unlinked' };

/** The parts of the AccountSync a write-back reads and acts through. */
export interface WriteBackContext {
  link: AccountLink | undefined;
  label: string;
  logger: Logger;
  /** Fingerprints of every refresh token the account held. */
  history: () => Set<string>;
  look: (cur: KiroCredential, signal: AbortSignal, prevRefreshToken?: string) => Promise<DiskLook>;
  dropLink: (entry: FileEntry) => Promise<void>;
  setNotice: (notice: string | undefined) => void;
}

/** Writes `next` into the account's entry of the linked file; never an older token over a newer one. */
export async function writeBackToLink(ctx: WriteBackContext, next: KiroCredential, prevRefreshToken: string | undefined, signal: AbortSignal): Promise<void> {
  const { link, label } = ctx;
  if (!link || link.dropped) return;
  for (let attempt = 0; attempt < 3; attempt++) {
    const look = await ctx.look(next, signal, prevRefreshToken);
    if (look.kind === 'unlinked') return;
    if (look.kind === 'other-account') {
      await ctx.dropLink(look.entry);
      return;
    }
    if (look.kind === 'none' || look.kind === 'unconfirmed') {
      const why = look.kind === 'none' ? look.message : `the entry in ${link.path} holds a token the proxy cannot tie to this account`;
      ctx.setNotice(`not written back: ${why}; the new token is kept in the proxy's own store`);
      ctx.logger.warn(`[accounts] ${label}: refreshed token not written to ${link.path}: ${why}. It is kept in the proxy's store and the account keeps working.`);
      return;
    }
    const order = compareTokens(look.entry.credential, next, ctx.history());
    if (isAdoptable(order)) {
      // Never overwrite a newer token with an older one.
      ctx.setNotice(`not written back: ${link.path} holds a newer token of this account`);
      return;
    }
    try {
      await writeEntryTokens(link.path, look.entry.index, look.entry.credential.refreshToken, next);
      ctx.setNotice(undefined);
      return;
    } catch (err) {
      if (!(err instanceof EntryMovedError)) {
        ctx.setNotice(`not written back to ${link.path}: ${(err as Error).message}; the new token is kept in the proxy's own store`);
        ctx.logger.error(`[accounts] ${label}: could not write the refreshed token to ${link.path}: ${(err as Error).message}. It is kept in the proxy's store.`);
        return;
      }
    }
  }
  ctx.setNotice(`not written back: ${link.path} kept changing while the proxy tried; the new token is kept in the proxy's own store`);
}
