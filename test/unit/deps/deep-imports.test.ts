// undici and prom-client are imported file by file (src/core/kiro/undici.ts,
// src/core/observe/metrics.ts): their indexes cost ~6 MiB of idle RSS and ~290 KiB of bundle
// (BENCHMARKS.md, "Dependencies"). Those files are not public API, so package.json pins both
// packages to an exact version and this test fails loudly when an upgrade moves, renames or
// reshapes a file we reach into, or when a new deep import appears without a check here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../..', import.meta.url).pathname;
const require = createRequire(join(ROOT, 'package.json'));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** Every deep import the shipped code makes, and what must hold for it. */
const CHECKS: Record<string, () => void> = {
  'undici/lib/dispatcher/agent.js': () => assert.equal(require('undici/lib/dispatcher/agent.js'), require('undici').Agent),
  'undici/lib/api/api-request.js': () => {
    const apiRequest = require('undici/lib/api/api-request.js') as unknown;
    assert.equal(typeof apiRequest, 'function');
    // The function undici's own `request` wraps (index.js: makeDispatcher(api.request)).
    assert.equal(apiRequest, (require('undici/lib/api/index.js') as { request: unknown }).request);
  },
  'undici/lib/global.js': () => {
    const g = require('undici/lib/global.js') as { getGlobalDispatcher: unknown; setGlobalDispatcher: unknown };
    const index = require('undici') as { getGlobalDispatcher: unknown; setGlobalDispatcher: unknown };
    assert.equal(g.getGlobalDispatcher, index.getGlobalDispatcher);
    assert.equal(g.setGlobalDispatcher, index.setGlobalDispatcher);
  },
  'undici/lib/core/util.js': () => {
    const { parseURL } = require('undici/lib/core/util.js') as { parseURL: (u: string) => URL };
    const u = parseURL('http://127.0.0.1:8080/generateAssistantResponse?x=1');
    assert.equal(u.origin, 'http://127.0.0.1:8080');
    assert.equal(u.pathname, '/generateAssistantResponse');
    assert.equal(u.search, '?x=1');
  },
  'prom-client/lib/counter.js': () => assert.equal(require('prom-client/lib/counter.js'), require('prom-client').Counter),
  'prom-client/lib/gauge.js': () => assert.equal(require('prom-client/lib/gauge.js'), require('prom-client').Gauge),
  'prom-client/lib/histogram.js': () => assert.equal(require('prom-client/lib/histogram.js'), require('prom-client').Histogram),
  'prom-client/lib/registry.js': () => assert.equal(require('prom-client/lib/registry.js'), require('prom-client').Registry),
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

test('every deep import in src/ has a check here', () => {
  const found = new Set<string>();
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/from '((?:@[^/']+\/)?[^/'.][^/']*\/[^']+)'/g)) {
      const spec = m[1]!;
      // Subpaths a package exports on purpose are public; anything under lib/ is not.
      if (/\/lib\//.test(spec)) found.add(spec);
    }
  }
  assert.deepEqual([...found].sort(), Object.keys(CHECKS).sort());
});

test('packages reached into are pinned to an exact version, and that version is installed', () => {
  for (const name of new Set(Object.keys(CHECKS).map((spec) => spec.split('/')[0]!))) {
    const range = pkg.dependencies[name];
    assert.match(range ?? '', /^\d+\.\d+\.\d+$/, `${name} must be pinned exactly in package.json (its files are not public API), not "${range}"`);
    const installed = (require(`${name}/package.json`) as { version: string }).version;
    assert.equal(installed, range, `${name} ${installed} is installed but package.json pins ${range}: run npm ci`);
  }
});

for (const [spec, check] of Object.entries(CHECKS)) {
  test(`${spec} is still what the index exports`, () => {
    assert.doesNotThrow(() => require.resolve(spec), `${spec} no longer exists: the upgrade moved it; see this file's header`);
    check();
  });
}
