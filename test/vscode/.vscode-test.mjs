// @vscode/test-cli config: the extension-host suite (mocha) runs in code-server through the shim
// (no desktop VS Code download is possible offline). Run: npm run test:vscode.
import { defineConfig } from '@vscode/test-cli';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const scratch = join(repo, '.e2e', 'runs');
mkdirSync(scratch, { recursive: true });
const tmp = mkdtempSync(join(scratch, 'exthost-state-'));
const ssoCache = join(tmp, 'sso-cache');
mkdirSync(ssoCache, { recursive: true });
// Same shape as the Kiro IDE's token file; fake values, the mock upstream accepts them.
writeFileSync(
  join(ssoCache, 'kiro-auth-token.json'),
  JSON.stringify({
    accessToken: 'fake-access',
    refreshToken: 'fake-refresh',
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    authMethod: 'social',
    provider: 'Github',
  }),
);

export default defineConfig({
  label: 'extension-host',
  files: 'suite/**/*.test.cjs',
  extensionDevelopmentPath: repo,
  useInstallation: { fromPath: join(here, 'code-shim.mjs') },
  env: {
    KIRO_MOCK_MODE: 'true',
    KIRO_SSO_CACHE: ssoCache,
    KIRO_PROXY_HOME: join(tmp, 'home'),
    KIRO_TEST_SCRATCH: tmp,
    CLAUDE_CONFIG_DIR: join(tmp, 'claude'),
    CODEX_HOME: join(tmp, 'codex'),
    CONTINUE_GLOBAL_DIR: join(tmp, 'continue'),
    CLINE_DIR: join(tmp, 'cline'),
    // chat.disableAIFeatures would hide vscode.lm providers, which the suite checks.
    CODE_SHIM_SETTINGS: JSON.stringify({ 'kiroProxy.importSsoCache': 'never', 'chat.disableAIFeatures': false }),
  },
  mocha: { ui: 'bdd', timeout: 60_000, color: false },
});
