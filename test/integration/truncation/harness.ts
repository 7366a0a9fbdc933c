// A real proxy (createProxy, port 0) in front of a standalone strict mock Kiro, wired the way a
// user would: the mock's endpoints and a creds file holding one of its accounts.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockKiro, createMockModeAccount, type MockKiro, type MockKiroOptions } from '../../../src/core/kiro-mock/index.ts';
import { createProxy, type Proxy } from '../../../src/core/proxy.ts';
import { defaultConfig } from '../../../src/core/config.ts';
import type { Logger, SecretStore, TruncationConfig } from '../../../src/core/proxy-types.ts';

export interface Harness {
  mock: MockKiro;
  proxy: Proxy;
  url: string;
  logs: { level: string; msg: string }[];
  close(): Promise<void>;
}

function memorySecrets(): SecretStore {
  const m = new Map<string, string>();
  return {
    get: async (k) => m.get(k),
    set: async (k, v) => void m.set(k, v),
    delete: async (k) => void m.delete(k),
  };
}

export async function startHarness(opts: { mock?: MockKiroOptions; truncation?: Partial<TruncationConfig> } = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'kp-trunc-'));
  const home = join(dir, 'home');
  const sso = join(dir, 'sso');
  await mkdir(home, { recursive: true });
  await mkdir(sso, { recursive: true });
  const mock = await startMockKiro(opts.mock);
  const credsFile = join(dir, 'creds.json');
  await writeFile(credsFile, JSON.stringify(createMockModeAccount(mock)));
  const logs: { level: string; msg: string }[] = [];
  const at = (level: string) => (msg: string) => void logs.push({ level, msg });
  const logger: Logger = { trace: () => {}, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  const base = defaultConfig();
  const proxy = createProxy(
    defaultConfig({
      port: 0,
      home,
      ssoCache: sso,
      credsFile,
      endpoints: mock.endpoints,
      importSsoCacheOnStart: false,
      truncation: { ...base.truncation, ...opts.truncation },
    }),
    { logger, secrets: memorySecrets() },
  );
  const { url } = await proxy.start();
  return {
    mock,
    proxy,
    url,
    logs,
    async close() {
      await proxy.stop();
      await mock.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function post(url: string, body: unknown): Promise<{ status: number; headers: Headers; text: string; json: any }> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}

/** The data objects of an SSE body. */
export function sseData(text: string): any[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
    .map((l) => JSON.parse(l.slice(6)));
}
