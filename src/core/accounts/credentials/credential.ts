// The one in-memory shape every credential source normalises into, and where it came from.
import { createHash } from 'node:crypto';

/**
 * social: Kiro desktop auth (Google/GitHub); idc: AWS SSO OIDC (Builder ID / Identity Center);
 * oauth: generic OAuth refresh at `tokenUrl` (creds-file OAuth form); external_idp: Entra/Okta
 * refreshed at its own token endpoint; api_key: `ksk_…` bearer that never refreshes.
 */
export type CredentialKind = 'social' | 'idc' | 'oauth' | 'api_key' | 'external_idp';

export interface KiroCredential {
  kind: CredentialKind;
  accessToken?: string;
  refreshToken?: string;
  /** Access token expiry, epoch ms. Missing means "treat as expired". */
  expiresAt?: number;
  profileArn?: string;
  /** API region (q.{region}.amazonaws.com). */
  region?: string;
  /** Region of the SSO OIDC endpoint used to refresh IdC tokens. */
  oidcRegion?: string;
  clientId?: string;
  clientSecret?: string;
  /** OIDC client registration expiry, epoch ms (companion `<clientIdHash>.json`). */
  registrationExpiresAt?: number;
  tokenUrl?: string;
  scope?: string;
  /** Google, Github, BuilderId, Enterprise, … as the token file says. */
  provider?: string;
  startUrl?: string;
}

export type CredentialOrigin =
  | { type: 'sso-cache'; path: string }
  /** `index` is null when the file holds a single object rather than an array. */
  | { type: 'creds-file'; path: string; index: number | null }
  | { type: 'base64'; index: number | null }
  | { type: 'env'; name: string; index: number | null }
  | { type: 'store'; key: string }
  | { type: 'mock'; name: string };

export interface LoadedCredential {
  /** Stable across restarts and token rotation; never reveals a token. */
  id: string;
  label: string;
  credential: KiroCredential;
  origin: CredentialOrigin;
}

/** Hosts show this as the account's "source". */
export function describeOrigin(origin: CredentialOrigin): string {
  switch (origin.type) {
    case 'sso-cache':
      return origin.path;
    case 'creds-file':
      return origin.index === null ? origin.path : `${origin.path}[${origin.index}]`;
    case 'base64':
      return origin.index === null ? 'base64' : `base64[${origin.index}]`;
    case 'env':
      return origin.index === null ? `$${origin.name}` : `$${origin.name}[${origin.index}]`;
    case 'store':
      return `store:${origin.key}`;
    case 'mock':
      return `mock:${origin.name}`;
  }
}

/**
 * Files are written back on rotation, so their identity is the location. base64/env values are
 * fixed text whose tokens rotate only in our own store, so their identity includes a one-way hash
 * of the refresh token as it appears in that text: same text → same id on the next start.
 */
export function credentialId(origin: CredentialOrigin, credential: KiroCredential): string {
  let key: string;
  switch (origin.type) {
    case 'sso-cache':
      key = `sso\0${origin.path}`;
      break;
    case 'creds-file':
      key = `file\0${origin.path}\0${origin.index ?? ''}`;
      break;
    case 'base64':
    case 'env':
      key = `${origin.type}\0${origin.type === 'env' ? origin.name : ''}\0${origin.index ?? ''}\0${sha256Hex(
        credential.refreshToken ?? credential.accessToken ?? '',
      )}`;
      break;
    case 'store':
      key = `store\0${origin.key}`;
      break;
    case 'mock':
      key = `mock\0${origin.name}`;
      break;
  }
  return `${ID_PREFIX[origin.type]}-${sha256Hex(key).slice(0, 12)}`;
}

const ID_PREFIX: Record<CredentialOrigin['type'], string> = {
  'sso-cache': 'sso',
  'creds-file': 'file',
  base64: 'b64',
  env: 'env',
  store: 'acct',
  mock: 'mock',
};

/** A human label: provider/kind plus where it came from. Holds no secret. */
export function credentialLabel(origin: CredentialOrigin, credential: KiroCredential): string {
  const who = credential.provider ?? KIND_LABEL[credential.kind];
  const where =
    origin.type === 'sso-cache' || origin.type === 'creds-file' ? describeOrigin({ ...origin, path: baseName(origin.path) }) : describeOrigin(origin);
  return `${who} (${where})`;
}

const KIND_LABEL: Record<CredentialKind, string> = {
  social: 'Social',
  idc: 'IdC',
  oauth: 'OAuth',
  api_key: 'API key',
  external_idp: 'External IdP',
};

function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export { regionFromProfileArn } from '../../kiro/request-headers.ts';
