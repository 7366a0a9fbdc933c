// The three refresh protocols (kiro-protocol.md §2.1 social, §2.2 IdC, §2.4 / design §3 OAuth).
import { randomUUID } from 'node:crypto';
import { release } from 'node:os';
import * as z from 'zod';
import { machineIdFor } from '../../kiro/request-headers.ts';
import type { KiroEndpoints } from '../../kiro/types.ts';
import type { KiroCredential } from '../credentials/credential.ts';
import { RefreshError } from './refresh-error.ts';
import { postForToken, type RefreshHttpOptions } from './refresh-http.ts';

export type { RefreshHttpOptions } from './refresh-http.ts';

export interface RefreshResult {
  accessToken: string;
  /** Present when the server rotated it; persist it, the old one may already be dead. */
  refreshToken?: string;
  /** Epoch ms. */
  expiresAt: number;
  profileArn?: string;
}

const DEFAULT_KIRO_VERSION = '0.11.107';
// The version AWS's own SDK in the Kiro IDE reports for sso-oidc (KRS).
const OIDC_SDK_VERSION = '3.980.0';
const DEFAULT_EXPIRES_IN_S = 3600;

const camelTokenSchema = z.looseObject({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).nullish(),
  expiresIn: z.coerce.number().positive().nullish(),
  profileArn: z.string().min(1).nullish(),
});

const snakeTokenSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).nullish(),
  expires_in: z.coerce.number().positive().nullish(),
});

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

function requireRefreshToken(cred: KiroCredential, protocol: string): string {
  if (!cred.refreshToken)
    throw new RefreshError(`${protocol} token refresh impossible: the credential has no refresh token`, { code: 'no_refresh_token', permanent: true });
  return cred.refreshToken;
}

function invalidResponse(protocol: string): RefreshError {
  return new RefreshError(`${protocol} token refresh failed: the response has no access token`, { code: 'invalid_response', permanent: false });
}

function result(
  accessToken: string,
  refreshToken: string | null | undefined,
  expiresIn: number | null | undefined,
  profileArn: string | null | undefined,
  options: RefreshHttpOptions,
): RefreshResult {
  const now = options.now ?? Date.now;
  const out: RefreshResult = { accessToken, expiresAt: now() + (expiresIn ?? DEFAULT_EXPIRES_IN_S) * 1000 };
  if (refreshToken) out.refreshToken = refreshToken;
  if (profileArn) out.profileArn = profileArn;
  return out;
}

