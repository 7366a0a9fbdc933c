// Garbage per request: the current sources bundled as dist/cli.js is, run with V8's GC trace
// (--trace-gc --trace-gc-nvp) in front of the mock; N sequential requests after a warm-up. Prints
// bytes allocated and promoted to the old generation per request, scavenge count and pauses,
// and full (mark-compact) collections. Promotion is what a request leaves behind for the
// scavenger to copy: it decides how long the pauses are that show up as p99 latency.
//
//   node bench/gc.ts [--stream] [--requests 5000]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startMock } from './lib/procs.ts';
import { buildCli } from './lib/build.ts';
import { call, stream, type Target } from './lib/loadgen.ts';
import { anthropicBody, MARKERS, PROMPTS } from './lib/requests.ts';

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
const home = mkdtempSync(join(tmpdir(), 'kiro-bench-gc-'));
const entry = await buildCli();
const args = ['--trace-gc', '--trace-gc-nvp', entry, '--port', '0', '--home', home, '--sso-cache', join(home, 'none'), '--no-sso-import'];
for (const flag of ['--kiro-endpoint', '--kiro-auth-endpoint', '--kiro-oidc-endpoint']) args.push(flag, mock.url);
args.push('--creds-file', mock.credentialsFile, '--account-concurrency', '0');
const proxy = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } });
const watchdog = setTimeout(() => {
  proxy.kill('SIGKILL');
  process.exit(2);
}, 5 * 60_000);
watchdog.unref();
try {
  const gcs: Gc[] = [];
  const url = await new Promise<string>((resolve) =>
    createInterface({ input: proxy.stdout! }).on('line', (line) => {
      const gc = parseNvp(line);
      if (gc) gcs.push(gc);
      const ready = /listening on (http:\/\/\S+)/.exec(line);
      if (ready) resolve(ready[1]!);
    }),
  );
  const target: Target = {
    name: 'proxy',
    url: `${url}/v1/messages`,
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'bench' },
    body: anthropicBody(values.stream ? PROMPTS.ttft : PROMPTS.short, values.stream),
    marker: MARKERS.anthropic,
  };
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
  console.log(`  scavenges: ${scavenges.length} (one per ${Math.round(n / Math.max(1, scavenges.length))} requests), pause median ${(pauses[Math.floor(pauses.length / 2)] ?? 0).toFixed(2)} ms, max ${(pauses.at(-1) ?? 0).toFixed(2)} ms`);
  console.log(`  full collections: ${full.length}`);
} finally {
  proxy.kill('SIGTERM');
  await mock.stop();
  rmSync(home, { recursive: true, force: true });
  rmSync(join(entry, '..'), { recursive: true, force: true });
}
