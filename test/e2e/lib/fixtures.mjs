// Temp state the extension is pointed at through the environment: an SSO cache holding one Kiro
// IDE token file (shape as the Kiro IDE writes kiro-auth-token.json; values are fake, the mock
// upstream accepts them), and an empty KIRO_PROXY_HOME.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function makeSsoCache(root) {
  const dir = join(root, 'sso-cache');
  mkdirSync(dir, { recursive: true });
  const token = {
    accessToken: 'e2e-fake-access-token',
    refreshToken: 'e2e-fake-refresh-token',
    expiresAt: new Date(Date.now() + 6 * 3600_000).toISOString(),
    authMethod: 'social',
    provider: 'Google',
    // A well-formed ARN: the strict mock rejects the all-zero account id as Kiro would.
    profileArn: 'arn:aws:codewhisperer:us-east-1:123456789012:profile/E2EFAKEPROF1',
    region: 'us-east-1',
  };
  writeFileSync(join(dir, 'kiro-auth-token.json'), JSON.stringify(token, null, 2), { mode: 0o600 });
  return { dir, provider: token.provider };
}

export function makeHome(root) {
  const dir = join(root, 'kiro-proxy-home');
  mkdirSync(dir, { recursive: true });
  return dir;
}
