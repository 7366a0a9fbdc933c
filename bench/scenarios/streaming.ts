// Streaming: added time to first token, added inter-chunk delay (and proof that nothing is
// buffered), and end-to-end stream throughput with the proxy's CPU time per MB.
import { stream, type StreamResult, type Target } from '../lib/loadgen.ts';
import { arms, scaled, type BenchContext, type ScenarioResult } from '../lib/context.ts';
import { summarise } from '../lib/stats.ts';
import { PROMPTS, anthropicBody } from '../lib/requests.ts';
import { cpuSeconds } from '../lib/procs.ts';

async function sequentialStreams(t: Target, n: number, into: StreamResult[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await stream(t);
    if (r.status !== 200) throw new Error(`${t.name}: HTTP ${r.status}`);
    into.push(r);
  }
}

async function interleavedStreams(t: { direct: Target; proxy: Target }, rounds: number, perRound: number, warmup: number) {
  const out = { direct: [] as StreamResult[], proxy: [] as StreamResult[] };
  await sequentialStreams(t.direct, warmup, []);
  await sequentialStreams(t.proxy, warmup, []);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? (['direct', 'proxy'] as const) : (['proxy', 'direct'] as const);
    for (const arm of order) await sequentialStreams(t[arm], perRound, out[arm]);
  }
  return out;
}

export async function ttft(ctx: BenchContext): Promise<ScenarioResult> {
  const t = await arms(ctx, PROMPTS.ttft, true);
  const res = await interleavedStreams(t, scaled(ctx, 10, 2), scaled(ctx, 60, 10), scaled(ctx, 100, 20));
  const first = (rs: StreamResult[]) => summarise(rs.map((r) => r.eventAt[0] ?? NaN));
  const d = first(res.direct);
  const p = first(res.proxy);
  ctx.log(`ttft: direct p50 ${d.p50.toFixed(3)} ms, proxy p50 ${p.p50.toFixed(3)} ms`);
  return {
    id: 'ttft',
    title: 'Added time to first token, streaming (sequential)',
    rows: [
      {
        metric: 'p50 time to first token',
        direct: d.p50,
        proxy: p.p50,
        added: p.p50 - d.p50,
        ratio: p.p50 / d.p50,
        unit: 'ms',
        target: 'added ≤ 0.5 ms',
        met: p.p50 - d.p50 <= 0.5,
      },
      { metric: 'p99 time to first token', direct: d.p99, proxy: p.p99, added: p.p99 - d.p99, ratio: p.p99 / d.p99, unit: 'ms' },
    ],
    notes: [
      'First token: the read holding the first Kiro text frame (direct) or the first Anthropic content_block_delta (proxy); the mock sends it at once and the next one 3 ms later.',
    ],
    raw: { direct: d, proxy: p },
  };
}

