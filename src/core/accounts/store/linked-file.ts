// The file half of an AccountSync (account-sync.ts): finding this account's entry in the linked
// credential file, by identity (entry-match.ts) and, for an entry holding a token nobody here
// knows, by the user Kiro reports for it; and after a refresh, writing the new token into that
// entry, found again right before the write (another program may have moved or rewritten it).
// Kept apart from the sync's adopt/refresh logic because a write-back has outcomes of its own:
// written, not written (with the notice that says why, the token living on in the store), or the
// link dropped (the file holds another account now).
import type { Clock, Logger } from '../../proxy-types.ts';
import type { KiroCredential } from '../credentials/credential.ts';
import { matchEntry, type FileEntry } from '../credentials/entry-match.ts';
import { readCredentialEntries, writeEntryTokens, EntryMovedError } from '../credentials/credential-file.ts';
import { compareTokens, isAdoptable } from '../tokens/token-order.ts';
import type { AccountLink } from './account-record.ts';

/** What the account's user id fingerprint is for a credential's access token; undefined when it cannot be told. */
export type UserProbe = (credential: KiroCredential, signal: AbortSignal) => Promise<string | undefined>;

/** What the linked file holds for an account. */
export type DiskLook =
  | { kind: 'entry'; entry: FileEntry; how: 'current' | 'earlier' | 'candidate' }
  | { kind: 'unconfirmed'; entry: FileEntry }
  | { kind: 'other-account'; entry: FileEntry }
  | { kind: 'none'; message: string }
  | { kind: 'unlinked' };

/** The parts of the AccountSync the file side reads and acts through (read when used: they change). */
export interface LinkedFileContext {
  link(): AccountLink | undefined;
  label(): string;
  logger: Logger;
  clock: Clock;
  /** Fingerprints of every refresh token the account held. */
  history(): Set<string>;
  /** Fingerprints of the refresh tokens of every other account of this proxy. */
  othersHistory(): ReadonlySet<string>;
  probeUser: UserProbe;
  /** The account's own user fingerprint (probed from `cur` when not known yet). */
  myUser(cur: KiroCredential, signal: AbortSignal): Promise<string | undefined>;
  dropLink(entry: FileEntry): Promise<void>;
  setNotice(notice: string | undefined): void;
}

/** Whether a credential's access token can still be shown to Kiro to ask whose it is. */
export function usableForProbe(c: KiroCredential, now: number): boolean {
  return c.accessToken !== undefined && (c.expiresAt ?? 0) - now > 30_000;
}

/** This account's entry in the linked file (matched for `prevRefreshToken` when given, else `cur`'s token). */
export async function lookOnDisk(ctx: LinkedFileContext, cur: KiroCredential, signal: AbortSignal, prevRefreshToken?: string): Promise<DiskLook> {
  const link = ctx.link();
  if (!link || link.dropped) return { kind: 'unlinked' };
  const read = await readCredentialEntries(link.path, link.type);
  if (!read.ok) return { kind: 'none', message: read.why === 'missing' ? `${link.path} no longer exists` : read.message };
  const m = matchEntry(read.entries, {
    refreshToken: prevRefreshToken ?? cur.refreshToken,
    history: ctx.history(),
    kind: cur.kind,
    clientId: cur.clientId,
    profileArn: cur.profileArn,
    provider: cur.provider,
    othersHistory: ctx.othersHistory(),
  });
  if (m.how === 'none')
    return {
      kind: 'none',
      message:
        m.why === 'ambiguous'
          ? `${link.path} has several entries that could be this account and none holds its token`
          : `${link.path} has no entry for this account any more`,
    };
  if (m.how !== 'candidate') return { kind: 'entry', entry: m.entry, how: m.how };
  const theirs = usableForProbe(m.entry.credential, ctx.clock.now()) ? await ctx.probeUser(m.entry.credential, signal).catch(() => undefined) : undefined;
  if (theirs === undefined) return { kind: 'unconfirmed', entry: m.entry };
  const mine = await ctx.myUser(cur, signal);
  if (mine === undefined) return { kind: 'unconfirmed', entry: m.entry };
  return theirs === mine ? { kind: 'entry', entry: m.entry, how: 'candidate' } : { kind: 'other-account', entry: m.entry };
}

/** Writes `next` into the account's entry of the linked file; never an older token over a newer one. */
export async function writeBackToLink(ctx: LinkedFileContext, next: KiroCredential, prevRefreshToken: string | undefined, signal: AbortSignal): Promise<void> {
  const link = ctx.link();
  const label = ctx.label();
  if (!link || link.dropped) return;
  for (let attempt = 0; attempt < 3; attempt++) {
    const look = await lookOnDisk(ctx, next, signal, prevRefreshToken);
    if (look.kind === 'unlinked') return;
    if (look.kind === 'other-account') {
      await ctx.dropLink(look.entry);
      return;
    }
    if (look.kind === 'none' || look.kind === 'unconfirmed') {
      const why = look.kind === 'none' ? look.message : `the entry in ${link.path} holds a token the proxy cannot tie to this account`;
      ctx.setNotice(`not written back: ${why}; the new token is kept in the proxy's own store`);
      ctx.logger.warn(
        `[accounts] ${label}: refreshed token not written to ${link.path}: ${why}. It is kept in the proxy's store and the account keeps working.`,
      );
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
        ctx.logger.error(
          `[accounts] ${label}: could not write the refreshed token to ${link.path}: ${(err as Error).message}. It is kept in the proxy's store.`,
        );
        return;
      }
    }
  }
  ctx.setNotice(`not written back: ${link.path} kept changing while the proxy tried; the new token is kept in the proxy's own store`);
}
