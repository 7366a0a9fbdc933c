// The proxy under test is the shipped form: src/cli/main.ts bundled and minified the way
// esbuild.mjs builds dist/cli.js, but into a temp dir, so the bench always measures the current
// sources and never touches dist/ (other builds may be running there).
import * as esbuild from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './procs.ts';

export async function buildCli(): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'kiro-bench-build-')), 'cli.js');
  await esbuild.build({
    entryPoints: [join(ROOT, 'src/cli/main.ts')],
    outfile,
    bundle: true,
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  return outfile;
}
