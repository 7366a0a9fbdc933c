// Shared set-up of the account-durability tests: a strict mock Kiro whose refresh tokens rotate,
// proxies built by createProxy (the real server) on port 0 with a real KIRO_PROXY_HOME and its
// 0600 secrets.json, and helpers that act as the Kiro IDE on an SSO token file.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProxy, type Proxy } from '../../../src/core/proxy.ts';
import { defaultConfig } from '../../../src/core/config.ts';
import { createFileSecretStore } from '../../../src/core/accounts/store/file-secret-store.ts';
import type { MockAccount, MockKiro } from '../../../src/core/kiro-mock/index.ts';
import type { ProxyConfig } from '../../../src/core/proxy-types.ts';
import { captureLogger, type CapturedLogger } from '../../helpers/proxy.ts';

export interface Sandbox {
  dir: string;
  home: string;
  sso: string;
  close(): Promise<void>;
}

export async function sandbox(): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'kiro-durable-'));
  const home = join(dir, 'home');
  const sso = join(dir, 'sso');
  await mkdir(sso, { recursive: true });
  return { dir, home, sso, close: () => rm(dir, { recursive: true, force: true }) };
}

export interface RunningProxy {
  proxy: Proxy;
  url: string;
  logger: CapturedLogger;
  stop(): Promise<void>;
}

export async function startProxy(mock: MockKiro, sb: Sandbox, overrides: Partial<ProxyConfig> = {}): Promise<RunningProxy> {
  const logger = captureLogger();
  const config = defaultConfig({ port: 0, home: sb.home, ssoCache: sb.sso, endpoints: { ...mock.endpoints }, selectionStrategy: 'round-robin', ...overrides });
  // As the CLI builds it: secrets.json and the refresh journal in the home.
  const proxy = createProxy(config, { logger, secrets: createFileSecretStore(join(sb.home, 'secrets.json')), refreshJournal: true });
  const { url } = await proxy.start();
  let stopped = false;
  return {
    proxy,
    url,
    logger,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await proxy.stop();
    },
  };
}

/** The Kiro token-file form the IDE writes for a mock account. */
export function tokenFile(a: MockAccount): Record<string, unknown> {
  return {
    accessToken: a.accessToken,
    refreshToken: a.refreshToken,
    expiresAt: new Date(a.accessTokenExpiresAt).toISOString(),
    authMethod: 'social',
    provider: a.provider,
    profileArn: a.profileArn,
  };
}

export async function writeJson(path: string, doc: unknown): Promise<void> {
  await writeFile(path, JSON.stringify(doc, null, 2));
}

/** One chat request through the proxy: the HTTP status. */
export async function chat(url: string, text = 'ping'): Promise<number> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-4.5', messages: [{ role: 'user', content: text }] }),
  });
  await res.arrayBuffer();
  return res.status;
}
