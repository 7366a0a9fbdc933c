// The profile ARN and region a call is made with when the account record has none
// (kiro-protocol.md §4.5): Kiro now rejects requests without one, and these shared service
// profiles are what the IDE itself falls back to.
import { regionFromProfileArn } from '../../kiro/request-headers.ts';

export const FALLBACK_PROFILE_ARN = {
  social: 'arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK',
  builderId: 'arn:aws:codewhisperer:us-east-1:638616132270:profile/AAAACCCCXXXX',
  enterprise: 'arn:aws:codewhisperer:us-east-1:610548660232:profile/VNECVYCYYAWN',
} as const;

const ENTERPRISE_PROVIDERS = new Set(['enterprise', 'externalidp', 'iam_sso', 'awsidc', 'internal']);

export function fallbackProfileArn(authMethod: string, provider: string | undefined): string {
  const kind = authMethod.toLowerCase();
  if (kind === 'external_idp') return FALLBACK_PROFILE_ARN.enterprise;
  if (kind === 'idc' || kind === 'builder-id' || kind === 'iam') {
    return provider && ENTERPRISE_PROVIDERS.has(provider.toLowerCase()) ? FALLBACK_PROFILE_ARN.enterprise : FALLBACK_PROFILE_ARN.builderId;
  }
  return FALLBACK_PROFILE_ARN.social;
}

export function effectiveProfileArn(account: { profileArn?: string; authMethod: string; provider?: string }): string {
  return account.profileArn || fallbackProfileArn(account.authMethod, account.provider);
}

/** API region: explicit, else the ARN's, else the configured default. */
export function effectiveRegion(account: { region?: string }, profileArn: string, configRegion: string): string {
  return account.region || regionFromProfileArn(profileArn) || configRegion || 'us-east-1';
}
