// The proxy under test is the shipped form: src/cli/main.ts bundled and minified the way
// esbuild.mjs builds dist/cli.js, but into a temp dir, so the bench always measures the current
// sources and never touches dist/ (other builds may be running there).
import * as esbuild from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './procs.ts';
// @ts-expect-error -- a plain .mjs build helper shared with esbuild.mjs, without type declarations
import { lazyTokenizer, TOKENIZER_ENTRY } from '../../scripts/lazy-tokenizer.mjs';

export async function buildCli(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'kiro-bench-build-'));
  const outfile = join(dir, 'cli.js');
  const shared = {
    bundle: true,
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    define: { 'process.env.NODE_ENV': '"production"' },
  } as const;
  await esbuild.build({ ...shared, entryPoints: [join(ROOT, TOKENIZER_ENTRY)], outfile: join(dir, 'tokenizer.js') });
  await esbuild.build({ ...shared, plugins: [lazyTokenizer], entryPoints: [join(ROOT, 'src/cli/main.ts')], outfile });
  return outfile;
}
