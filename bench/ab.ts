// A/B in one session: two source trees (e.g. a checkout of the previous commit and this one),
// each bundled like dist/cli.js, run side by side against one mock; sequential non-streaming
// latency and time to first token, interleaved in rotating rounds with the direct call. Use it
// for before/after claims: two separate `npm run bench` runs differ by more than most changes.
//
//   node bench/ab.ts --a /path/to/before-checkout [--b .] [--rounds 12]
import * as esbuild from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startMock, startProxy, ROOT, type ProxyChild } from './lib/procs.ts';
import { agent, call, stream, directTwin, type Target } from './lib/loadgen.ts';
import { proxyTarget, type BenchContext } from './lib/context.ts';
import { anthropicBody, MARKERS, PROMPTS } from './lib/requests.ts';
import { summarise } from './lib/stats.ts';

const { values } = parseArgs({ options: { a: { type: 'string' }, b: { type: 'string', default: ROOT }, rounds: { type: 'string', default: '12' } } });
if (!values.a) throw new Error('usage: node bench/ab.ts --a <other checkout> [--b <checkout>] [--rounds N]');
const rounds = Math.min(50, Math.max(2, Number(values.rounds)));
const out = mkdtempSync(join(tmpdir(), 'kiro-bench-ab-'));

async function bundle(root: string, name: string): Promise<string> {
  const outfile = join(out, `${name}.cjs`);
  await esbuild.build({
    entryPoints: [join(resolve(root), 'src/cli/main.ts')],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  return outfile;
}

const mock = await startMock();
const proxies: ProxyChild[] = [];
const watchdog = setTimeout(() => process.exit(2), 5 * 60_000);
watchdog.unref();
try {
  const args = ['--account-concurrency', '0'];
  for (const [name, root] of [
    ['a', values.a],
    ['b', values.b],
  ] as const)
    proxies.push(await startProxy({ mock, entry: await bundle(root, name), extraArgs: args }));
  for (const mode of ['latency', 'ttft'] as const) {
    const streamMode = mode === 'ttft';
    const body = anthropicBody(streamMode ? PROMPTS.ttft : PROMPTS.short, streamMode);
    const [pa, pb] = proxies.map((p) => proxyTarget({ mock, proxy: p } as BenchContext, body)) as [Target, Target];
    const arms: Record<string, Target> = { direct: await directTwin(pb, mock.url, mock.accessToken, MARKERS.direct), a: pa, b: pb };
    const samples: Record<string, number[]> = { direct: [], a: [], b: [] };
    const one = async (t: Target) => (streamMode ? ((await stream(t)).eventAt[0] ?? NaN) : (await call(t)).totalMs);
    for (const t of Object.values(arms)) for (let i = 0; i < 200; i++) await one(t);
    const names = Object.keys(arms);
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < names.length; k++) {
        const n = names[(k + r) % names.length]!;
        for (let i = 0; i < 150; i++) samples[n]!.push(await one(arms[n]!));
      }
    }
    const d = summarise(samples['direct']!);
    process.stdout.write(`\n${mode} (${samples['a']!.length} samples per arm)\n`);
    for (const n of names) {
      const s = summarise(samples[n]!);
      const label = n === 'direct' ? 'direct' : `${n}: ${n === 'a' ? values.a : values.b}`;
      process.stdout.write(
        `  ${label.padEnd(40)} p50 ${s.p50.toFixed(3)} ms (+${(s.p50 - d.p50).toFixed(3)})  p99 ${s.p99.toFixed(3)} ms (+${(s.p99 - d.p99).toFixed(3)})\n`,
      );
    }
  }
} finally {
  await Promise.all(proxies.map((p) => p.stop()));
  await mock.stop();
  await agent.close();
  rmSync(out, { recursive: true, force: true });
}
