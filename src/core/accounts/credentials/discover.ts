// Every credential the configuration points at, in one call: SSO cache, creds file, base64.
// The CLI uses it at start-up (no credentials → mock mode); the pool imports the result.
import type { ProxyConfig } from '../../proxy-types.ts';
import type { LoadedCredential } from './credential.ts';
import type { CredentialProblem } from './credential-problem.ts';
import { loadSsoCache, loadCredsFile, loadCredsBase64 } from './credential-sources.ts';
import { loadProviderPoolsFile } from './provider-pools.ts';

export interface DiscoveryResult {
  credentials: LoadedCredential[];
  count: number;
  /** Ready-to-print problem messages (warnings prefixed), for log lines. */
  problems: string[];
  details: CredentialProblem[];
}

export type DiscoveryConfig = Pick<ProxyConfig, 'ssoCache' | 'credsFile' | 'credsBase64'> &
  Partial<Pick<ProxyConfig, 'importSsoCacheOnStart' | 'providerPoolsFile'>>;

export async function discoverCredentials(config: DiscoveryConfig): Promise<DiscoveryResult> {
  const none = Promise.resolve({ credentials: [], problems: [] });
  const results = await Promise.all([
    config.importSsoCacheOnStart === false ? none : loadSsoCache(config.ssoCache),
    config.credsFile ? loadCredsFile(config.credsFile) : none,
    config.credsBase64 ? loadCredsBase64(config.credsBase64) : none,
    config.providerPoolsFile ? loadProviderPoolsFile(config.providerPoolsFile) : none,
  ]);
  const credentials = results.flatMap((r) => r.credentials);
  const details = results.flatMap((r) => r.problems);
  return {
    credentials,
    count: credentials.length,
    problems: details.map((p) => (p.severity === 'warning' ? `warning: ${p.message}` : p.message)),
    details,
  };
}
