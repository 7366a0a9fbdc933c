import { homedir } from 'node:os';
import { join } from 'node:path';
import { schemaDefaults, type ProxyConfig } from './config/schema.ts';

/** The defaults of design §3 (declared in config/schema.ts), overridable per host (CLI flags/env, VS Code settings, tests). */
export function defaultConfig(overrides: Partial<ProxyConfig> = {}): ProxyConfig {
  const home = homedir();
  return {
    ...schemaDefaults({ home: join(home, '.kiro-proxy'), ssoCache: join(home, '.aws', 'sso', 'cache') }),
    ...overrides,
  };
}