export async function interChunk(ctx: BenchContext): Promise<ScenarioResult> {
  const parts = 20;
  const delayMs = 10;
  const t = await arms(ctx, PROMPTS.drip(parts, delayMs), true);
  const res = await interleavedStreams(t, scaled(ctx, 6, 2), scaled(ctx, 6, 2), 3);
  const gaps = (rs: StreamResult[]) => rs.flatMap((r) => r.eventAt.slice(1).map((at, i) => at - r.eventAt[i]!));
  const dg = gaps(res.direct);
  const pg = gaps(res.proxy);
  const d = summarise(dg);
  const p = summarise(pg);
  const complete = res.proxy.every((r) => r.eventAt.length === parts);
  // Unbuffered: every event reaches the client in its own read, about delayMs after the previous.
  // The direct arm shows how often the client side alone (a late read) merges two events.
  const separateOf = (g: number[]) => g.filter((x) => x >= delayMs * 0.5).length / Math.max(1, g.length);
  const separate = separateOf(pg);
  const separateDirect = separateOf(dg);
  // Held back: an event that reached the client with the next one, i.e. together in one read.
  const merged = res.proxy.reduce((n, r) => n + r.eventAt.filter((at, i) => i > 0 && at === r.eventAt[i - 1]).length, 0);
  const mergedDirect = res.direct.reduce((n, r) => n + r.eventAt.filter((at, i) => i > 0 && at === r.eventAt[i - 1]).length, 0);
  ctx.log(
    `inter-chunk: direct p50 ${d.p50.toFixed(3)} ms, proxy p50 ${p.p50.toFixed(3)} ms, separate ${(separate * 100).toFixed(1)}% (direct ${(separateDirect * 100).toFixed(1)}%), merged reads ${merged} (direct ${mergedDirect})`,
  );
  return {
    id: 'inter-chunk',
    title: `Inter-chunk delay: ${parts} text events ${delayMs} ms apart`,
    rows: [
      { metric: 'p50 gap between events', direct: d.p50, proxy: p.p50, added: p.p50 - d.p50, ratio: p.p50 / d.p50, unit: 'ms' },
      { metric: 'p99 gap between events', direct: d.p99, proxy: p.p99, added: p.p99 - d.p99, ratio: p.p99 / d.p99, unit: 'ms' },
      {
        metric: 'events that reached the client alone, ≥ half the pause after the previous one',
        direct: separateDirect * 100,
        proxy: separate * 100,
        unit: '%',
        note: `${pg.length} gaps per arm; below 100 % on the direct arm too means the client read late, not that anything was held`,
      },
      {
        metric: 'events delivered in the same read as the previous one',
        direct: mergedDirect,
        proxy: merged,
        unit: 'count',
        target: '≤ 1 % of events (no buffering)',
        // Buffering holds every event for the next one (merges ≈ all events); a scheduling stall on
        // a shared machine merges one pair now and then. Both arms are shown.
        met: complete && merged - mergedDirect <= pg.length / 100,
        note: `of ${pg.length} events per arm`,
      },
    ],
    raw: { direct: d, proxy: p, complete, separate, separateDirect, merged, mergedDirect },
  };
}

export async function streamThroughput(ctx: BenchContext): Promise<ScenarioResult> {
  const events = 20_000;
  // max_tokens above the answer's size, so the output limiter never cuts the stream.
  const t = await arms(ctx, { body: anthropicBody(PROMPTS.bulk(events), true, 1_000_000) }, true);
  const n = scaled(ctx, 8, 2);
  await sequentialStreams(t.direct, 2, []);
  await sequentialStreams(t.proxy, 2, []);
  const direct: StreamResult[] = [];
  const proxy: StreamResult[] = [];
  let proxyCpu = 0;
  for (let i = 0; i < n; i++) {
    await sequentialStreams(t.direct, 1, direct);
    const c0 = cpuSeconds(ctx.proxy.pid);
    await sequentialStreams(t.proxy, 1, proxy);
    proxyCpu += cpuSeconds(ctx.proxy.pid) - c0;
  }
  const kiroBytes = direct[0]!.bytes;
  const sseBytes = proxy[0]!.bytes;
  if (proxy.some((r) => r.eventAt.length !== events)) throw new Error(`stream-throughput: the proxy did not forward all ${events} events`);
  // Body time: first byte to last byte, so request handling is not counted as streaming.
  const mbps = (rs: StreamResult[], bytes: number) => summarise(rs.map((r) => bytes / 1e6 / ((r.totalMs - r.headersMs) / 1000)));
  const d = mbps(direct, kiroBytes);
  const p = mbps(proxy, kiroBytes);
  const perCore = (kiroBytes * n) / 1e6 / proxyCpu;
  ctx.log(`throughput: direct ${d.p50.toFixed(1)} MB/s, proxy ${p.p50.toFixed(1)} MB/s, proxy ${perCore.toFixed(1)} MB/s per CPU-second`);
  return {
    id: 'stream-throughput',
    title: `Stream throughput end to end: ${events} text events (${(kiroBytes / 1e6).toFixed(2)} MB of Kiro frames → ${(sseBytes / 1e6).toFixed(2)} MB of SSE)`,
    rows: [
      { metric: 'wall-clock rate (Kiro MB in / s)', direct: d.p50, proxy: p.p50, ratio: p.p50 / d.p50, unit: 'MB/s' },
      {
        metric: 'proxy CPU cost (Kiro MB per CPU-second)',
        proxy: perCore,
        unit: 'MB/s/core',
        note: 'all proxy work for the request: HTTP in and out, decode, translate',
      },
    ],
    raw: { direct: d, proxy: p, proxyCpuSeconds: proxyCpu, streams: n, kiroBytes, sseBytes },
  };
}
