// The deployment files are documentation that must work: compose.yaml parses and describes two
// proxy instances sharing Redis behind the load balancer whose config is in the repo; the
// Dockerfile is multi-stage, runs the CLI bundle as a non-root user with a /health check; every
// variable compose requires is in the example env file. (Docker itself does not run in CI.)
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { REPO } from '../../helpers/cli.ts';

const read = (p: string) => readFileSync(join(REPO, p), 'utf8');

interface Service {
  build?: unknown;
  image?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, unknown> | string[];
  user?: string;
}

describe('deployment files', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service> };
  const services = compose.services;

  test('compose: two proxy instances built from this repo, sharing Redis, with the state key required', () => {
    const proxies = Object.entries(services).filter(([, s]) => s.build !== undefined);
    assert.deepEqual(proxies.map(([n]) => n).sort(), ['proxy-1', 'proxy-2']);
    for (const [name, s] of proxies) {
      const env = s.environment ?? {};
      assert.equal(env['KIRO_PROXY_REDIS_URL'], 'redis://redis:6379', name);
      assert.match(env['KIRO_PROXY_STATE_KEY'] ?? '', /^\$\{KIRO_PROXY_STATE_KEY:\?/, `${name}: refuses to start without a state key`);
      assert.match(env['KIRO_PROXY_API_KEY'] ?? '', /^\$\{KIRO_PROXY_API_KEY:\?/, `${name}: not reachable from the network without an API key`);
      assert.equal(env['KIRO_PROXY_HOST'], '0.0.0.0');
      assert.ok(env['KIRO_PROXY_ALLOWED_HOSTS'], `${name}: a non-loopback bind needs allowed hosts`);
      assert.ok(
        s.volumes?.some((v) => v.endsWith(':/data')),
        `${name}: its own state volume`,
      );
    }
    assert.notEqual(services['proxy-1']!.volumes![0], services['proxy-2']!.volumes![0], 'instances do not share a home directory');
  });

  test('compose: Redis and the load balancer come from official images; the balancer config is in the repo', () => {
    assert.match(services['redis']!.image ?? '', /^redis:\d/);
    const gw = services['gateway']!;
    assert.match(gw.image ?? '', /^nginx:\d/);
    assert.ok(gw.ports?.some((p) => String(p).endsWith(':8080')));
    const conf = gw.volumes!.map((v) => v.split(':')[0]!).find((p) => p.endsWith('nginx.conf'))!;
    assert.ok(existsSync(join(REPO, conf)), conf);
    const nginx = read(conf);
    const port = services['proxy-1']!.environment!['KIRO_PROXY_PORT'];
    for (const name of ['proxy-1', 'proxy-2']) assert.match(nginx, new RegExp(`server ${name}:${port}\\b`));
    assert.match(nginx, /proxy_buffering off;/, 'streams pass through unbuffered');
    assert.match(nginx, /proxy_set_header Host \$http_host;/, 'the Host header keeps its port for the guard');
  });

  test('the example env file names every variable compose requires', () => {
    const required = new Set([...read('compose.yaml').matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]!));
    const example = read('deploy/team.env.example');
    for (const v of required) assert.match(example, new RegExp(`^${v}=`, 'm'), v);
  });

  test('Dockerfile: multi-stage, slim Node 22, non-root, health check on /health, runs the CLI bundle', () => {
    const df = read('Dockerfile');
    const froms = [...df.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]!);
    assert.equal(froms.length, 2);
    for (const f of froms) assert.match(f, /^node:22-[a-z]+-slim$/);
    const final = df.slice(df.lastIndexOf('\nFROM '));
    assert.match(final, /^USER node$/m);
    assert.match(final, /^HEALTHCHECK .*\n?.*\/health/m);
    assert.match(final, /^ENTRYPOINT \["node", "dist\/cli\.js"\]$/m);
    assert.match(df, /npm ci /);
    assert.match(df, /node esbuild\.mjs --production/);
    // Every bundle it copies is one esbuild.mjs produces.
    const copied = [...final.matchAll(/\/src\/dist\/([a-z.]+)/g)].map((m) => m[1]!);
    const esb = read('esbuild.mjs');
    for (const f of copied) assert.ok(esb.includes(f.replace(/\.js$/, '')), f);
  });
});
