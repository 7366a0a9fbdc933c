// The first place a rotated token lands on disk (headless). Kiro kills the old refresh token the
// moment it answers, so every instant between its answer and the new token being on disk is a
// window in which a crash loses the account. The store update (lock, read, write, fsync, rename)
// and the file write-back take a dozen filesystem round trips, which on a loaded machine is
// hundreds of milliseconds; this journal entry is two (open, write): a 0600 file per refresh in
// `<home>/journal`, removed once the store has the token. A process crash (kill -9) leaves the
// page cache intact, so no fsync is waited for here; the store write that follows is fsynced.
// On start, entries of dead processes are folded into the store when newer, then removed.
import { mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger, SecretStore } from '../../proxy-types.ts';
import type { KiroCredential } from '../credentials/credential.ts';
import { readAccountRecord, writeAccountRecord } from '../store/account-record.ts';
import { compareTokens, isAdoptable } from './token-order.ts';
import { tokenFingerprint } from './token-fingerprint.ts';

export interface JournalTokens {
  accessToken?: string | undefined;
  refreshToken?: string | undefined;
  expiresAt?: number | undefined;
  profileArn?: string | undefined;
}

export class RefreshJournal {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  async prepare(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Records `tokens` of account `id`; resolves to a function that removes the entry. */
  async write(id: string, tokens: JournalTokens): Promise<() => Promise<void>> {
    const path = join(this.dir, `${id}.${process.pid}.${randomBytes(4).toString('hex')}.json`);
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify({ id, ...tokens }));
    } finally {
      await handle.close();
    }
    return () => unlink(path).catch(() => undefined);
  }

  /** Folds the entries of crashed processes into the store; returns the ids that got a newer token. */
  async recover(store: SecretStore, logger: Logger): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const recovered: string[] = [];
    for (const name of names) {
      const m = /^(.+)\.(\d+)\.[0-9a-f]{8}\.json$/.exec(name);
      if (!m) continue;
      const [, id, pid] = m as unknown as [string, string, string];
      if (alive(Number(pid))) continue;
      const path = join(this.dir, name);
      try {
        const entry = JSON.parse(await readFile(path, 'utf8')) as JournalTokens & { id?: string };
        const rec = await readAccountRecord(store, id);
        if (rec && entry.refreshToken) {
          const theirs = rec.credential.refreshToken ? tokenFingerprint(rec.credential.refreshToken) : undefined;
          const older = new Set(rec.history.filter((h) => h !== theirs));
          if (isAdoptable(compareTokens(entry, rec.credential, older))) {
            const credential: KiroCredential = { ...rec.credential, ...definedTokens(entry) };
            await writeAccountRecord(store, id, { ...rec, credential });
            recovered.push(id);
            logger.warn(`[accounts] recovered the newer token of account ${id} from ${path}, written just before a crash`);
          }
        }
      } catch {
        // a torn entry: the crash came before the token was in it
      }
      await unlink(path).catch(() => undefined);
    }
    return recovered;
  }
}

function definedTokens(t: JournalTokens): Partial<KiroCredential> {
  const out: Partial<KiroCredential> = {};
  if (t.accessToken) out.accessToken = t.accessToken;
  if (t.refreshToken) out.refreshToken = t.refreshToken;
  if (typeof t.expiresAt === 'number') out.expiresAt = t.expiresAt;
  if (t.profileArn) out.profileArn = t.profileArn;
  return out;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
