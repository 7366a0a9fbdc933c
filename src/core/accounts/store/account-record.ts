// The proxy's own copy of an account, kept in the SecretStore (VS Code SecretStorage, or the
// 0600 secrets.json headless) under `kiro-proxy.account.<id>`: the latest credential, the
// fingerprints of every refresh token it held, the file it came from and whether the proxy still
// writes to that file. Written before any credential file on every rotation, so a crash or a
// file someone else rewrote never costs the account.
import type { SecretStore } from '../../proxy-types.ts';
import type { KiroCredential } from '../credentials/credential.ts';
import { loadCredsJsonText } from '../credentials/credential-sources.ts';
import { tokenFingerprint, remember } from '../tokens/token-fingerprint.ts';

export const ACCOUNT_SECRET_PREFIX = 'kiro-proxy.account.';

export interface AccountLink {
  path: string;
  type: 'sso-cache' | 'creds-file';
  /** Set once the file was found to hold another account: the proxy never writes it for this one again. */
  dropped?: string;
}

export interface AccountRecord {
  credential: KiroCredential;
  /** Fingerprints of every refresh token held, oldest first (token-fingerprint.ts). */
  history: string[];
  link?: AccountLink;
  /** Fingerprint of the Kiro user id (getUsageLimits userInfo.userId), once known. */
  user?: string;
}

/** The Kiro token-file form of design §3 (camelCase), as stored. */
export function toTokenFileForm(c: KiroCredential): Record<string, unknown> {
  if (c.kind === 'oauth') {
    return {
      client_id: c.clientId,
      client_secret: c.clientSecret,
      token_url: c.tokenUrl,
      refresh_token: c.refreshToken,
      scope: c.scope,
      access_token: c.accessToken,
      expires_at: c.expiresAt,
    };
  }
  return {
    accessToken: c.accessToken,
    refreshToken: c.refreshToken,
    expiresAt: c.expiresAt !== undefined ? new Date(c.expiresAt).toISOString() : undefined,
    authMethod: c.kind === 'idc' ? 'IdC' : c.kind,
    provider: c.provider,
    profileArn: c.profileArn,
    region: c.region,
    oidcRegion: c.oidcRegion,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    startUrl: c.startUrl,
    ...(c.kind === 'external_idp' ? { tokenEndpoint: c.tokenUrl, scopes: c.scope } : {}),
  };
}

function parseCredential(value: unknown, id: string): KiroCredential | undefined {
  return loadCredsJsonText(JSON.stringify(value), `stored account ${id}`, () => ({ type: 'store', key: id })).credentials[0]?.credential;
}

/** Reads the record; the format before this one (a bare token-file object) still loads. */
export async function readAccountRecord(store: SecretStore, id: string): Promise<AccountRecord | undefined> {
  const raw = await store.get(ACCOUNT_SECRET_PREFIX + id);
  if (!raw) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const o = doc as Record<string, unknown>;
  if (o['v'] !== 2) {
    const credential = parseCredential(o, id);
    return credential ? { credential, history: credential.refreshToken ? [tokenFingerprint(credential.refreshToken)] : [] } : undefined;
  }
  const credential = parseCredential(o['credential'], id);
  if (!credential) return undefined;
  const history = Array.isArray(o['history']) ? o['history'].filter((h): h is string => typeof h === 'string') : [];
  const rec: AccountRecord = { credential, history };
  const link = o['link'];
  if (link && typeof link === 'object') {
    const l = link as Record<string, unknown>;
    if (typeof l['path'] === 'string' && (l['type'] === 'sso-cache' || l['type'] === 'creds-file')) {
      rec.link = { path: l['path'], type: l['type'], ...(typeof l['dropped'] === 'string' ? { dropped: l['dropped'] } : {}) };
    }
  }
  if (typeof o['user'] === 'string') rec.user = o['user'];
  return rec;
}

export async function writeAccountRecord(store: SecretStore, id: string, rec: AccountRecord): Promise<void> {
  const history = rec.credential.refreshToken ? remember(rec.history, tokenFingerprint(rec.credential.refreshToken)) : rec.history;
  const doc = { v: 2, credential: toTokenFileForm(rec.credential), history, ...(rec.link ? { link: rec.link } : {}), ...(rec.user ? { user: rec.user } : {}) };
  await store.set(ACCOUNT_SECRET_PREFIX + id, JSON.stringify(doc));
}
