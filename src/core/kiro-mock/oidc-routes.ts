// AWS SSO OIDC (kiro-protocol.md §2.2, §3.2, §3.3): POST /client/register,
// POST /device_authorization, POST /token (refresh_token, device_code, authorization_code),
// GET /authorize (IdC PKCE consent simulated as a redirect), GET /device (the user approving).
// All JSON camelCase; errors are `{"error", "error_description"?}` with x-amzn-errortype.
import type { ServerResponse } from 'node:http';
import type { RouteCall } from './context.ts';
import { s256 } from './auth-flows.ts';
import { bodyObject, sendJson, str } from './http-io.ts';
import { answerRefresh } from './refresh-answer.ts';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

const ERROR_TYPES: Record<string, string> = {
  invalid_grant: 'InvalidGrantException',
  invalid_client: 'InvalidClientException',
  invalid_request: 'InvalidRequestException',
  authorization_pending: 'AuthorizationPendingException',
  slow_down: 'SlowDownException',
  expired_token: 'ExpiredTokenException',
  access_denied: 'AccessDeniedException',
  unsupported_grant_type: 'UnsupportedGrantTypeException',
};

function oidcError(res: ServerResponse, error: string, description?: string, status = 400): void {
  const body: Record<string, string> = { error };
  if (description !== undefined) body['error_description'] = description;
  sendJson(res, status, body, { 'x-amzn-errortype': ERROR_TYPES[error] ?? 'InvalidRequestException' });
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function registerClientRoute({ res, ctx, body }: RouteCall): void {
  const b = bodyObject(body.parsed);
  if (body.malformed || !str(b['clientName']) || b['clientType'] !== 'public') {
    oidcError(res, 'invalid_request', 'clientName and clientType "public" are required');
    return;
  }
  const client = ctx.flows.registerClient({
    redirectUris: strings(b['redirectUris']),
    grantTypes: strings(b['grantTypes']),
    scopes: strings(b['scopes']),
  });
  const issuedAt = Math.floor(ctx.now() / 1000);
  sendJson(res, 200, {
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    clientIdIssuedAt: issuedAt,
    clientSecretExpiresAt: issuedAt + 90 * 86_400,
  });
}

export function deviceAuthorizationRoute({ res, ctx, body }: RouteCall): void {
  const b = bodyObject(body.parsed);
  const client = ctx.flows.checkClient(b['clientId'], b['clientSecret']);
  if (!client) return oidcError(res, 'invalid_client', 'Invalid client provided');
  if (!str(b['startUrl'])) return oidcError(res, 'invalid_request', 'startUrl is required');
  const expiresIn = ctx.options.deviceExpiresInSeconds;
  const device = ctx.flows.newDevice(client.clientId, ctx.now() + expiresIn * 1000);
  const verificationUri = `${ctx.url()}/device`;
  sendJson(res, 200, {
    deviceCode: device.deviceCode,
    userCode: device.userCode,
    verificationUri,
    verificationUriComplete: `${verificationUri}?user_code=${device.userCode}`,
    expiresIn,
    interval: ctx.options.deviceIntervalSeconds,
  });
}

/** The user opening verificationUriComplete and approving. */
export function deviceApprovalRoute({ res, ctx, url }: RouteCall): void {
  const device = ctx.flows.deviceByUserCode(url.searchParams.get('user_code') ?? '');
  if (!device || device.status !== 'pending') {
    sendJson(res, 404, { message: 'Unknown or already used user code' });
    return;
  }
  device.status = 'approved';
  sendJson(res, 200, { message: 'Request approved', userCode: device.userCode });
}

export function authorizeRoute({ res, ctx, url }: RouteCall): void {
  const q = url.searchParams;
  const client = ctx.flows.clients.get(q.get('client_id') ?? '');
  const redirectUri = q.get('redirect_uri') ?? '';
  const challenge = q.get('code_challenge') ?? '';
  const state = q.get('state') ?? '';
  if (q.get('response_type') !== 'code' || !client) return oidcError(res, 'invalid_request', 'response_type=code and a registered client_id are required');
  if (!client.redirectUris.includes(redirectUri)) return oidcError(res, 'invalid_request', 'redirect_uri is not registered for this client');
  if (q.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
    return oidcError(res, 'invalid_request', 'code_challenge with method S256 is required');
  }
  if (state === '') return oidcError(res, 'invalid_request', 'state is required');
  const code = ctx.flows.newCode({ kind: 'idc', clientId: client.clientId, redirectUri, challenge, expiresAt: ctx.now() + 600_000 });
  const sep = redirectUri.includes('?') ? '&' : '?';
  res.writeHead(302, { location: `${redirectUri}${sep}code=${encodeURIComponent(code.code)}&state=${encodeURIComponent(state)}` });
  res.end();
}

function tokenResponse(t: { accessToken: string; refreshToken: string; expiresIn: number }): Record<string, unknown> {
  return { accessToken: t.accessToken, expiresIn: t.expiresIn, refreshToken: t.refreshToken, tokenType: 'Bearer' };
}

export function createTokenRoute(call: RouteCall): void | Promise<void> {
  const { res, body } = call;
  const b = bodyObject(body.parsed);
  if (body.malformed) return oidcError(res, 'invalid_request', 'body is not JSON');
  switch (b['grantType']) {
    case 'refresh_token':
      return refreshGrant(call, b);
    case DEVICE_GRANT:
      return deviceGrant(call, b);
    case 'authorization_code':
      return authCodeGrant(call, b);
    default:
      return oidcError(res, 'unsupported_grant_type', `grantType ${JSON.stringify(b['grantType'])} is not supported`);
  }
}

function refreshGrant(call: RouteCall, b: Record<string, unknown>): Promise<void> {
  const { ctx, rec } = call;
  const rt = str(b['refreshToken']);
  const error = (error: string, description: string) => ({
    status: 400,
    body: { error, error_description: description },
    headers: { 'x-amzn-errortype': ERROR_TYPES[error]! },
  });
  return answerRefresh(call, 'token', () => {
    const account = rt !== undefined ? ctx.accounts.byRefreshToken(rt) : undefined;
    if (!account || account.authMethod !== 'idc') return error('invalid_grant', 'Invalid refresh token provided');
    rec.accountId = account.id;
    if (b['clientId'] !== account.clientId || b['clientSecret'] !== account.clientSecret) return error('invalid_client', 'Invalid client provided');
    return { status: 200, body: tokenResponse(ctx.accounts.refresh(account)) };
  });
}

function deviceGrant({ res, ctx, rec }: RouteCall, b: Record<string, unknown>): void {
  const client = ctx.flows.checkClient(b['clientId'], b['clientSecret']);
  if (!client) return oidcError(res, 'invalid_client', 'Invalid client provided');
  const device = typeof b['deviceCode'] === 'string' ? ctx.flows.devices.get(b['deviceCode']) : undefined;
  if (!device || device.clientId !== client.clientId || device.status === 'consumed') {
    return oidcError(res, 'invalid_grant', 'Invalid device code provided');
  }
  if (device.expiresAt <= ctx.now()) return oidcError(res, 'expired_token', 'Device code has expired');
  if (device.status === 'denied') return oidcError(res, 'access_denied', 'The user denied the request');
  device.polls++;
  if (device.status === 'pending') {
    if (device.polls <= ctx.options.deviceSlowDownPolls) return oidcError(res, 'slow_down');
    const auto = ctx.options.autoApproveDevicesAfterPolls;
    if (auto !== undefined && device.polls > auto + ctx.options.deviceSlowDownPolls) device.status = 'approved';
    else return oidcError(res, 'authorization_pending');
  }
  device.status = 'consumed';
  const account = ctx.loginAccount({ authMethod: 'idc', provider: 'BuilderId', clientId: client.clientId, clientSecret: client.clientSecret });
  rec.accountId = account.id;
  sendJson(res, 200, tokenResponse({ accessToken: account.accessToken, refreshToken: account.refreshToken, expiresIn: account.accessTokenTtlSeconds }));
}

function authCodeGrant({ res, ctx, rec }: RouteCall, b: Record<string, unknown>): void {
  const client = ctx.flows.checkClient(b['clientId'], b['clientSecret']);
  if (!client) return oidcError(res, 'invalid_client', 'Invalid client provided');
  const entry = typeof b['code'] === 'string' ? ctx.flows.codes.get(b['code']) : undefined;
  if (!entry || entry.kind !== 'idc' || entry.used || entry.clientId !== client.clientId || entry.expiresAt <= ctx.now()) {
    return oidcError(res, 'invalid_grant', 'Invalid authorization code provided');
  }
  if (entry.redirectUri !== b['redirectUri']) return oidcError(res, 'invalid_grant', 'redirectUri does not match');
  const verifier = str(b['codeVerifier']);
  if (verifier === undefined || s256(verifier) !== entry.challenge) return oidcError(res, 'invalid_grant', 'Invalid code verifier');
  entry.used = true;
  const account = ctx.loginAccount({ authMethod: 'idc', provider: 'Enterprise', clientId: client.clientId, clientSecret: client.clientSecret });
  rec.accountId = account.id;
  sendJson(res, 200, tokenResponse({ accessToken: account.accessToken, refreshToken: account.refreshToken, expiresIn: account.accessTokenTtlSeconds }));
}

/** Generic OAuth2 refresh (design-contracts.md §3 "OAuth form"; kiro-protocol.md §2.4): form in, snake_case out. */
export function oauth2TokenRoute(call: RouteCall): Promise<void> | void {
  const { req, res, ctx, rec, body } = call;
  if (!String(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
    sendJson(res, 400, { error: 'invalid_request', error_description: 'Content-Type must be application/x-www-form-urlencoded' });
    return;
  }
  const f = bodyObject(body.parsed);
  if (f['grant_type'] !== 'refresh_token') {
    sendJson(res, 400, { error: 'unsupported_grant_type', error_description: 'only refresh_token is supported' });
    return;
  }
  return answerRefresh(call, 'oauth2', () => {
    const account = typeof f['refresh_token'] === 'string' ? ctx.accounts.byRefreshToken(f['refresh_token']) : undefined;
    if (!account || account.authMethod !== 'oauth')
      return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid refresh token provided' } };
    rec.accountId = account.id;
    if (f['client_id'] !== account.clientId || f['client_secret'] !== account.clientSecret) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } };
    }
    const t = ctx.accounts.refresh(account);
    return { status: 200, body: { access_token: t.accessToken, refresh_token: t.refreshToken, expires_in: t.expiresIn, token_type: 'Bearer' } };
  });
}
