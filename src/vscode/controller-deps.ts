// What the composition root (extension.ts) hands the controller: the logger, the secret store,
// the settings reader, where state lives, and how to load the core lazily (dist/core.js is kept
// out of activation). Tests and the composition root build it; the controller only reads it.
import type { Logger, ProxyConfig, ProxyHandle, SecretStore } from '../core/proxy-types.ts';
import type { KiroSettings } from './settings-to-config.ts';

export interface CoreModule {
  createProxy(
    config: ProxyConfig,
    deps: { logger: Logger; secrets: SecretStore; dashboardDir?: string; teamStateKey?: () => Promise<string | undefined> },
  ): ProxyHandle & { getConfig?(): ProxyConfig };
  defaultConfig(overrides?: Partial<ProxyConfig>): ProxyConfig;
}

export interface ControllerDeps {
  logger: Logger;
  secrets: SecretStore;
  readSettings(): KiroSettings;
  globalStorage: string;
  /** dist/ of the extension: the proxy serves the same dashboard bundle at /dashboard. */
  dashboardDir: string;
  env: Record<string, string | undefined>;
  /** Loads the core on first need (kept out of activation). */
  loadCore(): Promise<CoreModule>;
}
