// A team of real proxy instances for the gateway tests: one strict mock Kiro (it counts refreshes
// and refuses a rotated-away refresh token), one creds file all instances read (the accounts get
// the same ids everywhere), and N createProxy instances in this process, each with its own home
// and secret store, all in team mode against the test's redis-server.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { defaultConfig } from '../../../src/core/config.ts';
import { startMockKiro, type AddAccountOptions, type MockKiro, type MockKiroOptions } from '../../../src/core/kiro-mock/index.ts';
import { createProxy, type Proxy } from '../../../src/core/proxy.ts';
import type { ProxyConfig } from '../../../src/core/proxy-types.ts';
import type { TeamTuning } from '../../../src/core/team/team-runtime.ts';
import { captureLogger, credentialOf, memorySecretStore, type CapturedLogger } from '../../helpers/proxy.ts';

export const STATE_KEY = randomBytes(32).toString('base64');

export interface Member {
  name: string;
  url: string;
  proxy: Proxy;
  logger: CapturedLogger;
  /** The instance's own secret store (its account records). */
  secrets: Map<string, string>;
  home: string;
  stop(): Promise<void>;
}

export interface Fleet {
  mock: MockKiro;
  credsFile: string;
  dir: string;
  /** The team's key prefix in Redis. */
  prefix: string;
  members: Member[];
  /** Starts one more instance (same creds file, same Redis). */
  add(name: string, config?: Partial<ProxyConfig>): Promise<Member>;
}

/** Fast leases so the crash and outage tests finish in seconds. */
const TEST_TUNING: TeamTuning = { lockTtlMs: 1500, presenceTtlMs: 1500, commandTimeoutMs: 2000, connectTimeoutMs: 2000 };

function credsOf(mock: MockKiro): object[] {
  return mock.accounts.map(credentialOf);
}

export async function startFleet(
  t: TestContext,
  options: {
    redisUrl: string;
    instances: number;
    accounts: AddAccountOptions[];
    mock?: MockKiroOptions;
    config?: Partial<ProxyConfig>;
    prefix?: string;
    /** file: one creds file all instances read and the refresh winner writes (one machine); base64: KIRO_OAUTH_CREDS_BASE64 as in compose.yaml (each instance keeps its own copy). */
    source?: 'file' | 'base64';
  },
): Promise<Fleet> {
  const mock = await startMockKiro(options.mock ?? {});
  const dir = await mkdtemp(join(tmpdir(), 'kiro-gateway-'));
  for (const a of options.accounts) mock.addAccount({ authMethod: 'social', provider: 'Google', rotateRefreshToken: true, ...a });
  const credsFile = join(dir, 'creds.json');
  await writeFile(credsFile, JSON.stringify(credsOf(mock)), { mode: 0o600 });
  const members: Member[] = [];
  const prefix = options.prefix ?? `gw-${randomBytes(3).toString('hex')}`;
  const add = async (name: string, extra: Partial<ProxyConfig> = {}): Promise<Member> => {
    const home = join(dir, name);
    const config = defaultConfig({
      port: 0,
      mock: false,
      home,
      ssoCache: join(dir, 'sso-empty'),
      importSsoCacheOnStart: false,
      ...(options.source === 'base64' ? { credsBase64: Buffer.from(JSON.stringify(credsOf(mock))).toString('base64') } : { credsFile }),
      endpoints: { ...mock.endpoints },
      redisUrl: options.redisUrl,
      redisPrefix: prefix,
      ...options.config,
      ...extra,
    });
    const logger = captureLogger();
    const secrets = memorySecretStore();
    const proxy = createProxy(config, { logger, secrets, teamStateKey: () => STATE_KEY, teamTuning: TEST_TUNING });
    const { url } = await proxy.start();
    const m: Member = { name, url, proxy, logger, secrets: secrets.map, home, stop: () => proxy.stop() };
    members.push(m);
    return m;
  };
  t.after(async () => {
    for (const m of members) await m.stop().catch(() => undefined);
    await mock.close();
    await rm(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < options.instances; i++) await add(String.fromCharCode(97 + i));
  return { mock, credsFile, dir, prefix, members, add };
}

/** One OpenAI chat completion; the first user message decides the conversation (stickiness). */
export async function chat(url: string, conversation = 'hello', signal?: AbortSignal): Promise<{ status: number; body: string }> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-4.5', messages: [{ role: 'user', content: conversation }] }),
    ...(signal ? { signal } : {}),
  });
  return { status: res.status, body: await res.text() };
}

export async function health(
  url: string,
): Promise<Record<string, unknown> & { status: string; team?: { redis: string; instances?: number; mode: string; instance: string } }> {
  const res = await fetch(`${url}/health`);
  return (await res.json()) as never;
}
