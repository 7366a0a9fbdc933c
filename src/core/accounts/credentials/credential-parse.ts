// Parses the two credential JSON forms (design §3) into KiroCredential, collecting problems
// instead of throwing. Problem texts name the source and field but never echo values.
import * as z from 'zod';
import type { CredentialKind, KiroCredential } from './credential.ts';
import { regionFromProfileArn } from './credential.ts';
import { parseExpiresAt } from './expires-at.ts';
import { problem, fieldPath, type CredentialProblem } from './credential-problem.ts';

// Tokens pasted by hand carry stray whitespace; '' and null mean "absent".
const optText = z
  .string({ error: 'must be a string' })
  .nullish()
  .transform((s) => {
    const t = s?.trim();
    return t ? t : undefined;
  });
const optDate = z.union([z.string(), z.number()], { error: 'must be an ISO date string or epoch number' }).nullish();

/** Kiro token-file form: Kiro IDE's `kiro-auth-token.json`, KRS `credentials.json` entries. */
const tokenFileSchema = z.looseObject({
  accessToken: optText,
  refreshToken: optText,
  expiresAt: optDate,
  authMethod: optText,
  provider: optText,
  profileArn: optText,
  region: optText,
  oidcRegion: optText,
  apiRegion: optText,
  clientId: optText,
  clientSecret: optText,
  clientIdHash: optText,
  startUrl: optText,
  apiKey: optText,
  // External-IdP extras (kiro-protocol.md §1.1)
  tokenEndpoint: optText,
  scopes: z.union([z.string(), z.array(z.string())], { error: 'must be a string or an array of strings' }).nullish(),
});

/** OAuth form (the Go AI Proxy's creds file). access_token/expires_at are ours, written on rotation. */
const oauthSchema = z.looseObject({
  client_id: optText,
  client_secret: optText,
  token_url: optText,
  refresh_token: optText,
  scope: optText,
  access_token: optText,
  expires_at: optDate,
});

export interface ParsedEntry {
  /** Position in the array, or null when the document is a single object. */
  index: number | null;
  credential: KiroCredential;
  /** Token files point at their OIDC client registration by this (SSO cache only). */
  clientIdHash?: string;
}

export interface ParsedDocument {
  entries: ParsedEntry[];
  problems: CredentialProblem[];
}

/** One object or an array of objects, in either form. */
export function parseCredentialDocument(doc: unknown, source: string): ParsedDocument {
  const problems: CredentialProblem[] = [];
  const entries: ParsedEntry[] = [];
  if (Array.isArray(doc)) {
    if (doc.length === 0) problems.push(problem(source, undefined, 'contains an empty array, no credentials'));
    doc.forEach((item, i) => {
      const r = parseCredentialEntry(item, source, `[${i}]`);
      problems.push(...r.problems);
      if (r.entry) entries.push({ ...r.entry, index: i });
    });
  } else {
    const r = parseCredentialEntry(doc, source, '');
    problems.push(...r.problems);
    if (r.entry) entries.push({ ...r.entry, index: null });
  }
  // Companion registrations are only looked up in the SSO cache, so no credential here expects one.
  for (const e of entries) problems.push(...credentialWarnings(e.credential, source, e.index === null ? '' : `[${e.index}]`));
  return { entries, problems };
}

export interface EntryResult {
  entry?: Omit<ParsedEntry, 'index'>;
  problems: CredentialProblem[];
}

/** `prefix` is how the entry is addressed in messages (`[3]`, or '' for a lone object). */
export function parseCredentialEntry(value: unknown, source: string, prefix: string): EntryResult {
  if (typeof value === 'string' && value.trim().startsWith('ksk_')) {
    return { entry: { credential: { kind: 'api_key', accessToken: value.trim() } }, problems: [] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problems: [problem(source, prefix || undefined, 'expected a JSON object')] };
  }
  const obj = value as Record<string, unknown>;
  const isOAuthForm = 'token_url' in obj || 'refresh_token' in obj || 'client_id' in obj;
  return isOAuthForm ? parseOAuthForm(obj, source, prefix) : parseTokenFileForm(obj, source, prefix);
}

