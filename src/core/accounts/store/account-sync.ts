// Keeps one account's tokens consistent with everyone else who holds them: the proxy's own store
// (shared by a second proxy on the same KIRO_PROXY_HOME, or another VS Code window), and the
// credential file the account came from (shared with the Kiro IDE, which rotates the same refresh
// token and takes no lock). Every refresh:
//   1. takes the account's lock (<home>/locks/<id>) and, while linked, the file's lock;
//   2. re-reads the store and the file: a newer token of the same account there is adopted and no
//      refresh is made (somebody else just paid for it, and our token is already dead);
//   3. refreshes; on a rejected refresh token re-reads once and retries with the token found
//      there before calling the account expired;
//   4. saves the result (headless: first a journal entry, refresh-journal.ts) to the store and,
//      at the same time, into the file's entry of this account (found by identity,
//      entry-match.ts, re-reading right before the write, linked-file.ts): either copy
//      survives a crash of the other write, and the newer one wins on the next start.
// When the file holds another account now (the IDE logged in someone else), the link is dropped
// for good: the account lives on from the store and the file is never written for it again.
import { join } from 'node:path';
import type { Clock, Logger, SecretStore } from '../../proxy-types.ts';
import type { KiroCredential } from '../credentials/credential.ts';
import { withFileLock } from '../../fs/file-lock.ts';
import { RefreshError } from '../tokens/refresh-error.ts';
import { sleep } from '../pool/backoff.ts';
import { applyRefresh, refreshResultOf, tokensOf, type RefreshResult } from '../tokens/token-refresh.ts';
import { compareTokens, isAdoptable } from '../tokens/token-order.ts';
import { tokenFingerprint, remember } from '../tokens/token-fingerprint.ts';
import type { FileEntry } from '../credentials/entry-match.ts';
import { readCredentialEntries, writeEntryTokens } from '../credentials/credential-file.ts';
import { readAccountRecord, writeAccountRecord, type AccountLink, type AccountRecord } from './account-record.ts';
import type { RefreshJournal } from '../tokens/refresh-journal.ts';
import { lookOnDisk, usableForProbe, writeBackToLink, type LinkedFileContext, type UserProbe } from './linked-file.ts';

export interface AccountSyncOptions {
  id: string;
  label: () => string;
  credential: KiroCredential;
  record: AccountRecord | undefined;
  link: AccountLink | undefined;
  store: SecretStore;
  /** `<home>/locks`, existing. */
  lockDir: string;
  refresh: (credential: KiroCredential, signal: AbortSignal) => Promise<RefreshResult>;
  probeUser: UserProbe;
  /** Fingerprints of the refresh tokens of every other account of this proxy. */
  othersHistory: () => ReadonlySet<string>;
  clock: Clock;
  logger: Logger;
  /** A newer token was found outside a refresh (watcher): the token manager takes it. */
  onAdopt: (credential: KiroCredential) => void;
  /** The notice changed (hosts re-render). */
  onNotice?: () => void;
  /** Aborted when the proxy stops: no lock is waited for or taken after that. */
  lifetime?: AbortSignal;
  /** Headless: the first, fastest place a rotated token lands (refresh-journal.ts). */
  journal?: RefreshJournal;
}

/** A token with less than this left is refreshed rather than adopted. */
const ADOPT_MIN_VALIDITY_MS = 2 * 60_000;
/**
 * After a rejected refresh token, how long to keep re-reading for the token of whoever rotated it:
 * a program that takes no lock (the Kiro IDE) writes its answer a moment after it got it.
 */
const REREAD_WINDOW_MS = 2_000;
const REREAD_EVERY_MS = 100;

/** Refresh failures that mean "this refresh token is dead" (rotated elsewhere, revoked). */
function isRejection(err: unknown): err is RefreshError {
  return err instanceof RefreshError && (err.code === 'invalid_grant' || err.code === 'unauthorized' || err.code === 'bad_credentials');
}

export class AccountSync {
  readonly id: string;
  #o: AccountSyncOptions;
  #current: KiroCredential;
  #history: string[];
  #link: AccountLink | undefined;
  #user: string | undefined;
  #notice: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #file: LinkedFileContext;

