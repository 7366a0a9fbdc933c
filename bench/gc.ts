// Garbage per request: the current sources bundled as dist/cli.js is, run with V8's GC trace
// (--trace-gc --trace-gc-nvp) in front of the mock; N sequential requests after a warm-up. Prints
// bytes allocated and promoted to the old generation per request, scavenge count and pauses,
// and full (mark-compact) collections. Promotion is what a request leaves behind for the
// scavenger to copy: it decides how long the pauses are that show up as p99 latency.
//
//   node bench/gc.ts [--stream] [--requests 5000]
import { createInterface } from 'node:readline';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { startMock, startProxy } from './lib/procs.ts';
import { buildCli } from './lib/build.ts';
import { call, stream } from './lib/loadgen.ts';
import { proxyTarget, type BenchContext } from './lib/context.ts';
import { anthropicBody, PROMPTS } from './lib/requests.ts';

const { values } = parseArgs({ options: { stream: { type: 'boolean', default: false }, requests: { type: 'string', default: '5000' } } });
const n = Math.max(100, Number(values.requests));

interface Gc {
  kind: string;
  pauseMs: number;
  /** Bytes allocated since the previous GC, and promoted by this one (nvp fields). */
  allocated: number;
  promoted: number;
}

/** One `--trace-gc-nvp` line: `pause=… gc=s|ms|mc … allocated=… promoted=…`. */
function parseNvp(line: string): Gc | undefined {
  if (!line.includes('pause=') || !line.includes('promoted=')) return undefined;
  const field = (name: string) => new RegExp(`(?:^|\\s)${name}=([^\\s]+)`).exec(line)?.[1];
  return { kind: field('gc') ?? '?', pauseMs: Number(field('pause')), allocated: Number(field('allocated')), promoted: Number(field('promoted')) };
}

const mock = await startMock();
const entry = await buildCli();
const proxy = await startProxy({ mock, entry, nodeArgs: ['--trace-gc', '--trace-gc-nvp'], extraArgs: ['--account-concurrency', '0'] });
const watchdog = setTimeout(() => {
  proxy.proc.kill('SIGKILL');
  process.exit(2);
}, 5 * 60_000);
watchdog.unref();
try {
  const gcs: Gc[] = [];
  // GCs before the ready line belong to start-up; only those after the warm-up are counted.
  createInterface({ input: proxy.proc.stdout! }).on('line', (line) => {
    const gc = parseNvp(line);
    if (gc) gcs.push(gc);
  });
  const target = proxyTarget({ proxy } as BenchContext, anthropicBody(values.stream ? PROMPTS.ttft : PROMPTS.short, values.stream));
  const one = () => (values.stream ? stream(target) : call(target));
  for (let i = 0; i < 500; i++) await one();
  const from = gcs.length;
  for (let i = 0; i < n; i++) await one();
  await new Promise((r) => setTimeout(r, 300));
  const seen = gcs.slice(from);
  const scavenges = seen.filter((g) => g.kind === 's');
  const full = seen.filter((g) => g.kind === 'mc' || g.kind === 'ms');
  const kib = (b: number) => (b / 1024).toFixed(1);
  const sum = (xs: Gc[], f: (g: Gc) => number) => xs.reduce((a, g) => a + f(g), 0);
  const pauses = scavenges.map((g) => g.pauseMs).sort((a, b) => a - b);
  console.log(`${n} sequential ${values.stream ? 'streaming' : 'non-streaming'} requests (POST /v1/messages, default mock reply)`);
  console.log(`  allocated per request: ${kib(sum(seen, (g) => g.allocated) / n)} KiB`);
  console.log(`  promoted per request:  ${kib(sum(seen, (g) => g.promoted) / n)} KiB`);
  console.log(
    `  scavenges: ${scavenges.length} (one per ${Math.round(n / Math.max(1, scavenges.length))} requests), pause median ${(pauses[Math.floor(pauses.length / 2)] ?? 0).toFixed(2)} ms, max ${(pauses.at(-1) ?? 0).toFixed(2)} ms`,
  );
  console.log(`  full collections: ${full.length}`);
} finally {
  await proxy.stop();
  await mock.stop();
  rmSync(dirname(entry), { recursive: true, force: true });
}
