// Figures that need no load: in-process translation throughput, the 200 KB request, extension
// activation, bundle and VSIX sizes. Each in-process measurement runs in its own child process
// (fresh heap, its own V8 flags) with a time limit.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { ROOT } from '../lib/procs.ts';
import type { BenchContext, Row, ScenarioResult } from '../lib/context.ts';

function runChild(args: string[], timeoutMs = 120_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', ...args],
      { cwd: ROOT, timeout: timeoutMs, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`${args.join(' ')} failed: ${err.message}\n${stderr.slice(0, 2000)}`));
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(line) as Record<string, unknown>);
        } catch {
          reject(new Error(`${args.join(' ')} printed no JSON: ${stdout.slice(0, 500)}`));
        }
      },
    );
  });
}

interface TranslateRate {
  mbPerSecIn: number;
  mbPerCpuSecIn: number;
  bestMbPerCpuSecIn: number;
  mbPerSecOut: number;
  outBytes: number;
}

export async function translation(ctx: BenchContext): Promise<ScenarioResult> {
  const frames = Math.round(40_000 * Math.max(0.25, ctx.scale));
  const r = await runChild(['bench/inproc/translate.ts', String(frames), ctx.scale < 1 ? '3' : '9']);
  const rows: Row[] = (['anthropic', 'openai-chat', 'openai-responses'] as const).map((d) => {
    const x = r[d] as TranslateRate;
    return {
      metric: `${d}: Kiro MB in per CPU-second`,
      proxy: x.mbPerCpuSecIn,
      unit: 'MB/s',
      target: '≥ 100 MB/s per core',
      met: x.mbPerCpuSecIn >= 100,
      note: `median of runs; best run ${x.bestMbPerCpuSecIn.toFixed(1)}; wall clock ${x.mbPerSecIn.toFixed(1)} MB/s in, ${x.mbPerSecOut.toFixed(1)} MB/s SSE out`,
    };
  });
  ctx.log(`translation: ${rows.map((x) => `${x.metric.split(':')[0]} ${x.proxy?.toFixed(1)} MB/s`).join(', ')}`);
  return {
    id: 'translation',
    title: `Stream translation in process, one core (${String(r['frames'])} frames, ${((r['inBytes'] as number) / 1e6).toFixed(1)} MB, 16 KiB reads)`,
    rows,
    notes: [
      "decoder → typed events → pool replay → assembler → output limiter → dialect SSE encoder, with the pipeline's write discipline; no sockets. Per core = per CPU-second of the process (user + system), which holds on a loaded machine better than wall time.",
    ],
    raw: r,
  };
}

export async function bigRequestInProcess(ctx: BenchContext): Promise<ScenarioResult> {
  const r = await runChild(['--expose-gc', '--max-semi-space-size=128', 'bench/inproc/big-request.ts', String(ctx.scale < 1 ? 100 : 300)]);
  const total = r['total'] as { p50: number; p99: number };
  const stages = r['stages'] as Record<string, number>;
  const alloc = r['allocatedBytes'] as { p50: number };
  ctx.log(`200 KB in process: p50 ${total.p50.toFixed(3)} ms, ${(alloc.p50 / 1e6).toFixed(2)} MB allocated`);
  return {
    id: 'big-request-inproc',
    title: `Claude Code-sized request in process (${Math.round((r['clientBytes'] as number) / 1000)} KB in, ${Math.round((r['kiroBytes'] as number) / 1000)} KB to Kiro)`,
    rows: [
      { metric: 'time to normalise and translate, p50', proxy: total.p50, unit: 'ms', target: '< 2 ms', met: total.p50 < 2 },
      { metric: 'time to normalise and translate, p99', proxy: total.p99, unit: 'ms' },
      { metric: 'memory allocated per request', proxy: alloc.p50 / 1e6, unit: 'MB' },
      { metric: 'memory retained per request', proxy: (r['retainedPerRequest'] as number) / 1e3, unit: 'KB' },
    ],
    notes: [
      `p50 by stage (ms): ${Object.entries(stages)
        .map(([k, v]) => `${k} ${v.toFixed(3)}`)
        .join(', ')}.`,
    ],
    raw: r,
  };
}

export async function activation(ctx: BenchContext): Promise<ScenarioResult> {
  const runs: Record<string, unknown>[] = [];
  for (let i = 0; i < 5; i++) runs.push(await runChild(['bench/inproc/activation.ts'], 30_000));
  if (runs[0]!['skipped']) return { id: 'activation', title: 'Extension activation', rows: [], notes: [runs[0]!['skipped'] as string] };
  const errs = runs.map((r) => r['error']).filter(Boolean);
  const med = (k: string) => runs.map((r) => r[k] as number).sort((a, b) => a - b)[2]!;
  ctx.log(`activation: ${med('totalMs').toFixed(1)} ms`);
  return {
    id: 'activation',
    title: 'Extension activation (dist/extension.js with a stand-in vscode module, median of 5 fresh processes)',
    rows: [
      { metric: 'require(dist/extension.js)', proxy: med('requireMs'), unit: 'ms' },
      { metric: 'activate()', proxy: med('activateMs'), unit: 'ms' },
      { metric: 'total', proxy: med('totalMs'), unit: 'ms', ...(errs.length ? { note: `activate threw: ${String(errs[0])}` } : {}) },
    ],
    notes: ['The core (dist/core.js) is loaded on the first Start, not at activation; VS Code extension-host time is not included (see the e2e run for that).'],
    raw: runs,
  };
}

export async function sizes(_ctx: BenchContext): Promise<ScenarioResult> {
  const rows: Row[] = [];
  const dist = join(ROOT, 'dist');
  const notes: string[] = [];
  if (existsSync(dist)) {
    for (const f of readdirSync(dist)
      .filter((x) => x.endsWith('.js'))
      .sort()) {
      const buf = readFileSync(join(dist, f));
      rows.push({ metric: `dist/${f}`, proxy: buf.length / 1024, unit: 'KiB', note: `gzip ${(gzipSync(buf).length / 1024).toFixed(0)} KiB` });
    }
    const metaPath = join(dist, 'meta.json');
    if (existsSync(metaPath)) {
      const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
      for (const [out, o] of Object.entries(meta.outputs)) {
        if (!out.endsWith('.js')) continue;
        const byPkg: Record<string, number> = {};
        for (const [file, x] of Object.entries(o.inputs)) {
          const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
          const key = m ? m[1]! : 'our code';
          byPkg[key] = (byPkg[key] ?? 0) + x.bytesInOutput;
        }
        const top = Object.entries(byPkg)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5);
        notes.push(`${out}: ${top.map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} KiB`).join(', ')}`);
      }
    }
  } else notes.push('dist/ missing: run npm run build');
  const vsix = readdirSync(ROOT).filter((f) => f.endsWith('.vsix'));
  for (const v of vsix) rows.push({ metric: v, proxy: statSync(join(ROOT, v)).size / 1024, unit: 'KiB' });
  if (vsix.length === 0) notes.push('No .vsix in the repository root (npm run package builds one).');
  return { id: 'sizes', title: 'Bundle and VSIX sizes (minified production build)', rows, notes };
}