  constructor(o: AccountSyncOptions) {
    this.id = o.id;
    this.#o = o;
    this.#file = {
      link: () => this.#link,
      label: o.label,
      logger: o.logger,
      clock: o.clock,
      history: () => this.#historySet(),
      othersHistory: () => o.othersHistory(),
      probeUser: (c, signal) => o.probeUser(c, signal),
      myUser: (cur, signal) => this.#myUser(cur, signal),
      dropLink: (entry) => this.#dropLink(entry),
      setNotice: (notice) => this.#setNotice(notice),
    };
    this.#history = [...(o.record?.history ?? [])];
    this.#user = o.record?.user;
    // The store's view of the link wins: it knows when the link was dropped.
    this.#link = o.record?.link && o.link && o.record.link.path === o.link.path ? o.record.link : (o.link ?? o.record?.link);
    let cred = o.credential;
    const stored = o.record?.credential.refreshToken ? tokenFingerprint(o.record.credential.refreshToken) : undefined;
    if (o.record && isAdoptable(compareTokens(o.record.credential, cred, new Set(this.#history.filter((h) => h !== stored))))) {
      o.logger.info(
        `[accounts] ${o.label()}: the proxy's store holds a newer token than ${this.#link?.path ?? 'the source'}; using it (the file is brought up to date on the next refresh)`,
      );
      cred = { ...cred, ...tokensOf(o.record.credential) };
    }
    this.#current = cred;
    if (cred.refreshToken) this.#history = remember(this.#history, tokenFingerprint(cred.refreshToken));
  }

  get credential(): KiroCredential {
    return { ...this.#current };
  }

  get link(): AccountLink | undefined {
    return this.#link ? { ...this.#link } : undefined;
  }

  /** Why the file is not (or no longer) written for this account; undefined when all is well. */
  get notice(): string | undefined {
    return this.#notice;
  }

  /** Every refresh token fingerprint this account held. */
  history(): ReadonlySet<string> {
    return this.#historySet();
  }

  get userFingerprint(): string | undefined {
    return this.#user;
  }

  /**
   * Saves the record as it is now (new accounts, imports), in turn with refreshes and unless the
   * store meanwhile got a newer token (another proxy on the same home), which is adopted instead.
   */
  save(): Promise<void> {
    return this.#exclusive(async () => {
      const rec = await readAccountRecord(this.#o.store, this.id).catch(() => undefined);
      if (rec && isAdoptable(compareTokens(rec.credential, this.#current, this.#historySet()))) {
        this.#history = [...new Set([...rec.history, ...this.#history])];
        this.#current = { ...this.#current, ...tokensOf(rec.credential) };
        this.#o.onAdopt(this.credential);
        return;
      }
      if (rec) this.#history = [...new Set([...rec.history, ...this.#history])];
      await this.#saveRecord(this.#current);
    });
  }

  /**
   * Team mode: tokens another instance rotated (shared through Redis) become this account's own
   * and go to the proxy's store, never to the credential file (the instance that refreshed writes
   * that one). Ignored unless newer than what this account holds.
   */
  adoptShared(tokens: Partial<KiroCredential>): Promise<void> {
    return this.#exclusive(async () => {
      const next = { ...this.#current, ...tokens };
      if (!isAdoptable(compareTokens(next, this.#current, this.#historySet()))) return;
      this.#current = next;
      await this.#saveRecord(next);
    });
  }

  /** The TokenManager's refresh function. */
  refresh(before: KiroCredential, signal: AbortSignal): Promise<RefreshResult> {
    return this.#exclusive(() => this.#refreshLocked(before, signal), signal);
  }

  /** Re-reads store and file outside a refresh (a watcher saw a change); adopts a newer token. */
  checkDisk(signal: AbortSignal): Promise<void> {
    return this.#exclusive(async () => {
      const cur = this.#current;
      const found = await this.#newerElsewhere(cur, signal);
      if (!found) return;
      this.#current = { ...cur, ...tokensOf(found.credential) };
      await this.#saveRecord(this.#current);
      this.#o.logger.info(`[accounts] ${this.#o.label()}: adopted the newer token another program wrote to ${found.where}`);
      this.#o.onAdopt(this.credential);
    }, signal);
  }

  #historySet(): Set<string> {
    return new Set(this.#history);
  }

  #exclusive<T>(fn: () => Promise<T>, given?: AbortSignal): Promise<T> {
    const signal = given ?? this.#o.lifetime;
    const run = () =>
      withFileLock(
        join(this.#o.lockDir, this.id),
        () => {
          const link = this.#link;
          return link && !link.dropped ? withFileLock(link.path, fn, {}, signal) : fn();
        },
        {},
        signal,
      );
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #refreshLocked(before: KiroCredential, signal: AbortSignal): Promise<RefreshResult> {
    let cur = this.#current;
    if (isAdoptable(compareTokens(before, cur, this.#historySet()))) cur = before;
    const label = this.#o.label();

    const elsewhere = await this.#newerElsewhere(cur, signal);
    if (elsewhere) {
      cur = { ...cur, ...tokensOf(elsewhere.credential) };
      if (this.#usable(cur)) {
        this.#o.logger.info(
          `[accounts] ${label}: ${elsewhere.where} already held a newer token (another program refreshed this account); adopted it without a refresh`,
        );
        await this.#saveRecord(cur);
        this.#current = cur;
        return refreshResultOf(cur);
      }
    }

    let result: RefreshResult;
    let foreign = false;
    try {
      result = await this.#o.refresh(cur, signal);
    } catch (err) {
      if (!isRejection(err) || signal.aborted) throw err;
      const retry = await this.#anotherToken(cur, signal);
      if (!retry) {
        throw new RefreshError(`${err.message}. Re-read ${this.#reReadAdvice()}: no newer token of this account there. Log in again`, {
          code: err.code,
          permanent: true,
          ...(err.status !== undefined ? { status: err.status } : {}),
        });
      }
      this.#o.logger.warn(
        `[accounts] ${label}: the refresh token was rotated by another program; re-read ${retry.where} and continuing with the token found there`,
      );
      cur = { ...cur, ...tokensOf(retry.credential) };
      if (this.#usable(cur) && retry.confirmed) {
        await this.#saveRecord(cur);
        this.#current = cur;
        return refreshResultOf(cur);
      }
      try {
        result = await this.#o.refresh(cur, signal);
      } catch (err2) {
        if (!isRejection(err2)) throw err2;
        throw new RefreshError(`${err2.message}. The token re-read from ${retry.where} was rejected too: log in again`, { code: err2.code, permanent: true });
      }
      foreign = !retry.confirmed;
    }

    const next = applyRefresh(cur, result);
    if (foreign && !(await this.#sameUser(next, signal))) {
      // We refreshed the file's token to find out whose it is, and it is someone else's: its
      // rotated token goes back into the file so that account keeps working; ours is dead.
      await this.#writeForeign(cur.refreshToken, next);
      throw new RefreshError(`the refresh token of ${label} was rejected, and ${this.#link?.path ?? 'its file'} now holds another account: log in again`, {
        code: 'invalid_grant',
        permanent: true,
      });
    }
    // Store and file at once: Kiro has already killed the old token, so the new one must reach
    // disk as soon as possible, and either copy is enough (whichever is newer wins on the next
    // start, and a half-done write is recovered from its temp file).
    this.#current = next;
    const journaled = this.#o.journal?.write(this.id, tokensOf(next)).catch((err: unknown) => {
      this.#o.logger.warn(`[accounts] ${label}: could not journal the refreshed token: ${(err as Error).message}`);
      return undefined;
    });
    const [unjournal] = await Promise.all([journaled, this.#saveRecord(next), writeBackToLink(this.#file, next, cur.refreshToken, signal)]);
    await unjournal?.();
    return result;
  }

  #usable(c: KiroCredential): boolean {
    return c.accessToken !== undefined && c.expiresAt !== undefined && c.expiresAt - this.#o.clock.now() > ADOPT_MIN_VALIDITY_MS;
  }

  #reReadAdvice(): string {
    const link = this.#link;
    if (link && !link.dropped) return `the proxy's store and ${link.path}`;
    return "the proxy's store";
  }

  /** A newer token of this account in the store or the linked file, if any. */
  async #newerElsewhere(cur: KiroCredential, signal: AbortSignal): Promise<{ credential: KiroCredential; where: string } | undefined> {
    const hist = this.#historySet();
    const rec = await readAccountRecord(this.#o.store, this.id).catch(() => undefined);
    let best: { credential: KiroCredential; where: string } | undefined;
    if (rec) {
      // The record's earlier tokens are older than anything current; its current one is not.
      const theirs = rec.credential.refreshToken ? tokenFingerprint(rec.credential.refreshToken) : undefined;
      for (const h of rec.history) if (h !== theirs) hist.add(h);
      this.#history = [...new Set([...rec.history, ...this.#history])];
      if (rec.link?.dropped && this.#link && !this.#link.dropped && rec.link.path === this.#link.path) this.#link = rec.link;
      this.#user ??= rec.user;
      if (isAdoptable(compareTokens(rec.credential, cur, hist)))
        best = { credential: rec.credential, where: "the proxy's store (another Kiro Proxy on this home refreshed it)" };
    }
    const look = await lookOnDisk(this.#file, best?.credential ?? cur, signal);
    if (look.kind === 'other-account') await this.#dropLink(look.entry);
    if (look.kind === 'entry' && isAdoptable(compareTokens(look.entry.credential, best?.credential ?? cur, hist))) {
      best = { credential: look.entry.credential, where: this.#link!.path };
    }
    return best;
  }

  /** After a rejected refresh: any other token of this account on disk, confirmed or not. */
  async #anotherToken(cur: KiroCredential, signal: AbortSignal): Promise<{ credential: KiroCredential; where: string; confirmed: boolean } | undefined> {
    const until = this.#o.clock.now() + REREAD_WINDOW_MS;
    for (;;) {
      const found = await this.#anotherTokenOnce(cur, signal);
      if (found || this.#o.clock.now() >= until) return found;
      await sleep(REREAD_EVERY_MS, this.#o.clock, signal);
    }
  }

  async #anotherTokenOnce(cur: KiroCredential, signal: AbortSignal): Promise<{ credential: KiroCredential; where: string; confirmed: boolean } | undefined> {
    const newer = await this.#newerElsewhere(cur, signal);
    if (newer) return { ...newer, confirmed: true };
    const look = await lookOnDisk(this.#file, cur, signal);
    // An entry nobody here knows, whose owner cannot be told (its access token expired): most
    // likely this account refreshed by the program that owns the file. Worth one try.
    if (look.kind === 'unconfirmed' && look.entry.credential.refreshToken && look.entry.credential.refreshToken !== cur.refreshToken) {
      return { credential: look.entry.credential, where: this.#link!.path, confirmed: false };
    }
    return undefined;
  }

  async #myUser(cur: KiroCredential, signal: AbortSignal): Promise<string | undefined> {
    if (this.#user) return this.#user;
    if (!usableForProbe(cur, this.#o.clock.now())) return undefined;
    const u = await this.#o.probeUser(cur, signal).catch(() => undefined);
    if (u) this.#user = u;
    return u;
  }

  async #sameUser(next: KiroCredential, signal: AbortSignal): Promise<boolean> {
    if (!this.#user) return true; // nothing to compare with: the file was linked to this account
    const u = await this.#o.probeUser(next, signal).catch(() => undefined);
    return u === undefined || u === this.#user;
  }

  /** The rotated token of the account that now owns the file goes back into its entry. */
  async #writeForeign(prevRefreshToken: string | undefined, next: KiroCredential): Promise<void> {
    const link = this.#link;
    if (!link) return;
    const read = await readCredentialEntries(link.path, link.type);
    if (!read.ok) return;
    const entry = read.entries.find((e) => e.credential.refreshToken === prevRefreshToken);
    if (entry) await writeEntryTokens(link.path, entry.index, prevRefreshToken, next).catch(() => undefined);
    await this.#dropLink(entry ?? read.entries[0]!);
  }

  async #dropLink(_entry: FileEntry): Promise<void> {
    const link = this.#link;
    if (!link || link.dropped) return;
    const reason = `${link.path} now holds another Kiro account (a new login in the Kiro IDE?)`;
    this.#link = { ...link, dropped: reason };
    this.#setNotice(`${reason}: this account lives on in the proxy's own store, and the proxy no longer writes that file for it`);
    this.#o.logger.warn(`[accounts] ${this.#o.label()}: ${reason}. The account keeps working from the proxy's store; the file is never written for it again.`);
    await this.#saveRecord(this.#current);
  }

  #setNotice(notice: string | undefined): void {
    if (notice === this.#notice) return;
    this.#notice = notice;
    this.#o.onNotice?.();
  }

  async #saveRecord(cred: KiroCredential): Promise<void> {
    if (cred.refreshToken) this.#history = remember(this.#history, tokenFingerprint(cred.refreshToken));
    await writeAccountRecord(this.#o.store, this.id, {
      credential: cred,
      history: this.#history,
      ...(this.#link ? { link: this.#link } : {}),
      ...(this.#user ? { user: this.#user } : {}),
    });
  }
}
