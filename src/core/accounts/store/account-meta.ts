// KIRO_PROXY_HOME/config.json, the account metadata the AccountManager keeps next to the secret
// store: labels, enabled flags, which accounts are the proxy's own (imports, scans, logins) and
// which creds file an account is read from, plus the behaviour settings. It never holds a token,
// so a caller may read it without touching the secret store (countStoredAccounts).
import { join } from 'node:path';
import { mkdir, unlink } from 'node:fs/promises';
import type { Logger } from '../../proxy-types.ts';
import { readJsonFile } from '../../fs/read-json-file.ts';
import { writeFileAtomic, listLeftoverTmps } from '../../fs/atomic-write.ts';

export interface StoredMeta {
  settings?: Record<string, unknown>;
  accounts: Record<string, StoredAccountMeta>;
}

export interface StoredAccountMeta {
  label?: string;
  enabled?: boolean;
  /** The proxy's own account (import, scan, login): loaded from the store on every start. */
  imported?: { sourceLabel: string };
  /** A creds-file account: the file it is read from (its id is found by token, not position). */
  file?: string;
}

const metaPath = (home: string) => join(home, 'config.json');

/** How many accounts earlier imports/logins left in KIRO_PROXY_HOME (no secret is read). */
export async function countStoredAccounts(home: string): Promise<number> {
  try {
    const doc = (await readJsonFile(metaPath(home))) as Partial<StoredMeta>;
    return Object.values(doc.accounts ?? {}).filter((a) => a && typeof a === 'object' && a.imported).length;
  } catch {
    return 0;
  }
}

/** Reads config.json (after removing the temp files of an interrupted write); empty when missing or unreadable. */
export async function readStoredMeta(home: string, logger: Logger): Promise<StoredMeta> {
  const path = metaPath(home);
  for (const t of await listLeftoverTmps(path)) await unlink(t.path).catch(() => undefined);
  try {
    const doc = (await readJsonFile(path)) as Partial<StoredMeta> & Record<string, unknown>;
    return { ...doc, accounts: doc.accounts && typeof doc.accounts === 'object' ? doc.accounts : {} };
  } catch (err) {
    if ((err as { code?: string }).code !== 'not_found') logger.warn(`config.json unreadable, starting without stored metadata: ${(err as Error).message}`);
    return { accounts: {} };
  }
}

export async function writeStoredMeta(home: string, meta: StoredMeta): Promise<void> {
  // A fresh --home (or the editor's global storage) may not exist yet; keep it private.
  await mkdir(home, { recursive: true, mode: 0o700 });
  await writeFileAtomic(metaPath(home), JSON.stringify(meta, null, 2) + '\n', { private: true });
}