function zodProblems(error: z.ZodError, source: string, prefix: string): CredentialProblem[] {
  return error.issues.map((iss) => problem(source, fieldPath(prefix, iss.path.map(String).join('.')) || undefined, iss.message));
}

function parseOAuthForm(obj: Record<string, unknown>, source: string, prefix: string): EntryResult {
  const parsed = oauthSchema.safeParse(obj);
  if (!parsed.success) return { problems: zodProblems(parsed.error, source, prefix) };
  const v = parsed.data;
  const problems: CredentialProblem[] = [];
  for (const key of ['client_id', 'token_url', 'refresh_token'] as const) {
    if (!v[key]) problems.push(problem(source, fieldPath(prefix, key), 'required'));
  }
  if (v.token_url && !isHttpUrl(v.token_url)) problems.push(problem(source, fieldPath(prefix, 'token_url'), 'must be an http(s) URL'));
  if (problems.length > 0) return { problems };
  const expiresAt = readExpiry(v.expires_at, source, fieldPath(prefix, 'expires_at'), problems);
  const credential: KiroCredential = compact({
    kind: 'oauth' as const,
    clientId: v.client_id,
    clientSecret: v.client_secret,
    tokenUrl: v.token_url,
    refreshToken: v.refresh_token,
    scope: v.scope,
    accessToken: v.access_token,
    expiresAt,
  });
  return { entry: { credential }, problems };
}

function parseTokenFileForm(obj: Record<string, unknown>, source: string, prefix: string): EntryResult {
  const parsed = tokenFileSchema.safeParse(obj);
  if (!parsed.success) return { problems: zodProblems(parsed.error, source, prefix) };
  const v = parsed.data;
  const problems: CredentialProblem[] = [];
  const at = (f: string) => fieldPath(prefix, f);

  const apiKey = [v.apiKey, v.accessToken, v.refreshToken].find((t) => t?.startsWith('ksk_'));
  let kind: CredentialKind | undefined;
  if (apiKey) kind = 'api_key';
  else if (v.authMethod) {
    kind = normaliseAuthMethod(v.authMethod);
    if (!kind) {
      return { problems: [problem(source, at('authMethod'), 'unknown value (expected social, IdC, builder-id, iam, external_idp or api_key)')] };
    }
  } else kind = inferKind(v.provider, v.clientId, v.clientSecret, v.tokenEndpoint);

  if (kind === 'api_key') {
    const key = apiKey ?? v.apiKey ?? v.accessToken;
    if (!key) return { problems: [problem(source, at('apiKey'), 'required for api_key credentials')] };
    return {
      entry: {
        credential: compact({ kind, accessToken: key, profileArn: v.profileArn, region: v.apiRegion ?? regionFromProfileArn(v.profileArn) ?? v.region }),
      },
      problems,
    };
  }

  if (!v.refreshToken) return { problems: [problem(source, at('refreshToken'), 'required')] };
  if (kind === 'external_idp' || kind === 'oauth') {
    const missing = [
      [v.tokenEndpoint, 'tokenEndpoint'],
      [v.clientId, 'clientId'],
    ].filter(([val]) => !val);
    if (missing.length > 0) return { problems: missing.map(([, f]) => problem(source, at(f as string), `required for ${kind} credentials`)) };
    if (!isHttpUrl(v.tokenEndpoint!)) return { problems: [problem(source, at('tokenEndpoint'), 'must be an http(s) URL')] };
  }

  const expiresAt = readExpiry(v.expiresAt, source, at('expiresAt'), problems);
  // A token file's `region` is where it was issued: the OIDC region for IdC, the auth region for
  // social. The API region follows the profile ARN when there is one.
  const scope = Array.isArray(v.scopes) ? v.scopes.join(' ') : v.scopes?.trim() || undefined;
  const credential: KiroCredential = compact({
    kind,
    accessToken: v.accessToken,
    refreshToken: v.refreshToken,
    expiresAt,
    profileArn: v.profileArn,
    region: v.apiRegion ?? regionFromProfileArn(v.profileArn) ?? (kind === 'idc' ? undefined : v.region),
    oidcRegion: kind === 'idc' ? (v.oidcRegion ?? v.region) : v.oidcRegion,
    clientId: v.clientId,
    clientSecret: v.clientSecret,
    tokenUrl: v.tokenEndpoint,
    scope,
    provider: v.provider,
    startUrl: v.startUrl,
  });
  const entry: Omit<ParsedEntry, 'index'> = { credential };
  if (v.clientIdHash) {
    if (/^[A-Za-z0-9_-]{1,128}$/.test(v.clientIdHash)) entry.clientIdHash = v.clientIdHash;
    else problems.push(problem(source, at('clientIdHash'), 'is not a plain file name; ignored', 'warning'));
  }
  return { entry, problems };
}

