// The one failure type of token refresh. `permanent` is what the pool and the UI act on:
// permanent means the user must log in again; transient means try again later.

export type RefreshErrorCode =
  | 'invalid_grant' // refresh token revoked, rotated elsewhere, or expired
  | 'expired_client' // IdC client registration expired (ExpiredClientException)
  | 'invalid_client' // client id/secret rejected
  | 'bad_credentials' // social endpoint got a token it does not know (e.g. a Builder ID token)
  | 'unauthorized' // HTTP 401
  | 'no_refresh_token' // nothing to refresh with
  | 'missing_client_registration' // IdC token without clientId/clientSecret
  | 'needs_login' // an earlier permanent failure; fail fast until the credential is replaced
  | 'not_refreshable' // api keys
  | 'rate_limited'
  | 'server'
  | 'http_error'
  | 'invalid_response'
  | 'network'
  | 'timeout'
  | 'deferred'; // not attempted now: the token still works and refreshing now is riskier than waiting (team mode, Redis away)

export interface RefreshErrorInit {
  code: RefreshErrorCode;
  permanent: boolean;
  status?: number;
  cause?: unknown;
}

/** Messages are built from status codes and the server's (redacted) error text, never from our tokens. */
export class RefreshError extends Error {
  readonly code: RefreshErrorCode;
  readonly permanent: boolean;
  readonly status: number | undefined;
  constructor(message: string, init: RefreshErrorInit) {
    super(message, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'RefreshError';
    this.code = init.code;
    this.permanent = init.permanent;
    this.status = init.status;
  }
}

/**
 * Classifies a non-2xx refresh answer (kiro-protocol.md §2.1, §2.2). Only 4xx bodies are read for
 * the OAuth error names: a 5xx that happens to mention one is still an outage.
 */
export function classifyRefreshFailure(status: number, errorText: string): { code: RefreshErrorCode; permanent: boolean } {
  if (status >= 400 && status < 500 && status !== 429) {
    if (/ExpiredClient|client is expired/i.test(errorText)) return { code: 'expired_client', permanent: true };
    if (/invalid_grant|InvalidGrant|Invalid refresh token/i.test(errorText)) return { code: 'invalid_grant', permanent: true };
    if (/invalid_client|InvalidClient|unauthorized_client|UnauthorizedClient/i.test(errorText)) return { code: 'invalid_client', permanent: true };
    if (/Bad credentials/i.test(errorText)) return { code: 'bad_credentials', permanent: true };
    if (status === 401) return { code: 'unauthorized', permanent: true };
  }
  if (status === 429) return { code: 'rate_limited', permanent: false };
  if (status >= 500) return { code: 'server', permanent: false };
  return { code: 'http_error', permanent: false };
}
