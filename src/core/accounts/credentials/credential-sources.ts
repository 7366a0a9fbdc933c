// Loads credentials from where users keep them: the Kiro IDE SSO cache, a creds file, base64
// text, the environment. Nothing here throws on bad input; it all ends up in `problems`.
import { readdir } from 'node:fs/promises';
import { join, basename, dirname } from 'node:path';
import { readJsonFile, parseJsonText, JsonFileError } from '../../fs/read-json-file.ts';
import { credentialId, credentialLabel, type CredentialOrigin, type KiroCredential, type LoadedCredential } from './credential.ts';
import { parseCredentialDocument, parseCredentialEntry, credentialWarnings, type ParsedEntry } from './credential-parse.ts';
import { problem, type CredentialProblem } from './credential-problem.ts';
import { parseExpiresAt } from './expires-at.ts';

export interface LoadResult {
  credentials: LoadedCredential[];
  problems: CredentialProblem[];
}

export const SSO_TOKEN_FILE = 'kiro-auth-token.json';

function loaded(origin: CredentialOrigin, credential: KiroCredential): LoadedCredential {
  return { id: credentialId(origin, credential), label: credentialLabel(origin, credential), credential, origin };
}

function fromDocument(doc: unknown, source: string, originFor: (index: number | null) => CredentialOrigin): LoadResult {
  const { entries, problems } = parseCredentialDocument(doc, source);
  return { credentials: entries.map((e) => loaded(originFor(e.index), e.credential)), problems };
}

function jsonProblem(err: unknown, source: string): CredentialProblem {
  if (err instanceof JsonFileError)
    return problem(source, undefined, err.message.startsWith(`${source}: `) ? err.message.slice(source.length + 2) : err.message);
  return problem(source, undefined, 'cannot be read');
}

/** A creds file (design §3): one credential or an array, token-file or OAuth form. */
export async function loadCredsFile(path: string): Promise<LoadResult> {
  let doc: unknown;
  try {
    doc = await readJsonFile(path);
  } catch (err) {
    return { credentials: [], problems: [jsonProblem(err, path)] };
  }
  return fromDocument(doc, path, (index) => ({ type: 'creds-file', path, index }));
}

