// `kiro-proxy --mock`: the proxy runs against an in-process mock with an account the mock
// just registered, so no real credentials are needed anywhere.
import type { AddAccountOptions } from './accounts.ts';
import type { MockKiro } from './server.ts';

/** The Kiro token-file form (design-contracts.md §3), as the proxy's credential loader reads it. */
export interface MockModeCredential {
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
  authMethod: 'social';
  provider: 'Google';
  profileArn: string;
  region: 'us-east-1';
}

export function createMockModeAccount(mock: MockKiro, opts: Omit<AddAccountOptions, 'authMethod'> = {}): MockModeCredential {
  const account = mock.addAccount({ ...opts, authMethod: 'social', provider: 'Google' });
  return {
    accessToken: account.accessToken,
    refreshToken: account.refreshToken,
    expiresAt: new Date(account.accessTokenExpiresAt).toISOString(),
    authMethod: 'social',
    provider: 'Google',
    // Social accounts always get an ARN unless the caller passed null; keep the shared default then.
    profileArn: account.profileArn ?? 'arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK',
    region: 'us-east-1',
  };
}
