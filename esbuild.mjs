// Builds the bundles the product ships:
//   dist/extension.js  the VS Code extension (cjs, `vscode` external)
//   dist/cli.js        the headless proxy, the `kiro-proxy` bin (cjs, shebang)
//   dist/webview.js    the dashboard UI, one bundle for the VS Code webview and /dashboard
//   dist/core.js, dist/client-config.js, dist/tokenizer.js  loaded by the extension on first need
//   dist/team.js       team mode over Redis (@redis/client), loaded by the CLI and the core only
//                      when --redis-url / kiroProxy.redisUrl is set
// `--production` minifies and drops sourcemaps; every build writes a metafile size report
// to dist/meta.json and prints the bundle sizes.
import * as esbuild from 'esbuild';
import { mkdir, writeFile, stat, copyFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { lazyTokenizer, TOKENIZER_ENTRY } from './scripts/lazy-tokenizer.mjs';

/**
 * Team mode (src/core/team/redis-team.ts and @redis/client) stays out of cli.js and core.js:
 * team-runtime.ts's `import('./redis-team.ts')` becomes `import('./team.js')`, built on its own.
 */
const TEAM_ENTRY = 'src/core/team/redis-team.ts';
const lazyTeam = {
  name: 'lazy-team',
  setup(build) {
    build.onResolve({ filter: /[/\\]redis-team\.ts$|^\.\/redis-team\.ts$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: './team.js', external: true } : undefined,
    );
  },
};

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
};

/** @type {esbuild.BuildOptions[]} */
const targets = [
  {
    ...common,
    entryPoints: { extension: 'src/vscode/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    // The core for the extension, loaded on first Start (keeps activation cheap).
    ...common,
    entryPoints: { core: 'src/vscode/core-entry.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [lazyTokenizer, lazyTeam],
  },
  {
    // The client-configuration editors (JSON/TOML/YAML), loaded on first "Configure a client…".
    ...common,
    entryPoints: { 'client-config': 'src/vscode/clients/plan.ts' },
    outdir: 'dist',
    platform: 'node',
    // jsonc-parser's UMD build loads its parts with a require() esbuild cannot follow; its ES build bundles.
    mainFields: ['module', 'main'],
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: { tokenizer: TOKENIZER_ENTRY },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [lazyTokenizer, lazyTeam],
  },
  {
    ...common,
    entryPoints: { team: TEAM_ENTRY },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: { webview: 'src/webview/main.ts' },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
].filter((t) => Object.values(t.entryPoints).every((p) => existsSync(p)));

await mkdir('dist', { recursive: true });

if (watch) {
  for (const t of targets) {
    const ctx = await esbuild.context(t);
    await ctx.watch();
  }
  console.log('[esbuild] watching');
} else {
  const metas = await Promise.all(targets.map((t) => esbuild.build(t)));
  const merged = { inputs: {}, outputs: {} };
  for (const r of metas) {
    Object.assign(merged.inputs, r.metafile.inputs);
    Object.assign(merged.outputs, r.metafile.outputs);
  }
  await writeFile('dist/meta.json', JSON.stringify(merged));
  if (existsSync('media/dashboard.css')) await copyFile('media/dashboard.css', 'dist/dashboard.css');
  const rows = [];
  for (const file of Object.keys(merged.outputs).filter((f) => !f.endsWith('.map'))) {
    rows.push(`${file.padEnd(24)} ${((await stat(file)).size / 1024).toFixed(1).padStart(8)} KiB`);
  }
  console.log(`[esbuild] ${production ? 'production' : 'development'} build\n${rows.join('\n')}`);
}