/** The same JSON, base64-encoded (`--creds-base64`, or `$KIRO_OAUTH_CREDS_BASE64` when envName is given). */
export function loadCredsBase64(text: string, envName?: string): LoadResult {
  const source = envName ? `$${envName}` : 'base64';
  const compact = text.replace(/\s+/g, '');
  if (compact === '' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) {
    const hint = /^[[{]/.test(compact) ? ' (it looks like plain JSON: base64-encode it, or use a creds file)' : '';
    return { credentials: [], problems: [problem(source, undefined, `is not valid base64${hint}`)] };
  }
  let doc: unknown;
  try {
    doc = parseJsonText(Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64').toString('utf8'), source);
  } catch (err) {
    return { credentials: [], problems: [jsonProblem(err, source)] };
  }
  return fromDocument(doc, source, (index) => (envName ? { type: 'env', name: envName, index } : { type: 'base64', index }));
}

/** JSON text handed over by a user (an import); the caller decides the origin (usually its store). */
export function loadCredsJsonText(text: string, source: string, originFor: (index: number | null) => CredentialOrigin): LoadResult {
  let doc: unknown;
  try {
    doc = parseJsonText(text, source);
  } catch (err) {
    return { credentials: [], problems: [jsonProblem(err, source)] };
  }
  return fromDocument(doc, source, originFor);
}

const ENV_CREDS_FILE = 'KIRO_OAUTH_CREDS_FILE';
const ENV_CREDS_BASE64 = 'KIRO_OAUTH_CREDS_BASE64';

/** `$KIRO_OAUTH_CREDS_FILE` and `$KIRO_OAUTH_CREDS_BASE64`, both if both are set. */
export async function loadFromEnv(env: Record<string, string | undefined>): Promise<LoadResult> {
  const out: LoadResult = { credentials: [], problems: [] };
  const file = env[ENV_CREDS_FILE]?.trim();
  if (file) merge(out, await loadCredsFile(file));
  const b64 = env[ENV_CREDS_BASE64]?.trim();
  if (b64) merge(out, loadCredsBase64(b64, ENV_CREDS_BASE64));
  return out;
}

function merge(into: LoadResult, more: LoadResult): void {
  into.credentials.push(...more.credentials);
  into.problems.push(...more.problems);
}

/**
 * Every Kiro token file in the SSO cache dir (kiro-auth-token.json first). A token file has a
 * refreshToken plus authMethod or provider — that tells it apart from AWS CLI SSO caches in the
 * same dir. OIDC client registrations (`<clientIdHash>.json`) are not accounts; they are merged
 * into the token that names them. A missing dir is not a problem: most users have none.
 */
export async function loadSsoCache(dir: string): Promise<LoadResult> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.toLowerCase().endsWith('.json'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { credentials: [], problems: [] };
    return { credentials: [], problems: [problem(dir, undefined, `cannot list directory (${code ?? 'error'})`)] };
  }
  names.sort((a, b) => (a === SSO_TOKEN_FILE ? -1 : b === SSO_TOKEN_FILE ? 1 : a.localeCompare(b)));
  const out: LoadResult = { credentials: [], problems: [] };
  for (const name of names) {
    // Registration files are 40-hex SHA-1 names; they never hold tokens.
    if (/^[0-9a-f]{40}\.json$/i.test(name)) continue;
    merge(out, await loadSsoTokenFile(join(dir, name), { quietIfNotKiro: name !== SSO_TOKEN_FILE }));
  }
  return out;
}

export interface SsoTokenFileOptions {
  /** Scanning a shared dir: files that are not Kiro token files are skipped silently. */
  quietIfNotKiro?: boolean;
}

/** One SSO-cache token file, with its companion registration merged from the same directory. */
export async function loadSsoTokenFile(path: string, options: SsoTokenFileOptions = {}): Promise<LoadResult> {
  const quiet = options.quietIfNotKiro ?? false;
  let doc: unknown;
  try {
    doc = await readJsonFile(path);
  } catch (err) {
    // A half-written file from another tool in a shared dir is worth a warning, not an error.
    const p = jsonProblem(err, path);
    return { credentials: [], problems: [quiet ? { ...p, severity: 'warning' } : p] };
  }
  if (!isKiroTokenFile(doc)) {
    if (quiet) return { credentials: [], problems: [] };
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc) && !('refreshToken' in doc)) {
      return { credentials: [], problems: [problem(path, 'refreshToken', 'required')] };
    }
    return {
      credentials: [],
      problems: [problem(path, undefined, 'is not a Kiro token file (expected an object with refreshToken and authMethod or provider)')],
    };
  }
  const r = parseCredentialEntry(doc, path, '');
  const problems = [...r.problems];
  if (!r.entry) return { credentials: [], problems };
  const credential = r.entry.clientIdHash ? await withRegistration(r.entry, dirname(path), path, problems) : r.entry.credential;
  problems.push(...credentialWarnings(credential, path, '', false));
  return { credentials: [loaded({ type: 'sso-cache', path }, credential)], problems };
}

function isKiroTokenFile(doc: unknown): boolean {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return false;
  const o = doc as Record<string, unknown>;
  return typeof o.refreshToken === 'string' && (typeof o.authMethod === 'string' || typeof o.provider === 'string');
}

const registrationFields = (doc: unknown) => {
  if (typeof doc !== 'object' || doc === null) return {};
  const o = doc as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  return { clientId: str(o.clientId), clientSecret: str(o.clientSecret), expiresAt: parseExpiresAt(o.expiresAt) };
};

async function withRegistration(entry: Omit<ParsedEntry, 'index'>, dir: string, source: string, problems: CredentialProblem[]): Promise<KiroCredential> {
  const regPath = join(dir, `${entry.clientIdHash}.json`);
  let reg;
  try {
    reg = registrationFields(await readJsonFile(regPath));
  } catch (err) {
    const why = err instanceof JsonFileError && err.code === 'not_found' ? 'does not exist' : 'cannot be read';
    problems.push(problem(source, 'clientIdHash', `client registration ${basename(regPath)} ${why}`, 'warning'));
    return entry.credential;
  }
  // Values in the token file itself win: a tool that copied them there knew better.
  const cred: KiroCredential = { ...entry.credential };
  if (!cred.clientId && reg.clientId) cred.clientId = reg.clientId;
  if (!cred.clientSecret && reg.clientSecret) cred.clientSecret = reg.clientSecret;
  if (reg.expiresAt !== undefined) cred.registrationExpiresAt = reg.expiresAt;
  return cred;
}