/** Social (Google/GitHub): `POST {auth}/refreshToken` with `{refreshToken}`. */
export async function refreshSocial(authBase: string, cred: KiroCredential, signal: AbortSignal, options: RefreshHttpOptions = {}): Promise<RefreshResult> {
  const refreshToken = requireRefreshToken(cred, 'social');
  // Stable per account and not a plain hash of the token (machineIdFor namespaces its input).
  const machineId = options.machineId ?? machineIdFor(refreshToken);
  const json = await postForToken(
    {
      protocol: 'social',
      url: joinUrl(authBase, '/refreshToken'),
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/plain, */*',
        'user-agent': `KiroIDE-${options.kiroVersion ?? DEFAULT_KIRO_VERSION}-${machineId}`,
        // Peers send Connection: close; we leave out Accept-Encoding because undici does not
        // decompress `request()` bodies for us.
        connection: 'close',
      },
      body: JSON.stringify({ refreshToken }),
      secrets: [refreshToken, cred.accessToken],
    },
    signal,
    options,
  );
  const parsed = camelTokenSchema.safeParse(json);
  if (!parsed.success) throw invalidResponse('social');
  const v = parsed.data;
  return result(v.accessToken, v.refreshToken, v.expiresIn, v.profileArn, options);
}

/** IdC / Builder ID: AWS SSO OIDC CreateToken, JSON camelCase (not form-encoded). */
export async function refreshIdc(oidcBase: string, cred: KiroCredential, signal: AbortSignal, options: RefreshHttpOptions = {}): Promise<RefreshResult> {
  const refreshToken = requireRefreshToken(cred, 'IdC');
  if (!cred.clientId || !cred.clientSecret) {
    throw new RefreshError('IdC token refresh impossible: clientId/clientSecret missing (client registration not found)', {
      code: 'missing_client_registration',
      permanent: true,
    });
  }
  const region = cred.oidcRegion ?? cred.region ?? 'us-east-1';
  const sdk = `aws-sdk-js/${OIDC_SDK_VERSION}`;
  const json = await postForToken(
    {
      protocol: 'IdC',
      url: joinUrl(oidcBase.replaceAll('{region}', region), '/token'),
      headers: {
        'content-type': 'application/json',
        'x-amz-user-agent': `${sdk} KiroIDE`,
        'user-agent': `${sdk} ua/2.1 os/${process.platform}#${release()} lang/js md/nodejs#${process.versions.node} api/sso-oidc#${OIDC_SDK_VERSION} m/E KiroIDE`,
        'amz-sdk-invocation-id': randomUUID(),
        'amz-sdk-request': 'attempt=1; max=4',
      },
      body: JSON.stringify({ clientId: cred.clientId, clientSecret: cred.clientSecret, grantType: 'refresh_token', refreshToken }),
      secrets: [refreshToken, cred.accessToken, cred.clientSecret],
    },
    signal,
    options,
  );
  const parsed = camelTokenSchema.safeParse(json);
  if (!parsed.success) throw invalidResponse('IdC');
  const v = parsed.data;
  return result(v.accessToken, v.refreshToken, v.expiresIn, v.profileArn, options);
}

/** Generic OAuth 2 refresh_token grant (creds-file OAuth form, external IdPs): form-encoded, snake_case. */
export async function refreshOAuth(tokenUrl: string, cred: KiroCredential, signal: AbortSignal, options: RefreshHttpOptions = {}): Promise<RefreshResult> {
  const refreshToken = requireRefreshToken(cred, 'OAuth');
  const form = new URLSearchParams({ grant_type: 'refresh_token' });
  if (cred.clientId) form.set('client_id', cred.clientId);
  if (cred.clientSecret) form.set('client_secret', cred.clientSecret);
  form.set('refresh_token', refreshToken);
  if (cred.scope) form.set('scope', cred.scope);
  const json = await postForToken(
    {
      protocol: 'OAuth',
      url: tokenUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      secrets: [refreshToken, cred.accessToken, cred.clientSecret],
    },
    signal,
    options,
  );
  const parsed = snakeTokenSchema.safeParse(json);
  if (parsed.success) {
    const v = parsed.data;
    return result(v.access_token, v.refresh_token, v.expires_in, undefined, options);
  }
  // Some token services answer in camelCase even to a standard grant.
  const camel = camelTokenSchema.safeParse(json);
  if (!camel.success) throw invalidResponse('OAuth');
  return result(camel.data.accessToken, camel.data.refreshToken, camel.data.expiresIn, camel.data.profileArn, options);
}

/** Picks the protocol for the credential's kind. */
export function refreshCredential(
  endpoints: KiroEndpoints,
  cred: KiroCredential,
  signal: AbortSignal,
  options: RefreshHttpOptions = {},
): Promise<RefreshResult> {
  switch (cred.kind) {
    case 'social':
      return refreshSocial(endpoints.auth, cred, signal, options);
    case 'idc':
      return refreshIdc(endpoints.oidc, cred, signal, options);
    case 'oauth':
    case 'external_idp':
      if (!cred.tokenUrl)
        return Promise.reject(new RefreshError(`${cred.kind} token refresh impossible: no token URL`, { code: 'invalid_client', permanent: true }));
      return refreshOAuth(cred.tokenUrl, cred, signal, options);
    case 'api_key':
      return Promise.reject(new RefreshError('API keys do not refresh', { code: 'not_refreshable', permanent: false }));
  }
}

/** How one call to the token endpoint ended (metrics): `rejected` is a permanent refusal (invalid_grant, a revoked client…). */
export type TokenRefreshOutcome = 'success' | 'failure' | 'rejected';

/**
 * refreshCredential, each call reported by its outcome: the refreshes this instance made itself
 * (a token adopted from the team, the store or the file is none). An aborted call is not reported.
 */
export async function observedRefresh(
  endpoints: KiroEndpoints,
  cred: KiroCredential,
  signal: AbortSignal,
  options: RefreshHttpOptions,
  report: ((outcome: TokenRefreshOutcome) => void) | undefined,
): Promise<RefreshResult> {
  let result: RefreshResult;
  try {
    result = await refreshCredential(endpoints, cred, signal, options);
  } catch (err) {
    const nothingSent = err instanceof RefreshError && err.code === 'not_refreshable';
    if (!signal.aborted && !nothingSent) report?.(err instanceof RefreshError && err.permanent ? 'rejected' : 'failure');
    throw err;
  }
  report?.('success');
  return result;
}

/** The credential after a successful refresh: new tokens in, everything else kept. */
export function applyRefresh(cred: KiroCredential, r: RefreshResult): KiroCredential {
  const next: KiroCredential = { ...cred, accessToken: r.accessToken, expiresAt: r.expiresAt };
  if (r.refreshToken) next.refreshToken = r.refreshToken;
  if (r.profileArn) next.profileArn = r.profileArn;
  return next;
}

/** The token fields of a credential (what a refresh changes), to lay over another copy of it. */
export function tokensOf(c: KiroCredential): Partial<KiroCredential> {
  const out: Partial<KiroCredential> = {};
  if (c.accessToken !== undefined) out.accessToken = c.accessToken;
  if (c.refreshToken !== undefined) out.refreshToken = c.refreshToken;
  if (c.expiresAt !== undefined) out.expiresAt = c.expiresAt;
  if (c.profileArn !== undefined) out.profileArn = c.profileArn;
  return out;
}

/** A credential's tokens as the result of a refresh (one adopted instead of made); it has an access token. */
export function refreshResultOf(c: KiroCredential): RefreshResult {
  return {
    accessToken: c.accessToken!,
    expiresAt: c.expiresAt!,
    ...(c.refreshToken ? { refreshToken: c.refreshToken } : {}),
    ...(c.profileArn ? { profileArn: c.profileArn } : {}),
  };
}
