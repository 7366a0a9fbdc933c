// Real proxy servers for integration tests: createProxy on port 0 with a temp home, an empty SSO
// cache, an in-memory secret store and a capturing logger. Two flavours:
//   startTestProxy(overrides?)      — `mock: true`, the proxy's own in-process mock upstream.
//   startProxyWithMock(options?)    — a standalone mock (so tests can enqueue steps and read
//                                     `mock.requests`) + a proxy pointed at it through
//                                     `endpoints` and a creds file made from mock.addAccount.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProxy, type Proxy } from '../../src/core/proxy.ts';
import { defaultConfig } from '../../src/core/config.ts';
import {
  startMockKiro,
  type MockAccount,
  type MockKiro,
  type MockKiroOptions,
  type AddAccountOptions,
  type RecordedRequest,
} from '../../src/core/kiro-mock/index.ts';
import type { Logger, ProxyConfig, RequestLogEntry, SecretStore } from '../../src/core/proxy-types.ts';

interface LogLine {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  msg: string;
}

export interface CapturedLogger extends Logger {
  lines: LogLine[];
  /** Lines at `level`, joined — handy in assertion messages. */
  text(level?: LogLine['level']): string;
}

/** A logger that keeps every line (and prints nothing unless KIRO_TEST_LOG=1). */
export function captureLogger(): CapturedLogger {
  const lines: LogLine[] = [];
  const echo = process.env['KIRO_TEST_LOG'] === '1';
  const at =
    (level: LogLine['level']) =>
    (msg: string, ...args: unknown[]) => {
      const text = args.length ? `${msg} ${args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}` : msg;
      lines.push({ level, msg: text });
      if (echo) process.stderr.write(`[proxy ${level}] ${text}\n`);
    };
  return {
    lines,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    text: (level) =>
      lines
        .filter((l) => !level || l.level === level)
        .map((l) => `${l.level}: ${l.msg}`)
        .join('\n'),
  };
}

export function memorySecretStore(): SecretStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    get: async (k) => map.get(k),
    set: async (k, v) => {
      map.set(k, v);
    },
    delete: async (k) => {
      map.delete(k);
    },
  };
}

export interface TestProxy {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  proxy: Proxy;
  logger: CapturedLogger;
  /** The proxy's request log (newest last). */
  logs(): RequestLogEntry[];
  /** Polls the request log until `pred` holds for `count` entries (the log is written when a response ends). */
  waitForLogs(pred: (e: RequestLogEntry) => boolean, count?: number, timeoutMs?: number): Promise<RequestLogEntry[]>;
  home: string;
  close(): Promise<void>;
}

async function pollUntil<T>(fn: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function launch(config: ProxyConfig, dir: string, extraClose: () => Promise<void>): Promise<TestProxy> {
  const logger = captureLogger();
  const proxy = createProxy(config, { logger, secrets: memorySecretStore() });
  let started: { url: string; port: number };
  try {
    started = await proxy.start();
  } catch (err) {
    await extraClose();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  let closed = false;
  const logs = () =>
    proxy
      .logs()
      .slice()
      .sort((a, b) => a.time - b.time);
  return {
    url: started.url,
    port: started.port,
    proxy,
    logger,
    home: config.home,
    logs,
    waitForLogs: (pred, count = 1, timeoutMs = 5000) =>
      pollUntil(
        () => {
          const hits = logs().filter(pred);
          return hits.length >= count ? hits : undefined;
        },
        timeoutMs,
        `${count} request log entr${count === 1 ? 'y' : 'ies'}`,
      ),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await proxy.stop();
      } finally {
        await extraClose();
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

async function tempDirs(): Promise<{ dir: string; home: string; ssoCache: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kiro-proxy-test-'));
  return { dir, home: join(dir, 'home'), ssoCache: join(dir, 'sso-cache-empty') };
}

/** The proxy in `mock: true` mode (its own in-process mock upstream). */
export async function startTestProxy(overrides: Partial<ProxyConfig> = {}): Promise<TestProxy> {
  const { dir, home, ssoCache } = await tempDirs();
  const config = defaultConfig({ port: 0, mock: true, home, ssoCache, importSsoCacheOnStart: false, ...overrides });
  return launch(config, dir, async () => undefined);
}

export interface ProxyWithMock extends TestProxy {
  mock: MockKiro;
  /** The mock's chat (generateAssistantResponse) requests. */
  chats(): RecordedRequest[];
  /** Chat requests the mock's validation rejected (should be none). */
  rejected(): RecordedRequest[];
  credsFile: string;
}

export interface ProxyWithMockOptions {
  mock?: MockKiroOptions;
  /** One entry per account (default: one social account). */
  accounts?: AddAccountOptions[];
  config?: Partial<ProxyConfig>;
}

/** A mock account as a creds-file entry (the Kiro token-file form). */
export function credentialOf(m: MockAccount): Record<string, unknown> {
  return {
    accessToken: m.accessToken,
    refreshToken: m.refreshToken,
    expiresAt: new Date(m.accessTokenExpiresAt).toISOString(),
    authMethod: m.authMethod === 'idc' ? 'IdC' : 'social',
    provider: m.provider,
    ...(m.profileArn ? { profileArn: m.profileArn } : {}),
    ...(m.clientId ? { clientId: m.clientId } : {}),
    ...(m.clientSecret ? { clientSecret: m.clientSecret } : {}),
    region: 'us-east-1',
  };
}

/** A standalone mock Kiro + a real proxy pointed at it (endpoints + a creds file). */
export async function startProxyWithMock(options: ProxyWithMockOptions = {}): Promise<ProxyWithMock> {
  const mock = await startMockKiro(options.mock ?? {});
  const { dir, home, ssoCache } = await tempDirs();
  const creds = (options.accounts ?? [{}]).map((a) => credentialOf(mock.addAccount({ authMethod: 'social', provider: 'Google', ...a })));
  const credsFile = join(dir, 'creds.json');
  await writeFile(credsFile, JSON.stringify(creds), { mode: 0o600 });
  const config = defaultConfig({
    port: 0,
    mock: false,
    home,
    ssoCache,
    importSsoCacheOnStart: false,
    credsFile,
    endpoints: { ...mock.endpoints },
    ...options.config,
  });
  const tp = await launch(config, dir, () => mock.close());
  return {
    ...tp,
    mock,
    credsFile,
    chats: () => mock.chatRequests(),
    rejected: () => mock.chatRequests().filter((r) => r.validation && !r.validation.ok),
  };
}

/** Reads a whole SSE body into its `event`/`data` records. */
export async function readSse(res: Response): Promise<{ event: string | undefined; data: string }[]> {
  const text = await res.text();
  const out: { event: string | undefined; data: string }[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    if (!block.trim()) continue;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (event !== undefined || data.length) out.push({ event, data: data.join('\n') });
  }
  return out;
}
