// The account pool's own cost per request, in process: execute → first event → drain → release
// against an upstream that answers at once, so only the pool's bookkeeping (selection, slots,
// lease, change events, timers) is measured. Several accounts, a few conversations, some
// concurrency, as the proxy sees it. CPU µs per request (median of 9 runs); prints one JSON line.
//   node bench/inproc/pool.ts [requests-per-run]
import { performance } from 'node:perf_hooks';
import { createAccountPool } from '../../src/core/accounts/pool/pool.ts';
import type { KiroEvent } from '../../src/core/kiro/kiro-event.ts';
import type { KiroClient, KiroStreamResponse } from '../../src/core/kiro/types.ts';
import type { KiroRequestBody } from '../../src/core/kiro/wire.ts';
import type { Clock, Logger } from '../../src/core/proxy-types.ts';
import { median } from '../lib/stats.ts';

const N = Number(process.argv[2] ?? 20_000);
const CONCURRENCY = 8;
const events: KiroEvent[] = [
  { type: 'assistantResponse', content: 'hello' },
  { type: 'assistantResponse', content: ' world' },
];

const client: KiroClient = {
  async generateAssistantResponse(): Promise<KiroStreamResponse> {
    let i = 0;
    const it: AsyncIterator<KiroEvent> = {
      next: () => Promise.resolve(i < events.length ? { done: false, value: events[i++]! } : { done: true, value: undefined }),
      return: () => Promise.resolve({ done: true, value: undefined }),
    };
    return { requestId: 'req', events: { [Symbol.asyncIterator]: () => it } };
  },
  getUsageLimits: () => Promise.reject(new Error('not in the bench')),
  listAvailableModels: () => Promise.resolve([]),
  close: () => Promise.resolve(),
};

const clock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const h = setTimeout(fn, ms);
    return { clear: () => clearTimeout(h) };
  },
};
const quiet = (): void => undefined;
const logger: Logger = { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet };

const pool = createAccountPool({
  client,
  clock,
  logger,
  config: {
    selectionStrategy: 'least-used',
    cooldownSeconds: 300,
    accountConcurrency: 4,
    requestTimeoutMs: 600_000,
    firstTokenTimeoutMs: 90_000,
    region: 'us-east-1',
  },
  tuning: { quotaRefreshIntervalMs: 0 },
});
for (const id of ['A', 'B', 'C', 'D']) {
  pool.add({ id, label: id, source: 'bench', authMethod: 'social', machineId: 'f'.repeat(64), tokens: { getAccessToken: () => Promise.resolve(`tok-${id}`) } });
}
// A listener, as the hosts have one (dashboard, metrics).
pool.onChange(() => undefined);

const body = (i: number): KiroRequestBody =>
  ({
    conversationState: {
      chatTriggerType: 'MANUAL',
      conversationId: `c${i}`,
      currentMessage: { userInputMessage: { content: `hi ${i}`, modelId: 'm', origin: 'AI_EDITOR' } },
    },
  }) as unknown as KiroRequestBody;
const bodies = Array.from({ length: 16 }, (_, i) => body(i));

async function one(i: number): Promise<void> {
  const lease = await pool.execute({ body: bodies[i % bodies.length]!, modelId: 'm', stickyKey: `s${i % 16}`, signal: new AbortController().signal });
  for await (const _ of lease.events) void _;
  lease.release({ ok: true, inputTokens: 10, outputTokens: 2 });
}

async function run(n: number): Promise<number> {
  const start = process.cpuUsage();
  let next = 0;
  const worker = async () => {
    while (next < n) await one(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

await run(2_000);
const samples: number[] = [];
const wall0 = performance.now();
for (let i = 0; i < 9; i++) samples.push(await run(N));
const wallMs = performance.now() - wall0;
pool.dispose();
console.log(
  JSON.stringify({
    bench: 'pool',
    requests: N,
    concurrency: CONCURRENCY,
    cpuMicrosPerRequest: Number(median(samples).toFixed(2)),
    wallMsTotal: Math.round(wallMs),
  }),
);
