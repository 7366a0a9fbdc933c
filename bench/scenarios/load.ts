// Concurrency: requests per second with 64 in flight (closed loop), and memory with 1,000
// concurrent long-lived streams.
import { performance } from 'node:perf_hooks';
import { call, stream, pool, type StreamResult, type Target } from '../lib/loadgen.ts';
import { arms, proxyTarget, scaled, type BenchContext, type ScenarioResult } from '../lib/context.ts';
import { median, summarise } from '../lib/stats.ts';
import { PROMPTS, anthropicBody } from '../lib/requests.ts';
import { cpuSeconds, rssBytes } from '../lib/procs.ts';

async function closedLoop(t: Target, concurrency: number, seconds: number) {
  const end = performance.now() + seconds * 1000;
  const lat: number[] = [];
  let errors = 0;
  const worker = async () => {
    while (performance.now() < end) {
      const r = await call(t);
      if (r.status === 200) lat.push(r.totalMs);
      else errors++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  return { rps: lat.length / elapsed, lat, errors };
}

export async function rps(ctx: BenchContext): Promise<ScenarioResult> {
  const concurrency = 64;
  const seconds = scaled(ctx, 4, 1);
  const rounds = 2;
  const t = await arms(ctx, PROMPTS.short, false);
  await closedLoop(t.direct, concurrency, 1);
  await closedLoop(t.proxy, concurrency, 1);
  const out = { direct: { rps: [] as number[], lat: [] as number[], errors: 0 }, proxy: { rps: [] as number[], lat: [] as number[], errors: 0 } };
  let proxyCpu = 0;
  let proxyRequests = 0;
  for (let r = 0; r < rounds; r++) {
    for (const arm of r % 2 === 0 ? (['direct', 'proxy'] as const) : (['proxy', 'direct'] as const)) {
      const c0 = cpuSeconds(ctx.proxy.pid);
      const res = await closedLoop(t[arm], concurrency, seconds);
      if (arm === 'proxy') {
        proxyCpu += cpuSeconds(ctx.proxy.pid) - c0;
        proxyRequests += res.lat.length;
      }
      out[arm].rps.push(res.rps);
      out[arm].lat.push(...res.lat);
      out[arm].errors += res.errors;
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const d = mean(out.direct.rps);
  const p = mean(out.proxy.rps);
  const dl = summarise(out.direct.lat);
  const pl = summarise(out.proxy.lat);
  const cpuMsPerReq = (proxyCpu * 1000) / proxyRequests;
  ctx.log(`rps@64: direct ${d.toFixed(0)}, proxy ${p.toFixed(0)} (${cpuMsPerReq.toFixed(3)} ms proxy CPU per request)`);
  return {
    id: 'rps',
    title: `Requests per second, ${concurrency} concurrent (closed loop, non-streaming)`,
    rows: [
      { metric: 'requests per second', direct: d, proxy: p, ratio: p / d, unit: 'req/s' },
      { metric: 'p50 latency under load', direct: dl.p50, proxy: pl.p50, added: pl.p50 - dl.p50, ratio: pl.p50 / dl.p50, unit: 'ms' },
      { metric: 'p99 latency under load', direct: dl.p99, proxy: pl.p99, added: pl.p99 - dl.p99, ratio: pl.p99 / dl.p99, unit: 'ms' },
      { metric: 'proxy CPU per request', proxy: cpuMsPerReq, unit: 'ms' },
      { metric: 'errors', direct: out.direct.errors, proxy: out.proxy.errors, unit: 'count' },
    ],
    notes: [
      'On a 2-core machine the load generator, the mock and the proxy share the cores, so the proxy arm also pays for the CPU the proxy takes from the other two; the CPU per request is the figure that carries to bigger machines.',
    ],
    raw: { direct: { rps: out.direct.rps, lat: dl }, proxy: { rps: out.proxy.rps, lat: pl }, proxyCpu, proxyRequests },
  };
}

interface ManyResult {
  results: (StreamResult | Error)[];
  peakRss: number;
  /** Median RSS while every stream was open (steadier than the peak, which moves with GC timing). */
  openRss: number;
  wall: number;
}

/** Opens `count` streams staggered over ~1 s (as real clients arrive); all are open together. */
async function openMany(target: Target, count: number, rssOf: number | undefined): Promise<ManyResult> {
  let peakRss = rssOf ? rssBytes(rssOf) : 0;
  let open = 0;
  const openSamples: number[] = [];
  const sampler = setInterval(() => {
    if (!rssOf) return;
    const rss = rssBytes(rssOf);
    peakRss = Math.max(peakRss, rss);
    if (open === count) openSamples.push(rss);
  }, 100);
  const t0 = performance.now();
  try {
    const results = await pool(count, count, (i) =>
      new Promise<void>((r) => setTimeout(r, i))
        .then(() => {
          open++;
          return stream(target);
        })
        .catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))
        .finally(() => {
          // The first stream to end closes the "all open" window.
          if (open === count) open = -1;
        }),
    );
    return { results, peakRss, openRss: median(openSamples), wall: (performance.now() - t0) / 1000 };
  } finally {
    clearInterval(sampler);
  }
}

function streamHealth(m: ManyResult, parts: number, delayMs: number) {
  const ok = m.results.filter((r): r is StreamResult => !(r instanceof Error) && r.status === 200);
  const failed = m.results.length - ok.length;
  const incomplete = ok.filter((r) => r.eventAt.length !== parts).length;
  // Stalled: an event that arrived more than twice the scripted pause after the previous one.
  const gaps = ok.flatMap((r) => r.eventAt.slice(1).map((at, i) => at - r.eventAt[i]!));
  const stalled = ok.filter((r) => r.eventAt.slice(1).some((at, i) => at - r.eventAt[i]! > delayMs * 2)).length;
  return { failed, incomplete, stalled, gap: summarise(gaps) };
}

export async function manyStreams(ctx: BenchContext): Promise<ScenarioResult> {
  const streams = 1_000;
  const parts = 12;
  const delayMs = 1_000;
  const { proxy, direct } = await arms(ctx, PROMPTS.drip(parts, delayMs), true);
  // Warm the proxy's paths, then let it settle before the idle reading.
  await pool(20, 20, () => call(proxyTarget(ctx, anthropicBody(PROMPTS.short, true))));
  await new Promise((r) => setTimeout(r, 1000));
  const idle = rssBytes(ctx.proxy.pid);
  const d = await openMany(direct, streams, undefined);
  const p = await openMany(proxy, streams, ctx.proxy.pid);
  const dh = streamHealth(d, parts, delayMs);
  const ph = streamHealth(p, parts, delayMs);
  const mb = (b: number) => b / (1024 * 1024);
  const bad = ph.failed + ph.incomplete + ph.stalled;
  ctx.log(
    `1000 streams: idle ${mb(idle).toFixed(1)} MiB, all open ${mb(p.openRss).toFixed(1)} MiB, peak ${mb(p.peakRss).toFixed(1)} MiB, failed ${ph.failed}, incomplete ${ph.incomplete}, stalled ${ph.stalled}`,
  );
  return {
    id: 'streams-1000',
    title: `${streams} concurrent long-lived streams (${parts} events ${delayMs} ms apart, ~${Math.round(((parts - 1) * delayMs) / 1000)} s each)`,
    rows: [
      { metric: 'proxy RSS, idle before', proxy: mb(idle), unit: 'MiB' },
      { metric: 'proxy RSS, median while all streams are open', proxy: mb(p.openRss), unit: 'MiB', target: '< 150 MB', met: p.openRss < 150e6 },
      { metric: 'proxy RSS, peak', proxy: mb(p.peakRss), unit: 'MiB', target: '< 150 MB', met: p.peakRss < 150e6 },
      {
        metric: 'streams failed / incomplete / stalled',
        direct: dh.failed + dh.incomplete + dh.stalled,
        proxy: bad,
        unit: 'count',
        target: '0',
        met: bad === 0,
        note: `proxy: ${ph.failed} failed, ${ph.incomplete} incomplete, ${ph.stalled} stalled (a gap > ${2 * delayMs} ms)`,
      },
      { metric: 'gap between events, p50', direct: dh.gap.p50, proxy: ph.gap.p50, added: ph.gap.p50 - dh.gap.p50, unit: 'ms', note: `scripted ${delayMs} ms` },
      { metric: 'gap between events, p99', direct: dh.gap.p99, proxy: ph.gap.p99, added: ph.gap.p99 - dh.gap.p99, unit: 'ms' },
    ],
    notes: [
      `The direct arm opens the same ${streams} streams on the mock first (baseline for the mock's own timer jitter). RSS sampled every 100 ms from /proc.`,
    ],
    raw: { idle, peak: p.peakRss, open: p.openRss, direct: dh, proxy: ph, wall: { direct: d.wall, proxy: p.wall } },
  };
}
