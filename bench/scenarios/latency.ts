// Added latency per non-streaming request: the same request shape sent sequentially (one in
// flight) to the mock directly and through the proxy, in interleaved rounds after a warm-up.
import { call, type Target } from '../lib/loadgen.ts';
import { arms, scaled, type BenchContext, type ScenarioResult } from '../lib/context.ts';
import { summarise, type Summary } from '../lib/stats.ts';
import { startFloorProxy } from '../lib/procs.ts';
import { PROMPTS } from '../lib/requests.ts';
import { claudeCodeRequest } from '../lib/claude-code-request.ts';

async function sequential(t: Target, n: number, into: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await call(t);
    if (r.status !== 200) throw new Error(`${t.name}: HTTP ${r.status}`);
    into.push(r.totalMs);
  }
}

/** Interleaved rounds, rotating which arm goes first, so drift on the machine hits every arm. */
async function interleaved<K extends string>(targets: { direct: Target; proxy: Target } & Record<K, Target>, rounds: number, perRound: number, warmup: number) {
  const names = Object.keys(targets) as (K | 'direct' | 'proxy')[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<string, number[]>;
  for (const n of names) await sequential(targets[n], warmup, []);
  for (let r = 0; r < rounds; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length]!);
    for (const arm of order) await sequential(targets[arm], perRound, samples[arm]!);
  }
  const out = Object.fromEntries(names.map((n) => [n, summarise(samples[n]!)])) as Record<string, Summary>;
  return out as Record<'direct' | 'proxy', Summary> & Partial<Record<K, Summary>>;
}

export async function latency(ctx: BenchContext): Promise<ScenarioResult> {
  const t = await arms(ctx, PROMPTS.short, false);
  // Third arm: the thinnest Node proxy in front of the same mock (bench/floor-proxy.ts).
  const floorProc = await startFloorProxy(t.direct.url, t.direct.headers);
  let s;
  try {
    const floor: Target = { ...t.direct, name: 'floor', url: floorProc.url };
    s = await interleaved({ ...t, floor }, scaled(ctx, 10, 2), scaled(ctx, 150, 20), scaled(ctx, 300, 50));
  } finally {
    await floorProc.stop();
  }
  const f = s.floor!;
  ctx.log(`latency: direct p50 ${s.direct.p50.toFixed(3)} ms, floor p50 ${f.p50.toFixed(3)} ms, proxy p50 ${s.proxy.p50.toFixed(3)} ms`);
  return {
    id: 'latency',
    title: 'Added latency, non-streaming request (sequential, 1 in flight)',
    rows: [
      {
        metric: 'p50 latency',
        direct: s.direct.p50,
        proxy: s.proxy.p50,
        added: s.proxy.p50 - s.direct.p50,
        ratio: s.proxy.p50 / s.direct.p50,
        unit: 'ms',
        target: 'added ≤ 0.3 ms',
        met: s.proxy.p50 - s.direct.p50 <= 0.3,
      },
      {
        metric: 'p99 latency',
        direct: s.direct.p99,
        proxy: s.proxy.p99,
        added: s.proxy.p99 - s.direct.p99,
        ratio: s.proxy.p99 / s.direct.p99,
        unit: 'ms',
        target: 'added ≤ 2 ms',
        met: s.proxy.p99 - s.direct.p99 <= 2,
      },
      {
        metric: 'floor: thinnest Node proxy, p50',
        direct: s.direct.p50,
        proxy: f.p50,
        added: f.p50 - s.direct.p50,
        ratio: f.p50 / s.direct.p50,
        unit: 'ms',
        note: "node:http in, undici out, body piped: the platform's share of the added latency",
      },
      { metric: 'floor: thinnest Node proxy, p99', direct: s.direct.p99, proxy: f.p99, added: f.p99 - s.direct.p99, ratio: f.p99 / s.direct.p99, unit: 'ms' },
      { metric: 'kiro-proxy above the floor, p50', proxy: s.proxy.p50 - f.p50, unit: 'ms', note: 'parsing, normalising, translating, pool, logging' },
    ],
    notes: [
      `${s.proxy.n} samples per arm; POST /v1/messages (Anthropic, stream: false) vs the captured generateAssistantResponse; arms interleaved in rotating order.`,
    ],
    raw: s,
  };
}

export async function bigRequest(ctx: BenchContext): Promise<ScenarioResult> {
  const body = claudeCodeRequest(200_000, false);
  const t = await arms(ctx, { body }, false);
  const s = await interleaved(t, scaled(ctx, 6, 2), scaled(ctx, 25, 5), scaled(ctx, 30, 5));
  ctx.log(`200 KB request: direct p50 ${s.direct.p50.toFixed(3)} ms, proxy p50 ${s.proxy.p50.toFixed(3)} ms`);
  return {
    id: 'big-request',
    title: `Claude Code-sized request (${Math.round(body.length / 1000)} KB client body, ${Math.round(t.direct.body.length / 1000)} KB Kiro body), non-streaming`,
    rows: [
      {
        metric: 'p50 latency',
        direct: s.direct.p50,
        proxy: s.proxy.p50,
        added: s.proxy.p50 - s.direct.p50,
        ratio: s.proxy.p50 / s.direct.p50,
        unit: 'ms',
        target: 'added < 2 ms',
        met: s.proxy.p50 - s.direct.p50 < 2,
      },
      { metric: 'p99 latency', direct: s.direct.p99, proxy: s.proxy.p99, added: s.proxy.p99 - s.direct.p99, ratio: s.proxy.p99 / s.direct.p99, unit: 'ms' },
    ],
    notes: ['End to end: reading, parsing, normalising, re-serialising and sending 200 KB, plus receiving and translating the answer.'],
    raw: s,
  };
}
