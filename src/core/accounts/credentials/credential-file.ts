// Reading a credential file's entries and writing one entry's rotated tokens back, keeping the
// file's shape (every other field and entry, camelCase vs snake_case) and never widening its
// mode beyond 0600. The caller decides WHICH entry (entry-match.ts); this module re-reads the
// file right before writing and refuses when that entry no longer holds the token it matched
// on, because the Kiro IDE rewrites these files without taking any lock.
import { readJsonFile, JsonFileError } from '../../fs/read-json-file.ts';
import { writeFileAtomic } from '../../fs/atomic-write.ts';
import type { KiroCredential } from './credential.ts';
import type { FileEntry } from './entry-match.ts';
import { loadCredsFile, loadSsoTokenFile } from './credential-sources.ts';
import { toIsoString } from './expires-at.ts';

export type CredentialFileType = 'sso-cache' | 'creds-file';

export type FileRead = { ok: true; entries: FileEntry[] } | { ok: false; why: 'missing' | 'unreadable'; message: string };

/** The file's entries as credentials (an SSO token file gets its client registration merged). */
export async function readCredentialEntries(path: string, type: CredentialFileType): Promise<FileRead> {
  // A program that rewrites the file in place (no temp + rename) can be caught half way.
  for (let attempt = 0; ; attempt++) {
    const r = await readOnce(path, type);
    if (r.ok || r.why !== 'unreadable' || attempt >= 3) return r;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function readOnce(path: string, type: CredentialFileType): Promise<FileRead> {
  const res = type === 'sso-cache' ? await loadSsoTokenFile(path) : await loadCredsFile(path);
  const entries = res.credentials.map((c) => ({ index: c.origin.type === 'creds-file' ? c.origin.index : null, credential: c.credential }));
  if (entries.length === 0) {
    const missing = res.problems.some((p) => /file not found/.test(p.message));
    return { ok: false, why: missing ? 'missing' : 'unreadable', message: res.problems[0]?.message ?? `${path}: no credential in it` };
  }
  return { ok: true, entries };
}

export class EntryMovedError extends Error {
  constructor(path: string) {
    super(`${path} changed while it was being updated (the entry no longer holds the token it was matched on)`);
    this.name = 'EntryMovedError';
  }
}

/**
 * Writes `cred`'s tokens into entry `index` (null: the whole file is one object), provided that
 * entry still holds `expectRefreshToken`. Throws EntryMovedError otherwise (re-match and retry).
 */
export async function writeEntryTokens(path: string, index: number | null, expectRefreshToken: string | undefined, cred: KiroCredential): Promise<void> {
  let doc: unknown;
  try {
    doc = await readJsonFile(path);
  } catch (err) {
    if (err instanceof JsonFileError) throw new EntryMovedError(path);
    throw err;
  }
  const entry: unknown = index === null ? doc : Array.isArray(doc) ? (doc as unknown[])[index] : undefined;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new EntryMovedError(path);
  const obj = entry as Record<string, unknown>;
  const snake = isOAuthForm(obj);
  const held = snake ? obj['refresh_token'] : obj['refreshToken'];
  if ((typeof held === 'string' ? held.trim() : undefined) !== expectRefreshToken) throw new EntryMovedError(path);
  if (snake) updateSnake(obj, cred);
  else updateCamel(obj, cred);
  // Two-space indent like the Kiro IDE and most tools.
  await writeFileAtomic(path, `${JSON.stringify(doc, null, 2)}\n`, { private: true });
}

function isOAuthForm(obj: Record<string, unknown>): boolean {
  return 'token_url' in obj || 'refresh_token' in obj || 'client_id' in obj;
}

function updateCamel(obj: Record<string, unknown>, cred: KiroCredential): void {
  if (cred.accessToken !== undefined) obj['accessToken'] = cred.accessToken;
  if (cred.refreshToken !== undefined) obj['refreshToken'] = cred.refreshToken;
  if (cred.expiresAt !== undefined) obj['expiresAt'] = toIsoString(cred.expiresAt);
  if (cred.profileArn !== undefined) obj['profileArn'] = cred.profileArn;
}

/** The OAuth form stays snake_case; access_token/expires_at are read back by our parser. */
function updateSnake(obj: Record<string, unknown>, cred: KiroCredential): void {
  if (cred.refreshToken !== undefined) obj['refresh_token'] = cred.refreshToken;
  if (cred.accessToken !== undefined) obj['access_token'] = cred.accessToken;
  if (cred.expiresAt !== undefined) obj['expires_at'] = toIsoString(cred.expiresAt);
}
