// Leftovers of a crash in the middle of a credential write: `.<name>.<pid>.<hex>.tmp` files next
// to the credential file (fs/atomic-write.ts). One that parses and holds a newer token of an
// entry of the file is the write that did not get renamed: its token is put where it belongs.
// Every other leftover (half written, older, another account's) is deleted: they hold tokens and
// must not pile up. A tmp of a process that is still alive is left alone (it may be mid-write).
import { unlink } from 'node:fs/promises';
import type { Logger } from '../../proxy-types.ts';
import { listLeftoverTmps } from '../../fs/atomic-write.ts';
import { withFileLock } from '../../fs/file-lock.ts';
import { readCredentialEntries, writeEntryTokens, type CredentialFileType } from './credential-file.ts';
import { sameSignature, type FileEntry } from './entry-match.ts';

export interface Recovered {
  index: number | null;
  /** The entry's refresh token before, and the recovered one. */
  from: string | undefined;
  to: string;
}

/**
 * The entries of `tmp` that are a newer token of the same entry of `file`. The tmp was made
 * from the file with one entry updated, so an entry counts when its position and signature
 * agree, its token differs and expires later, and every other entry is unchanged.
 */
export function recoverableEntries(file: readonly FileEntry[], tmp: readonly FileEntry[]): { fileEntry: FileEntry; tmpEntry: FileEntry }[] {
  if (file.length !== tmp.length) return [];
  const changed = tmp.filter((t, i) => t.credential.refreshToken !== file[i]!.credential.refreshToken);
  if (changed.length !== 1) return [];
  const t = changed[0]!;
  const f = file.find((e) => e.index === t.index);
  if (!f) return [];
  const c = f.credential;
  if (!sameSignature(t.credential, { kind: c.kind, clientId: c.clientId, profileArn: c.profileArn, provider: c.provider })) return [];
  if ((t.credential.expiresAt ?? 0) <= (c.expiresAt ?? 0)) return [];
  return [{ fileEntry: f, tmpEntry: t }];
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

/** Recovers or removes the leftover temp files of one credential file; returns what was recovered. */
export async function recoverLeftoverTmps(path: string, type: CredentialFileType, logger: Logger): Promise<Recovered[]> {
  const leftovers = (await listLeftoverTmps(path)).filter((t) => !alive(t.pid));
  if (leftovers.length === 0) return [];
  return withFileLock(path, async () => {
    const out: Recovered[] = [];
    for (const t of leftovers) {
      const file = await readCredentialEntries(path, type);
      const tmp = await readCredentialEntries(t.path, type);
      if (file.ok && tmp.ok) {
        for (const { fileEntry, tmpEntry } of recoverableEntries(file.entries, tmp.entries)) {
          try {
            await writeEntryTokens(path, fileEntry.index, fileEntry.credential.refreshToken, tmpEntry.credential);
            out.push({ index: fileEntry.index, from: fileEntry.credential.refreshToken, to: tmpEntry.credential.refreshToken! });
            const where = fileEntry.index === null ? path : `${path}[${fileEntry.index}]`;
            logger.warn(`[accounts] recovered the newer token of ${where} from ${t.path}, left by a write that a crash interrupted`);
          } catch (err) {
            logger.warn(`[accounts] could not recover ${t.path}: ${(err as Error).message}`);
          }
        }
      }
      await unlink(t.path).catch(() => undefined);
    }
    return out;
  });
}
