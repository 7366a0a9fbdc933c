// Test doubles for the pool: a scripted KiroClient, token sources and a clock whose "now" only
// moves when the test says so (timers stay real, and tests keep them short).
import type { KiroEvent } from '../../../src/core/kiro/kiro-event.ts';
import {
  KiroUpstreamError,
  type KiroAccountContext,
  type KiroClient,
  type KiroStreamResponse,
  type UsageLimits,
  type UpstreamErrorClass,
} from '../../../src/core/kiro/types.ts';
import type { KiroRequestBody } from '../../../src/core/kiro/wire.ts';
import type { PoolAccount } from '../../../src/core/accounts/pool/pool-account.ts';
import { createAccountPool, type AccountPoolOptions, type ManagedAccountPool, type PoolConfig, type PoolTuning } from '../../../src/core/accounts/pool/pool.ts';
import type { Clock, Logger } from '../../../src/core/proxy-types.ts';

export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(t: number): void;
}

export function manualClock(start = T0): ManualClock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
    set(v) {
      t = v;
    },
    setTimeout(fn, ms) {
      const h = setTimeout(fn, Math.min(ms, 2_147_483_647));
      return { clear: () => clearTimeout(h) };
    },
  };
}

export interface LogLine {
  level: keyof Logger;
  msg: string;
}

export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: keyof Logger) => (msg: string) => void lines.push({ level, msg });
  return { lines, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Tokens look like `tok-<account>-<generation>` so the fake client knows whose call it is. */
export class FakeTokens {
  readonly id: string;
  generation = 1;
  refreshes = 0;
  state: 'ok' | 'needs_login' = 'ok';
  /** Next refresh fails with this; `permanent` flips the state to needs_login. */
  failRefresh: { message: string; permanent: boolean } | undefined;
  /** Makes every refresh wait this long (concurrency tests). */
  refreshDelayMs = 0;
  #inflight: Promise<void> | undefined;
  constructor(id: string) {
    this.id = id;
  }
  get token(): string {
    return `tok-${this.id}-${this.generation}`;
  }
  status() {
    return { expiresAt: T0 + 3_600_000 };
  }
  async getAccessToken(opts: { signal: AbortSignal; forceRefresh?: boolean; rejectedToken?: string }): Promise<string> {
    opts.signal.throwIfAborted();
    if (this.state === 'needs_login') throw new Error(`${this.id} needs a new login`);
    const force = opts.forceRefresh === true && (opts.rejectedToken === undefined || opts.rejectedToken === this.token);
    if (force) {
      this.#inflight ??= this.#refresh().finally(() => (this.#inflight = undefined));
      await this.#inflight;
    }
    return this.token;
  }
  async #refresh(): Promise<void> {
    this.refreshes++;
    if (this.refreshDelayMs > 0) await new Promise((r) => setTimeout(r, this.refreshDelayMs));
    const f = this.failRefresh;
    if (f) {
      this.failRefresh = undefined;
      if (f.permanent) this.state = 'needs_login';
      throw new Error(f.message);
    }
    this.generation++;
  }
}

export type Step =
  | { kind: 'ok'; events?: KiroEvent[] }
  | { kind: 'error'; error: KiroUpstreamError }
  /** Never answers until aborted. */
  | { kind: 'hang' }
  /** Headers arrive, then no event until aborted. */
  | { kind: 'silent' }
  /** A stream that throws on its first read. */
  | { kind: 'broken'; error: unknown }
  /** Rejects only for one specific token (bearer invalid until refreshed). */
  | { kind: 'rejectToken'; token: string; error: KiroUpstreamError };

export interface Call {
  account: string;
  token: string;
  profileArn: string | undefined;
  region: string;
  signal: AbortSignal;
}

export function upstreamError(cls: UpstreamErrorClass, status: number, extra: { reason?: string; retryAfterSeconds?: number; message?: string } = {}) {
  return new KiroUpstreamError({
    cls,
    status,
    message: extra.message ?? `${cls} (${status})`,
    reason: extra.reason,
    retryAfterSeconds: extra.retryAfterSeconds,
  });
}

export const textEvents = (text: string): KiroEvent[] => [
  { type: 'assistantResponse', content: text },
  { type: 'messageStop', stopReason: 'end_turn' },
];

function waitAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

async function* streamOf(events: KiroEvent[]): AsyncGenerator<KiroEvent> {
  for (const e of events) yield e;
}

export class FakeClient implements KiroClient {
  readonly calls: Call[] = [];
  readonly quotaCalls: string[] = [];
  readonly scripts = new Map<string, Step[]>();
  readonly quotas = new Map<string, UsageLimits | KiroUpstreamError>();
  closed = false;

