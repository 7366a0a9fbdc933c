// Writes a refreshed credential back to the file it was loaded from, keeping that file's shape
// (every other field, camelCase vs snake_case, array position) and its mode. Rotated refresh
// tokens must land on disk, or the next start uses a dead one.
import { readJsonFile } from '../fs/read-json-file.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import type { CredentialOrigin, KiroCredential } from './credential.ts';
import { toIsoString } from './expires-at.ts';

/**
 * Owns the read-modify-write of credential files. Writes to one path are queued, so two
 * accounts in the same creds file refreshing at once cannot undo each other's update.
 */
export class OriginPersister {
  #queues = new Map<string, Promise<unknown>>();

  /**
   * true when written; false when the origin cannot be written (base64, env, store, mock) and
   * the caller must keep the credential in its own store. Throws when the file is gone or no
   * longer has the entry (message names the file, never a token).
   */
  persist(origin: CredentialOrigin, credential: KiroCredential): Promise<boolean> {
    if (origin.type !== 'sso-cache' && origin.type !== 'creds-file') return Promise.resolve(false);
    const path = origin.path;
    const prev = this.#queues.get(path) ?? Promise.resolve();
    const next = prev.then(
      () => writeBack(origin, credential),
      () => writeBack(origin, credential),
    );
    this.#queues.set(path, next);
    const cleanup = () => {
      if (this.#queues.get(path) === next) this.#queues.delete(path);
    };
    next.then(cleanup, cleanup);
    return next.then(() => true);
  }
}

async function writeBack(origin: Extract<CredentialOrigin, { type: 'sso-cache' | 'creds-file' }>, cred: KiroCredential): Promise<void> {
  const doc = await readJsonFile(origin.path);
  const index = origin.type === 'creds-file' ? origin.index : null;
  let entry: unknown;
  if (index === null) entry = doc;
  else if (Array.isArray(doc)) entry = doc[index];
  else throw new Error(`${origin.path}: expected an array with an entry [${index}], found ${describe(doc)}`);
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new Error(`${origin.path}: ${index === null ? 'the file' : `[${index}]`} is no longer a credential object`);
  }
  const obj = entry as Record<string, unknown>;
  if (isOAuthForm(obj)) updateSnake(obj, cred);
  else updateCamel(obj, cred);
  // Two-space indent like Kiro IDE and most tools; the file mode is preserved by writeFileAtomic.
  await writeFileAtomic(origin.path, `${JSON.stringify(doc, null, 2)}\n`);
}

function isOAuthForm(obj: Record<string, unknown>): boolean {
  return 'token_url' in obj || 'refresh_token' in obj || 'client_id' in obj;
}

function updateCamel(obj: Record<string, unknown>, cred: KiroCredential): void {
  if (cred.accessToken !== undefined) obj.accessToken = cred.accessToken;
  if (cred.refreshToken !== undefined) obj.refreshToken = cred.refreshToken;
  if (cred.expiresAt !== undefined) obj.expiresAt = toIsoString(cred.expiresAt);
  if (cred.profileArn !== undefined) obj.profileArn = cred.profileArn;
}

/** The OAuth form stays snake_case; access_token/expires_at are read back by our parser. */
function updateSnake(obj: Record<string, unknown>, cred: KiroCredential): void {
  if (cred.refreshToken !== undefined) obj.refresh_token = cred.refreshToken;
  if (cred.accessToken !== undefined) obj.access_token = cred.accessToken;
  if (cred.expiresAt !== undefined) obj.expires_at = toIsoString(cred.expiresAt);
}

function describe(doc: unknown): string {
  if (Array.isArray(doc)) return 'an array';
  return doc === null ? 'null' : `a JSON ${typeof doc}`;
}