/** Case and spelling vary across tools (kiro-protocol.md §1.1); KRS folds builder-id/iam into idc. */
export function normaliseAuthMethod(raw: string): CredentialKind | undefined {
  switch (raw.toLowerCase().replace(/[^a-z]/g, '')) {
    case 'social':
      return 'social';
    case 'idc':
    case 'builderid':
    case 'iam':
    case 'iamsso':
    case 'awsidc':
    case 'sso':
    case 'identitycenter':
    case 'enterprise':
      return 'idc';
    case 'externalidp':
      return 'external_idp';
    case 'apikey':
      return 'api_key';
    case 'oauth':
      return 'oauth';
    default:
      return undefined;
  }
}

function inferKind(
  provider: string | undefined,
  clientId: string | undefined,
  clientSecret: string | undefined,
  tokenEndpoint: string | undefined,
): CredentialKind {
  const p = provider?.toLowerCase().replace(/[^a-z]/g, '');
  if (p === 'google' || p === 'github') return 'social';
  if (p === 'externalidp' || tokenEndpoint) return 'external_idp';
  if (p === 'builderid' || p === 'enterprise' || p === 'awsidc' || p === 'iamsso') return 'idc';
  return clientId && clientSecret ? 'idc' : 'social';
}

/** Warnings that do not stop the credential from loading. Run after companion files are merged. */
export function credentialWarnings(cred: KiroCredential, source: string, prefix: string, expectsCompanion = false): CredentialProblem[] {
  const out: CredentialProblem[] = [];
  const rtField = fieldPath(prefix, cred.kind === 'oauth' ? 'refresh_token' : 'refreshToken');
  const rt = cred.refreshToken;
  // KRS refuses these outright; we only warn because test and mock tokens are short.
  if (rt && (rt.length < 100 || rt.includes('...'))) {
    out.push(
      problem(
        source,
        rtField,
        `looks truncated (${rt.length} characters${rt.includes('...') ? ', contains "..."' : ''}); refresh will probably fail`,
        'warning',
      ),
    );
  }
  if (cred.kind === 'idc' && (!cred.clientId || !cred.clientSecret) && !expectsCompanion) {
    out.push(
      problem(
        source,
        fieldPath(prefix, cred.clientId ? 'clientSecret' : 'clientId'),
        'missing; an IdC token cannot be refreshed without its client registration',
        'warning',
      ),
    );
  }
  return out;
}

function readExpiry(raw: string | number | null | undefined, source: string, field: string, problems: CredentialProblem[]): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const t = parseExpiresAt(raw);
  if (t === undefined) problems.push(problem(source, field, 'is not a recognisable date; the access token is treated as expired', 'warning'));
  return t;
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Drops undefined members so objects compare and serialise cleanly. */
function compact<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
