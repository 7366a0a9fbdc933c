// `npm run bench`: starts the mock Kiro and the proxy as separate processes on 127.0.0.1, runs
// every scenario (interleaved direct/proxy rounds after a warm-up), prints a Markdown report and
// writes the raw figures to bench/results/. Bounded: fixed sample counts, a global time limit,
// and every child stopped on the way out. See bench/README.md for the method.
//
//   node bench/run.ts [--quick] [--only id,id] [--proxy bundle|dist|source] [--label NAME] [--cpu-prof DIR]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { agent } from './lib/loadgen.ts';
import { buildCli } from './lib/build.ts';
import { ROOT, startMock, startProxy, type MockChild, type ProxyChild } from './lib/procs.ts';
import type { BenchContext, ScenarioResult } from './lib/context.ts';
import { fmt, fmtDelta } from './lib/stats.ts';
import { latency, bigRequest } from './scenarios/latency.ts';
import { ttft, interChunk, streamThroughput } from './scenarios/streaming.ts';
import { rps, manyStreams } from './scenarios/load.ts';
import { translation, bigRequestInProcess, activation, sizes } from './scenarios/static.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    /** bundle: src bundled now like dist/cli.js (default); dist: dist/cli.js as built; source: src/cli/main.ts. */
    proxy: { type: 'string', default: 'bundle' },
    label: { type: 'string', default: 'run' },
    'cpu-prof': { type: 'string' },
  },
});

type Scenario = { id: string; needsServers: boolean; fresh?: boolean; run: (ctx: BenchContext) => Promise<ScenarioResult> };
const SCENARIOS: Scenario[] = [
  { id: 'translation', needsServers: false, run: translation },
  { id: 'big-request-inproc', needsServers: false, run: bigRequestInProcess },
  { id: 'activation', needsServers: false, run: activation },
  { id: 'sizes', needsServers: false, run: sizes },
  { id: 'latency', needsServers: true, run: latency },
  { id: 'ttft', needsServers: true, run: ttft },
  { id: 'inter-chunk', needsServers: true, run: interChunk },
  { id: 'big-request', needsServers: true, run: bigRequest },
  { id: 'stream-throughput', needsServers: true, run: streamThroughput },
  { id: 'rps', needsServers: true, run: rps },
  // A fresh proxy, so its RSS is not what earlier scenarios left behind.
  { id: 'streams-1000', needsServers: true, fresh: true, run: manyStreams },
];

const TIME_LIMIT_MS = 10 * 60_000;
const only = values.only ? new Set(values.only.split(',')) : undefined;
const selected = SCENARIOS.filter((s) => !only || only.has(s.id));
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** Flags that lift the per-account limits, so the pool measures the proxy and not a policy. */
const PROXY_ARGS = ['--account-concurrency', '0', '--max-connections', '1100'];

const PROXY_LABEL: Record<string, string> = {
  bundle: 'src/cli/main.ts bundled and minified as dist/cli.js is (esbuild, at bench start)',
  dist: 'dist/cli.js',
  source: 'node src/cli/main.ts (type stripping)',
};

function machine(): string {
  const c = cpus();
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
  return `${c.length} × ${c[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${platform()} ${release()}, Node ${process.version}, load average at start ${load}`;
}

