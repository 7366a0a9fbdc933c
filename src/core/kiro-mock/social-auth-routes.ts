// Kiro desktop auth service (kiro-protocol.md §2.1, §3.1): POST /refreshToken, GET /login
// (PKCE consent simulated as an immediate redirect), POST /oauth/token.
import type { RouteCall } from './context.ts';
import { s256 } from './auth-flows.ts';
import { bodyObject, sendJson, str } from './http-io.ts';
import { answerRefresh } from './refresh-answer.ts';

const IDPS = new Set(['Google', 'Github']);
const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** The IDE's protocol handler or a loopback callback (§3.1 step 3). */
const REDIRECT_OK = /^(kiro:\/\/kiro\.kiroAgent\/authenticate-success|http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/.*)$/;

const invalidRefresh = { message: 'Invalid refresh token provided', error: 'invalid_grant' };

export function refreshTokenRoute(call: RouteCall): Promise<void> | void {
  const { res, ctx, rec, body } = call;
  const b = bodyObject(body.parsed);
  const rt = str(b['refreshToken']);
  if (body.malformed || rt === undefined) {
    sendJson(res, 400, { message: 'refreshToken is required', error: 'invalid_request' });
    return;
  }
  return answerRefresh(call, 'refreshToken', () => {
    // Looked up when the answer is made: a concurrent refresh may have rotated it meanwhile.
    const account = ctx.accounts.byRefreshToken(rt);
    if (!account) return { status: 400, body: invalidRefresh };
    rec.accountId = account.id;
    // A Builder ID token sent to the social service (OmniRoute PR #3333).
    if (account.authMethod !== 'social') return { status: 401, body: { message: 'Bad credentials' } };
    const t = ctx.accounts.refresh(account);
    const out: Record<string, unknown> = { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresIn: t.expiresIn };
    if (account.profileArn !== undefined) out['profileArn'] = account.profileArn;
    return { status: 200, body: out };
  });
}

export function loginRoute({ res, ctx, url }: RouteCall): void {
  const q = url.searchParams;
  const idp = q.get('idp') ?? '';
  const redirectUri = q.get('redirect_uri') ?? '';
  const challenge = q.get('code_challenge') ?? '';
  const state = q.get('state') ?? '';
  const problems: string[] = [];
  if (!IDPS.has(idp)) problems.push('idp must be Google or Github');
  if (!REDIRECT_OK.test(redirectUri)) problems.push('redirect_uri is not allowed');
  if (!PKCE_CHALLENGE.test(challenge)) problems.push('code_challenge must be a base64url SHA-256');
  if (q.get('code_challenge_method') !== 'S256') problems.push('code_challenge_method must be S256');
  if (state === '') problems.push('state is required');
  if (problems.length > 0) {
    sendJson(res, 400, { message: `Invalid login request: ${problems.join('; ')}`, error: 'invalid_request' });
    return;
  }
  const code = ctx.flows.newCode({ kind: 'social', idp, redirectUri, challenge, expiresAt: ctx.now() + 600_000 });
  const sep = redirectUri.includes('?') ? '&' : '?';
  res.writeHead(302, { location: `${redirectUri}${sep}code=${encodeURIComponent(code.code)}&state=${encodeURIComponent(state)}` });
  res.end();
}

export function oauthTokenRoute({ res, ctx, rec, body }: RouteCall): void {
  const b = bodyObject(body.parsed);
  const code = str(b['code']);
  const verifier = str(b['code_verifier']);
  const redirectUri = str(b['redirect_uri']);
  if (body.malformed || !code || !verifier || !redirectUri) {
    sendJson(res, 400, { message: 'code, code_verifier and redirect_uri are required', error: 'invalid_request' });
    return;
  }
  const entry = ctx.flows.codes.get(code);
  const bad = (message: string) => sendJson(res, 400, { message, error: 'invalid_grant' });
  if (!entry || entry.kind !== 'social' || entry.used || entry.expiresAt <= ctx.now()) return bad('Invalid authorization code');
  if (entry.redirectUri !== redirectUri) return bad('redirect_uri does not match the authorization request');
  if (!PKCE_VERIFIER.test(verifier) || s256(verifier) !== entry.challenge) return bad('Invalid code verifier');
  entry.used = true;
  const account = ctx.loginAccount({ authMethod: 'social', provider: entry.idp ?? 'Google' });
  rec.accountId = account.id;
  sendJson(res, 200, {
    accessToken: account.accessToken,
    refreshToken: account.refreshToken,
    profileArn: account.profileArn,
    expiresIn: account.accessTokenTtlSeconds,
  });
}
