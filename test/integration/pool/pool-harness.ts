// The real thing end to end below the HTTP server: strict mock Kiro + real undici client + real
// token managers + the pool. The pool's clock is manual (cooldown recovery without sleeping);
// token expiry and the mock use the wall clock.
import { startMockKiro, type AddAccountOptions, type MockKiro, type MockKiroOptions } from '../../../src/core/kiro-mock/server.ts';
import { createKiroClient } from '../../../src/core/kiro/client.ts';
import { machineIdFor } from '../../../src/core/kiro/request-headers.ts';
import type { KiroEvent } from '../../../src/core/kiro/kiro-event.ts';
import type { KiroClient } from '../../../src/core/kiro/types.ts';
import type { KiroRequestBody } from '../../../src/core/kiro/wire.ts';
import type { KiroCredential } from '../../../src/core/accounts/credentials/credential.ts';
import { TokenManager } from '../../../src/core/accounts/tokens/token-manager.ts';
import { refreshCredential } from '../../../src/core/accounts/tokens/token-refresh.ts';
import { createAccountPool, type ManagedAccountPool, type PoolConfig, type PoolTuning } from '../../../src/core/accounts/pool/pool.ts';
import { manualClock, recordingLogger, type ManualClock } from '../../unit/accounts/pool-fakes.ts';

export interface HarnessAccount {
  id: string;
  tokens: TokenManager;
}

export interface PoolHarness {
  mock: MockKiro;
  client: KiroClient;
  pool: ManagedAccountPool;
  clock: ManualClock;
  logger: ReturnType<typeof recordingLogger>;
  accounts: Record<string, HarnessAccount>;
  /** Chat requests the mock received for one account. */
  chatsFor(id: string): number;
  close(): Promise<void>;
}

export interface HarnessOptions {
  accounts: (AddAccountOptions & { id: string })[];
  mock?: MockKiroOptions;
  config?: Partial<PoolConfig>;
  tuning?: Partial<PoolTuning>;
  /** Receives every refreshed credential (rotation persistence tests). */
  persist?: (id: string, credential: KiroCredential) => Promise<void> | void;
}

export function credentialOf(mock: MockKiro, id: string, withAccessToken = true): KiroCredential {
  const m = mock.account(id)!;
  const cred: KiroCredential = { kind: m.authMethod === 'idc' ? 'idc' : 'social', refreshToken: m.refreshToken, provider: m.provider };
  if (withAccessToken) {
    cred.accessToken = m.accessToken;
    cred.expiresAt = m.accessTokenExpiresAt;
  }
  if (m.profileArn) cred.profileArn = m.profileArn;
  if (m.clientId) cred.clientId = m.clientId;
  if (m.clientSecret) cred.clientSecret = m.clientSecret;
  return cred;
}

export async function startPoolHarness(options: HarnessOptions): Promise<PoolHarness> {
  const mock = await startMockKiro(options.mock);
  const client = createKiroClient({ endpoints: mock.endpoints });
  const clock = manualClock(Date.now());
  const logger = recordingLogger();
  const pool = createAccountPool({
    client,
    clock,
    logger,
    random: () => 0.5,
    config: {
      selectionStrategy: 'least-used',
      cooldownSeconds: 300,
      accountConcurrency: 8,
      requestTimeoutMs: 10_000,
      firstTokenTimeoutMs: 5_000,
      region: 'us-east-1',
      ...options.config,
    },
    tuning: { backoff: { baseMs: 5, maxMs: 20 }, quotaRefreshIntervalMs: 0, ...options.tuning },
  });
  const accounts: Record<string, HarnessAccount> = {};
  for (const a of options.accounts) {
    const m = mock.addAccount(a);
    const tokens = new TokenManager({
      credential: credentialOf(mock, m.id),
      refresh: (cred, signal) => refreshCredential(mock.endpoints, cred, signal),
      persist: (cred) => options.persist?.(m.id, cred),
      clock: { now: () => Date.now() },
      logger,
      label: m.id,
    });
    accounts[m.id] = { id: m.id, tokens };
    pool.add({
      id: m.id,
      label: `mock ${m.id}`,
      source: 'mock',
      authMethod: m.authMethod,
      provider: m.provider,
      tokens,
      ...(m.profileArn ? { profileArn: m.profileArn } : {}),
      machineId: machineIdFor(m.id),
    });
  }
  return {
    mock,
    client,
    pool,
    clock,
    logger,
    accounts,
    chatsFor: (id) => mock.chatRequests().filter((r) => r.accountId === id).length,
    async close() {
      pool.dispose();
      for (const a of Object.values(accounts)) a.tokens.dispose();
      await client.close();
      await mock.close();
    },
  };
}

export function chatBody(content = 'hello'): KiroRequestBody {
  return {
    conversationState: {
      chatTriggerType: 'MANUAL',
      conversationId: '11111111-2222-4333-8444-555555555555',
      currentMessage: { userInputMessage: { content, modelId: 'claude-sonnet-4.5', origin: 'AI_EDITOR' } },
    },
  };
}

/** One complete request through the pool. */
export async function ask(h: PoolHarness, opts: { stickyKey?: string; content?: string } = {}) {
  const lease = await h.pool.execute({
    body: chatBody(opts.content),
    modelId: 'claude-sonnet-4.5',
    signal: new AbortController().signal,
    ...(opts.stickyKey !== undefined ? { stickyKey: opts.stickyKey } : {}),
  });
  const events: KiroEvent[] = [];
  try {
    for await (const e of lease.events) events.push(e);
    lease.release({ ok: true });
  } catch (err) {
    lease.release({ ok: false, error: err });
    throw err;
  }
  const text = events.map((e) => (e.type === 'assistantResponse' ? e.content : '')).join('');
  return { lease, events, text };
}
