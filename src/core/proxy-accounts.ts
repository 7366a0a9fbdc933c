// ProxyHandle.accounts: the account operations hosts call (dashboard, editor commands, CLI login),
// on the running start's pool and account manager. Views leave scrubbed of secrets.
import type { AccountView, ProxyHandle } from './proxy-types.ts';
import type { Runtime } from './runtime.ts';
import type { ManagedAccountPool } from './accounts/pool/pool.ts';
import type { AccountManager } from './accounts/store/account-manager.ts';
import { loginWithSocial } from './kiro/login/social-pkce.ts';
import { startDeviceLogin } from './kiro/login/device-code.ts';
import { ProxyError } from './errors.ts';

export function proxyAccounts(runtime: () => Runtime | undefined, scrub: (a: AccountView) => AccountView): ProxyHandle['accounts'] {
  const running = (): Runtime => {
    const rt = runtime();
    if (!rt?.pool || !rt.accounts) throw new ProxyError('unavailable', 'the proxy is not running');
    return rt;
  };
  const pool = (): ManagedAccountPool => running().pool!;
  const manager = (): AccountManager => running().accounts!;
  // Every operation is async, so "not running" is a rejection, never a synchronous throw.
  return {
    list: () => (runtime()?.pool?.list() ?? []).map(scrub),
    refresh: async (id) => scrub(await pool().refreshToken(id)),
    refreshQuota: async (id) => scrub(await pool().refreshQuota(id)),
    remove: async (id) => manager().remove(id),
    setEnabled: async (id, enabled) => manager().setEnabled(id, enabled),
    setLabel: async (id, label) => manager().setLabel(id, label),
    importJson: async (json, sourceLabel) => (await manager().importJson(json, sourceLabel)).map(scrub),
    scanSsoCache: async () => manager().scanSsoCache(),
    importSsoFile: async (path) => scrub(await manager().importSsoFile(path)),
    async loginSocial(provider, openUrl, signal) {
      const rt = running();
      const mgr = rt.accounts!;
      const cred = await loginWithSocial({ provider, authEndpoint: rt.endpoints.auth, openUrl, signal: signal ?? rt.signal });
      return mgr.addLoggedIn(cred, `${provider} login`);
    },
    async startDeviceLogin(options) {
      const rt = running();
      const mgr = rt.accounts!;
      const auth = await startDeviceLogin({
        oidcEndpoint: rt.endpoints.oidc,
        signal: options.signal ?? rt.signal,
        ...(options.startUrl ? { startUrl: options.startUrl } : {}),
        ...(options.region ? { region: options.region } : {}),
      });
      const label = options.startUrl ? 'Identity Center login' : 'AWS Builder ID login';
      return {
        userCode: auth.userCode,
        verificationUri: auth.verificationUri,
        ...(auth.verificationUriComplete ? { verificationUriComplete: auth.verificationUriComplete } : {}),
        expiresAt: auth.expiresAt,
        complete: async () => mgr.addLoggedIn(await auth.complete(), label),
      };
    },
    exportJson: async (includeSecrets) => manager().exportJson(includeSecrets),
  };
}