  script(account: string, ...steps: Step[]): this {
    this.scripts.set(account, [...(this.scripts.get(account) ?? []), ...steps]);
    return this;
  }

  callsFor(account: string): Call[] {
    return this.calls.filter((c) => c.account === account);
  }

  async generateAssistantResponse(body: KiroRequestBody, ctx: KiroAccountContext, signal: AbortSignal): Promise<KiroStreamResponse> {
    const account = ctx.accessToken.split('-')[1] ?? '?';
    this.calls.push({ account, token: ctx.accessToken, profileArn: body.profileArn, region: ctx.region, signal });
    const step = this.scripts.get(account)?.shift() ?? { kind: 'ok' };
    switch (step.kind) {
      case 'ok':
        return { requestId: `req-${this.calls.length}`, events: streamOf(step.events ?? textEvents(`hello from ${account}`)) };
      case 'error':
        throw step.error;
      case 'rejectToken':
        if (ctx.accessToken === step.token) throw step.error;
        return { requestId: `req-${this.calls.length}`, events: streamOf(textEvents(`hello from ${account}`)) };
      case 'hang':
        return waitAbort(signal);
      case 'silent':
        return {
          requestId: 'req-silent',
          events: {
            [Symbol.asyncIterator]: () => ({ next: () => waitAbort(signal), return: async () => ({ done: true as const, value: undefined }) }),
          },
        };
      case 'broken':
        return {
          requestId: 'req-broken',
          events: {
            [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(step.error), return: async () => ({ done: true as const, value: undefined }) }),
          },
        };
    }
  }

  async getUsageLimits(ctx: KiroAccountContext): Promise<UsageLimits> {
    const account = ctx.accessToken.split('-')[1] ?? '?';
    this.quotaCalls.push(account);
    const q = this.quotas.get(account);
    if (q instanceof KiroUpstreamError) throw q;
    if (!q) throw upstreamError('server', 500);
    return q;
  }

  async listAvailableModels() {
    return [];
  }

  async close() {
    this.closed = true;
  }
}

export function fakeAccount(id: string, extra: Partial<PoolAccount> = {}): PoolAccount & { tokens: FakeTokens } {
  return {
    id,
    label: `acct ${id}`,
    source: `test:${id}`,
    authMethod: 'social',
    provider: 'Google',
    machineId: 'a'.repeat(64),
    tokens: new FakeTokens(id),
    ...extra,
  } as PoolAccount & { tokens: FakeTokens };
}

export const BODY: KiroRequestBody = {
  conversationState: {
    conversationId: 'c-1',
    chatTriggerType: 'MANUAL',
    currentMessage: { userInputMessage: { content: 'hello', modelId: 'claude-sonnet-4.5' } },
  },
};

export interface Harness {
  pool: ManagedAccountPool;
  client: FakeClient;
  clock: ManualClock;
  logger: ReturnType<typeof recordingLogger>;
  accounts: Record<string, PoolAccount & { tokens: FakeTokens }>;
}

const FAST_TUNING: Partial<PoolTuning> = {
  backoff: { baseMs: 1, maxMs: 4 },
  quotaRefreshIntervalMs: 0,
};

export function harness(
  ids: string[],
  config: Partial<PoolConfig> = {},
  tuning: Partial<PoolTuning> = {},
  options: Pick<AccountPoolOptions, 'team' | 'onConsequence'> = {},
): Harness {
  const client = new FakeClient();
  const clock = manualClock();
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
      requestTimeoutMs: 0,
      firstTokenTimeoutMs: 0,
      region: 'us-east-1',
      ...config,
    },
    tuning: { ...FAST_TUNING, ...tuning },
    ...options,
  });
  const accounts: Harness['accounts'] = {};
  for (const id of ids) {
    const a = fakeAccount(id);
    accounts[id] = a;
    pool.add(a);
  }
  return { pool, client, clock, logger, accounts };
}

/** Runs one request to completion and returns who served it and what it said. */
export async function serve(h: Harness, opts: { stickyKey?: string; signal?: AbortSignal } = {}) {
  const lease = await h.pool.execute({
    body: BODY,
    modelId: 'claude-sonnet-4.5',
    signal: opts.signal ?? new AbortController().signal,
    ...(opts.stickyKey !== undefined ? { stickyKey: opts.stickyKey } : {}),
  });
  const events: KiroEvent[] = [];
  for await (const e of lease.events) events.push(e);
  lease.release({ ok: true, inputTokens: 10, outputTokens: 5, credits: 0.1 });
  return { lease, events, text: events.map((e) => (e.type === 'assistantResponse' ? e.content : '')).join('') };
}

export const stateOf = (h: Harness, id: string) => h.pool.get(id)?.state;