function markdown(results: ScenarioResult[], header: string): string {
  const out: string[] = [header, ''];
  for (const r of results) {
    out.push(`### ${r.title}`, '');
    if (r.rows.length > 0) {
      out.push('| metric | direct | proxy | added | ratio | target | met |', '|---|---:|---:|---:|---:|---|:-:|');
      for (const x of r.rows) {
        const digits = x.unit === 'ms' ? 3 : x.unit === 'count' ? 0 : 1;
        const u = x.unit === 'count' || x.unit === '%' ? (x.unit === '%' ? ' %' : '') : ` ${x.unit}`;
        const cell = (v: number | undefined) => (v === undefined ? '' : `${fmt(v, digits)}${u}`);
        out.push(
          `| ${x.metric}${x.note ? ` <br><sub>${x.note}</sub>` : ''} | ${cell(x.direct)} | ${cell(x.proxy)} | ${x.added === undefined ? '' : `${fmtDelta(x.added, digits)}${u}`} | ${x.ratio === undefined ? '' : `×${fmt(x.ratio, 2)}`} | ${x.target ?? ''} | ${x.met === undefined ? '' : x.met ? '✅' : '❌'} |`,
        );
      }
      out.push('');
    }
    for (const n of r.notes ?? []) out.push(`- ${n}`);
    if (r.notes?.length) out.push('');
  }
  return out.join('\n');
}

async function main(): Promise<number> {
  const started = Date.now();
  const machineAtStart = machine();
  const ctx: BenchContext = { mock: undefined as unknown as MockChild, proxy: undefined as unknown as ProxyChild, scale: values.quick ? 0.25 : 1, log };
  let mock: MockChild | undefined;
  let proxy: ProxyChild | undefined;
  const children = () => [proxy, mock].filter((c): c is MockChild | ProxyChild => c !== undefined);
  const watchdog = setTimeout(() => {
    log(`time limit of ${TIME_LIMIT_MS / 60_000} min reached, stopping`);
    for (const c of children()) c.proc.kill('SIGKILL');
    process.exit(2);
  }, TIME_LIMIT_MS);
  watchdog.unref();
  let entry: string | undefined;
  const proxyEntry = async (): Promise<string> => {
    if (values.proxy === 'source') return join(ROOT, 'src/cli/main.ts');
    if (values.proxy === 'dist') return join(ROOT, 'dist/cli.js');
    if (values.proxy !== 'bundle') throw new Error(`--proxy must be bundle, dist or source`);
    return buildCli();
  };
  const startProxyNow = async () => {
    entry ??= await proxyEntry();
    return startProxy({ mock: mock!, entry, extraArgs: PROXY_ARGS, ...(values['cpu-prof'] ? { cpuProfDir: values['cpu-prof'] } : {}) });
  };

  const results: ScenarioResult[] = [];
  try {
    for (const s of selected) {
      if (s.needsServers) {
        if (!mock) {
          mock = await startMock({ split: false });
          log(`mock Kiro ${mock.url} (pid ${mock.pid})`);
        }
        if (proxy && s.fresh) {
          await proxy.stop();
          proxy = undefined;
        }
        if (!proxy) {
          proxy = await startProxyNow();
          log(`proxy ${proxy.url} (pid ${proxy.pid}, ${entry})`);
        }
        ctx.mock = mock;
        ctx.proxy = proxy;
      }
      const t0 = Date.now();
      log(`${s.id}…`);
      results.push(await s.run(ctx));
      log(`${s.id} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await Promise.all(children().map((c) => c.stop()));
    await agent.close();
    if (entry && values.proxy === 'bundle') rmSync(dirname(entry), { recursive: true, force: true });
    clearTimeout(watchdog);
  }

  const when = new Date().toISOString();
  const header = [
    `## ${values.label} — ${when}`,
    '',
    `Machine: ${machineAtStart}. Proxy: ${PROXY_LABEL[values.proxy] ?? values.proxy} ${PROXY_ARGS.join(' ')}. Mock: --no-split. Total ${((Date.now() - started) / 1000).toFixed(0)} s${values.quick ? ' (--quick)' : ''}.`,
  ].join('\n');
  const md = markdown(results, header);
  process.stdout.write(md + '\n');
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = when.replace(/[:.]/g, '-');
  writeFileSync(
    join(dir, `${values.label}-${stamp}.json`),
    JSON.stringify({ label: values.label, when, machine: machineAtStart, quick: values.quick, results }, null, 2),
  );
  writeFileSync(join(dir, `${values.label}-latest.md`), md + '\n');
  log(`results: bench/results/${values.label}-${stamp}.json`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
