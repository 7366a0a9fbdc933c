// The accounts a start begins with: in mock mode the simulated Kiro and its one account; else
// the discovered credentials (files, env), the stored ones and, when enabled, the SSO cache.
import type { Logger, ProxyConfig } from './proxy-types.ts';
import type { AccountManager } from './accounts/store/account-manager.ts';
import type { KiroCredential } from './accounts/credentials/credential.ts';
import { discoverCredentials } from './accounts/credentials/discover.ts';
import { loadCredsJsonText } from './accounts/credentials/credential-sources.ts';
// The simulated Kiro is loaded only in mock mode (dynamic imports below): a real proxy never runs it.
import type { MockKiro } from './kiro-mock/index.ts';

export async function startMockUpstream(): Promise<{ mock: MockKiro }> {
  const { startMockKiro } = await import('./kiro-mock/index.ts');
  return { mock: await startMockKiro({}) };
}

/** In mock mode every account the user adds is served by the simulated Kiro as well. */
export function registerWithMock(mock: MockKiro, c: KiroCredential): void {
  if (!c.refreshToken || mock.account(c.refreshToken)) return;
  mock.addAccount({
    refreshToken: c.refreshToken,
    ...(c.accessToken ? { accessToken: c.accessToken } : {}),
    authMethod: c.kind === 'idc' ? 'idc' : c.kind === 'oauth' ? 'oauth' : 'social',
    ...(c.clientId ? { clientId: c.clientId } : {}),
    ...(c.clientSecret ? { clientSecret: c.clientSecret } : {}),
    ...(c.profileArn ? { profileArn: c.profileArn } : {}),
  });
}

export async function loadStartupAccounts(accounts: AccountManager, config: ProxyConfig, logger: Logger, mock: MockKiro | undefined): Promise<void> {
  await accounts.loadMeta();
  if (mock) {
    const { createMockModeAccount } = await import('./kiro-mock/index.ts');
    const loaded = loadCredsJsonText(JSON.stringify(createMockModeAccount(mock)), 'mock upstream', () => ({ type: 'mock', name: 'mock' }));
    await accounts.add(loaded.credentials.map((c) => ({ ...c, label: 'Mock account (simulated Kiro)' })));
  } else {
    // The SSO cache is imported below (its accounts become the proxy's own, see AccountManager).
    const found = await discoverCredentials({ ...config, importSsoCacheOnStart: false });
    for (const p of found.problems) logger.warn(`credentials: ${p}`);
    await accounts.add(found.credentials);
  }
  await accounts.add(await accounts.loadStored());
  if (!mock && config.importSsoCacheOnStart !== false) await accounts.importSsoCache();
}
