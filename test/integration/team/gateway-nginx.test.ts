// The compose topology (compose.yaml) without Docker: Debian's nginx with the repo's
// deploy/nginx.conf (only the upstream addresses and the listen port rewritten, into a temp copy)
// in front of two real `dist/cli.js` processes in team mode (the environment compose.yaml and the
// Dockerfile give them), one redis-server, and the strict mock Kiro. Through nginx: streams are
// not buffered (events arrive at the mock's pace), both SDKs work, requests reach both instances,
// /health answers, the Host allow-list holds, and a client abort reaches the instance and its
// request to Kiro. The Dockerfile's HEALTHCHECK command and the files it copies are checked too.
//
// Needs `npm run build` (dist/cli.js), nginx and redis-server (.ci/run installs both); without
// them the tests are skipped with a loud message (in CI a missing nginx fails, as redis-server does).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';
import { startMockKiro, type MockKiro } from '../../../src/core/kiro-mock/index.ts';
import { credentialOf } from '../../helpers/proxy.ts';
import { REPO } from '../../helpers/cli.ts';
import { redisSkip, startRedisServer, type RedisServer } from '../../helpers/redis.ts';

const CLI = join(REPO, 'dist', 'cli.js');
const PUBLIC_HOST = 'gateway.example.test';
const API_KEY = `kp-${randomBytes(18).toString('hex')}`;
const STATE_KEY = randomBytes(32).toString('base64');
const MODEL = 'claude-sonnet-4-5';
/** The mock's pacing of the streams below: EVENTS text events, CHUNK_MS between TCP writes. */
const EVENTS = 12;
const CHUNK_MS = 50;
/** The mock's pause in the middle of the stream the abort test gives up. */
const QUIET_MS = 3000;

function nginxBinary(): string | undefined {
  for (const c of [process.env['KIRO_PROXY_NGINX'], '/usr/sbin/nginx', '/usr/local/sbin/nginx', 'nginx']) {
    if (c && spawnSync(c, ['-v'], { encoding: 'utf8' }).status === 0) return c;
  }
  return undefined;
}

const NGINX = nginxBinary();
const skip: string | false = (() => {
  if (redisSkip) return redisSkip;
  if (!existsSync(CLI)) return 'dist/cli.js is missing: run `npm run build` first (the gateway test runs the built CLI, as the image does)';
  if (NGINX) return false;
  const message = 'nginx is not installed: the gateway (nginx + two instances) tests were SKIPPED. Install it with `apt-get install nginx-light`.';
  if (process.env['CI'] === 'true' && process.env['KIRO_PROXY_SKIP_NGINX_TESTS'] !== '1') {
    throw new Error(`${message} (.ci/run installs it; in CI a missing nginx is a failure)`);
  }
  process.emitWarning(message);
  return message;
})();

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/**
 * deploy/nginx.conf with only the upstream servers and the listen port changed. When not root,
 * nginx cannot use the distribution's temp folders: those (only) are pointed into `dir`.
 */
function gatewayConfig(shipped: string, upstreams: [number, number], listen: number, dir: string): string {
  let conf = shipped;
  const replace = (from: RegExp, to: string) => {
    assert.match(conf, from, `deploy/nginx.conf no longer has ${String(from)}`);
    conf = conf.replace(from, to);
  };
  replace(/server proxy-1:8080\b/, `server 127.0.0.1:${upstreams[0]}`);
  replace(/server proxy-2:8080\b/, `server 127.0.0.1:${upstreams[1]}`);
  replace(/listen 8080;/, `listen 127.0.0.1:${listen};`);
  if (process.getuid?.() !== 0) {
    const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `  ${k}_temp_path ${join(dir, k)};`).join('\n');
    conf = conf.replace(/http \{\n/, `http {\n${temps}\n`);
  }
  return conf;
}

interface Instance {
  port: number;
  child: ChildProcess;
  output(): string;
}

/** What the instance says about itself, straight (not through nginx). */
async function direct(port: number): Promise<{ requests: number; aborted: number; inFlight: number; team?: { redis: string; instances?: number } }> {
  const res = await fetch(`http://127.0.0.1:${port}/health`);
  return (await res.json()) as never;
}

async function waitFor<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A raw request through the gateway with the given Host header. */
function raw(port: number, path: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('team gateway: nginx (deploy/nginx.conf) in front of two dist/cli.js instances in team mode', { skip }, () => {
  let dir: string;
  let mock: MockKiro;
  let redis: RedisServer;
  let nginx: ChildProcess | undefined;
  let nginxLog = '';
  let gateway: number;
  const instances: Instance[] = [];
  /** Clients resolve the public host name to the gateway, so Host is what a real client sends. */
  let dispatcher: Agent;
  let base: string;

  const startInstance = async (name: string, credsBase64: string): Promise<Instance> => {
    const port = await freePort();
    const home = join(dir, name);
    await mkdir(join(home, 'sso'), { recursive: true });
    // As compose.yaml (x-proxy) and the Dockerfile's ENV set them; endpoints point at the mock.
    const env = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: home,
      NODE_ENV: 'production',
      KIRO_PROXY_HOME: home,
      KIRO_PROXY_HOST: '0.0.0.0',
      KIRO_PROXY_PORT: String(port),
      KIRO_PROXY_API_KEY: API_KEY,
      KIRO_PROXY_ALLOWED_HOSTS: PUBLIC_HOST,
      KIRO_PROXY_REDIS_URL: redis.url,
      KIRO_PROXY_STATE_KEY: STATE_KEY,
      KIRO_OAUTH_CREDS_BASE64: credsBase64,
      KIRO_SSO_CACHE: join(home, 'sso'),
      KIRO_API_ENDPOINT: mock.endpoints.runtime,
      KIRO_AUTH_ENDPOINT: mock.endpoints.auth,
      KIRO_OIDC_ENDPOINT: mock.endpoints.oidc,
    };
    const child = spawn(process.execPath, [CLI], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20_000)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20_000)));
    const inst = { port, child, output: () => out };
    instances.push(inst);
    await waitFor(async () => child.exitCode === null && (await direct(port)).team?.redis === 'up', `instance ${name} in team mode\n${out}`);
    return inst;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiro-gateway-nginx-'));
    mock = await startMockKiro({});
    mock.addAccount({ authMethod: 'social', provider: 'Google' });
    mock.addAccount({ authMethod: 'social', provider: 'Google' });
    redis = await startRedisServer();
    const creds = Buffer.from(JSON.stringify(mock.accounts.map(credentialOf))).toString('base64');
    await startInstance('proxy-1', creds);
    await startInstance('proxy-2', creds);

    gateway = await freePort();
    const conf = gatewayConfig(readFileSync(join(REPO, 'deploy', 'nginx.conf'), 'utf8'), [instances[0]!.port, instances[1]!.port], gateway, dir);
    const confFile = join(dir, 'nginx.conf');
    await writeFile(confFile, conf);
    // Only main-context settings the shipped file leaves to the image go on the command line.
    const globals = `daemon off; pid ${join(dir, 'nginx.pid')}; error_log ${join(dir, 'nginx-error.log')} info;`;
    const check = spawnSync(NGINX!, ['-t', '-p', dir, '-c', confFile, '-g', globals], { encoding: 'utf8' });
    assert.equal(check.status, 0, `nginx -t: ${check.stderr}`);
    nginx = spawn(NGINX!, ['-p', dir, '-c', confFile, '-g', globals], { stdio: ['ignore', 'pipe', 'pipe'] });
    nginx.stderr!.setEncoding('utf8').on('data', (d: string) => (nginxLog += d));
    await waitFor(async () => (await raw(gateway, '/health', `${PUBLIC_HOST}:${gateway}`)).status === 200, `nginx on ${gateway}\n${nginxLog}`);
    const lookup = (_host: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) =>
      opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4);
    dispatcher = new Agent({ connect: { lookup } as never });
    base = `http://${PUBLIC_HOST}:${gateway}`;
  });

  after(async () => {
    await dispatcher?.close();
    const exits = [nginx, ...instances.map((i) => i.child)]
      .filter((c): c is ChildProcess => !!c && c.exitCode === null && c.signalCode === null)
      .map((c) =>
        new Promise((r) => c.once('exit', r)).then(
          () => undefined,
          () => undefined,
        ),
      );
    nginx?.kill('SIGQUIT');
    for (const i of instances) i.child.kill('SIGTERM');
    await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 5000))]);
    nginx?.kill('SIGKILL');
    for (const i of instances) i.child.kill('SIGKILL');
    await redis?.dispose();
    await mock?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const sdkOptions = () => ({ apiKey: API_KEY, maxRetries: 0, fetch: undiciFetch as unknown as typeof fetch, fetchOptions: { dispatcher } as never });

  test('/health through nginx: team mode, Redis up, two instances', async () => {
    const res = await undiciFetch(`${base}/health`, { dispatcher });
    const h = (await res.json()) as { status: string; team?: { mode: string; redis: string; instances?: number } };
    assert.equal(res.status, 200);
    assert.equal(h.status, 'ok');
    assert.equal(h.team?.mode, 'redis');
    assert.equal(h.team?.redis, 'up');
    await waitFor(async () => (await direct(instances[0]!.port)).team?.instances === 2, 'both instances in the team');
  });

  test('the Anthropic SDK stream arrives event by event through nginx (not buffered), and the OpenAI SDK works', async (t) => {
    const anthropic = new Anthropic({ baseURL: base, ...sdkOptions() });
    const times: number[] = [];
    const stream = anthropic.messages.stream({
      model: MODEL,
      max_tokens: 1024,
      messages: [{ role: 'user', content: `[[mock:chunk-delay ${CHUNK_MS}]] [[mock:text-events ${EVENTS}]]` }],
    });
    stream.on('text', () => times.push(performance.now()));
    const final = await stream.finalMessage();
    assert.ok(final.content.some((b) => b.type === 'text' && b.text.length > 0));
    assert.ok(times.length >= EVENTS / 2, `${times.length} text events`);
    // Buffered until the end, every event would arrive within a few ms of the last one.
    const spread = times[times.length - 1]! - times[0]!;
    const paced = (EVENTS - 1) * CHUNK_MS;
    // And one by one: most events arrive after a pause of the mock's pacing, not in one burst.
    const paused = times.slice(1).filter((at, i) => at - times[i]! >= CHUNK_MS / 2).length;
    t.diagnostic(`${times.length} text events, first→last ${spread.toFixed(0)} ms (mock pacing ≥ ${paced} ms), ${paused} arrived after a pause`);
    assert.ok(spread >= paced * 0.6, `first→last text event ${spread.toFixed(0)} ms; the mock paced them over ≥ ${paced} ms`);
    assert.ok(paused >= (times.length - 1) / 2, `${paused} of ${times.length - 1} events arrived after a pause`);

    const openai = new OpenAI({ baseURL: `${base}/v1`, ...sdkOptions() });
    const done = await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hello through nginx' }] });
    assert.match(done.choices[0]?.message?.content ?? '', /hello through nginx/);
    let text = '';
    for await (const c of await openai.chat.completions.create({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'streamed' }] })) {
      text += c.choices[0]?.delta?.content ?? '';
    }
    assert.match(text, /streamed/);
    const models = await openai.models.list();
    assert.ok(models.data.length > 0);
  });

  test('requests are spread over both instances', async (t) => {
    const before = await Promise.all(instances.map(async (i) => (await direct(i.port)).requests));
    const openai = new OpenAI({ baseURL: `${base}/v1`, ...sdkOptions() });
    for (let n = 0; n < 8; n++) {
      await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: `conversation ${n}` }] });
    }
    const served = (await Promise.all(instances.map(async (i) => (await direct(i.port)).requests))).map((r, k) => r - before[k]!);
    t.diagnostic(`requests per instance: ${served.join(', ')}`);
    assert.ok(
      served.every((s) => s >= 2),
      `requests per instance: ${served.join(', ')}`,
    );
  });

  test('the Host allow-list holds through nginx: the public name passes, a foreign Host is refused', async () => {
    const auth = { authorization: `Bearer ${API_KEY}` };
    const ok = await raw(gateway, '/v1/models', `${PUBLIC_HOST}:${gateway}`, auth);
    assert.equal(ok.status, 200, ok.body);
    const foreign = await raw(gateway, '/v1/models', `attacker.example:${gateway}`, auth);
    assert.equal(foreign.status, 403, foreign.body);
    assert.match(foreign.body, /host_not_allowed|is not allowed/);
    // The gateway's own port on a loopback name is not an instance's port: refused as well, so
    // a page on the gateway machine cannot rebind to it (compose maps the same port on both).
    const loopback = await raw(gateway, '/v1/models', `127.0.0.1:${gateway}`, auth);
    assert.equal(loopback.status, 403, loopback.body);
    const noKey = await raw(gateway, '/v1/models', `${PUBLIC_HOST}:${gateway}`);
    assert.equal(noKey.status, 401, noKey.body);
  });

  test('a client abort through nginx reaches the instance and its Kiro request: counted as aborted, nothing left in flight', async (t) => {
    const counts = async () => {
      const hs = await Promise.all(instances.map((i) => direct(i.port)));
      return { aborted: hs.reduce((n, h) => n + h.aborted, 0), inFlight: hs.reduce((n, h) => n + h.inFlight, 0) };
    };
    const start = await counts();
    const ac = new AbortController();
    // The first words, then QUIET_MS without a byte: the abort falls in that quiet moment, so only
    // nginx noticing the client's close (not a failed write) can pass it on in time.
    const res = await undiciFetch(`${base}/v1/messages`, {
      dispatcher,
      method: 'POST',
      signal: ac.signal,
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: MODEL,
        max_tokens: 1024,
        stream: true,
        messages: [{ role: 'user', content: `[[mock:text first words]] [[mock:delay ${QUIET_MS}]] [[mock:text never read]]` }],
      }),
    });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    await reader.read();
    assert.equal((await counts()).inFlight, start.inFlight + 1, 'the stream is in flight on an instance');
    const atMock = () => mock.accounts.reduce((n, a) => n + a.inFlight, 0);
    assert.equal(atMock(), 1, 'and at the mock Kiro');
    const t0 = performance.now();
    ac.abort();
    await reader.cancel().catch(() => undefined);
    await waitFor(
      async () => {
        const c = await counts();
        return c.aborted === start.aborted + 1 && c.inFlight === start.inFlight;
      },
      'the instance to see the abort',
      10_000,
    );
    const reached = performance.now() - t0;
    // The mock notices its closed response only when its pause ends.
    await waitFor(async () => atMock() === 0, 'the request to the mock Kiro to be closed', 10_000);
    t.diagnostic(`the abort reached the instance (aborted +1, nothing in flight) within ${reached.toFixed(0)} ms; the mock's request closed too`);
    // Well before the stream's next byte: nginx passed the close on, not a failed write.
    assert.ok(reached < QUIET_MS / 2, `the abort reached the instance after ${reached.toFixed(0)} ms (next byte after ${QUIET_MS} ms)`);
  });

  test("the Dockerfile's HEALTHCHECK command passes against a running instance and fails against a dead port", async () => {
    const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
    const m = /HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])/.exec(dockerfile);
    assert.ok(m, 'a HEALTHCHECK CMD in exec form');
    const argv = JSON.parse(m[1]!) as string[];
    assert.equal(argv[0], 'node');
    const run = (port: number) => spawnSync(process.execPath, argv.slice(1), { env: { ...process.env, KIRO_PROXY_PORT: String(port) }, timeout: 10_000 });
    assert.equal(run(instances[0]!.port).status, 0, 'healthy instance');
    assert.equal(run(await freePort()).status, 1, 'nothing listening');
  });
});

describe('Dockerfile and compose.yaml, statically', () => {
  test('every file the Dockerfile copies exists (the runtime stage after `npm run build`)', { skip: existsSync(CLI) ? false : 'dist/ is not built' }, () => {
    const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
    const copies = [...dockerfile.matchAll(/^COPY (--from=build )?(.+)$/gm)];
    assert.ok(copies.length >= 6);
    for (const [, fromBuild, args] of copies) {
      const parts = args!.trim().split(/\s+/);
      const sources = parts.slice(0, -1);
      for (const s of sources) {
        const path = fromBuild ? join(REPO, s.replace(/^\/src\//, '')) : join(REPO, s);
        assert.ok(existsSync(path), `COPY ${s}: ${path} is missing`);
      }
    }
  });

  test('compose.yaml gives the instances only variables the CLI reads; nginx.conf names its services and port', async () => {
    const { CLI_FLAGS } = await import('../../../src/core/config/cli-flags.ts');
    const known = new Set<string>(CLI_FLAGS.map((f: { env?: string }) => f.env).filter((e: string | undefined): e is string => !!e));
    known.add('KIRO_PROXY_STATE_KEY');
    const compose = readFileSync(join(REPO, 'compose.yaml'), 'utf8');
    const vars = [...compose.matchAll(/^\s+(KIRO_[A-Z0-9_]+):/gm)].map((m) => m[1]!);
    assert.ok(vars.length >= 6, vars.join(', '));
    assert.deepEqual(
      vars.filter((v) => !known.has(v)),
      [],
      'unknown variables in compose.yaml',
    );
    const nginxConf = readFileSync(join(REPO, 'deploy', 'nginx.conf'), 'utf8');
    for (const service of ['proxy-1', 'proxy-2']) {
      assert.match(compose, new RegExp(`^  ${service}:`, 'm'), `compose service ${service}`);
      assert.match(nginxConf, new RegExp(`server ${service}:8080\\b`), `nginx upstream ${service}:8080`);
    }
    assert.match(compose, /KIRO_PROXY_PORT: '8080'/);
    assert.match(compose, /'8080:8080'/);
    assert.match(nginxConf, /listen 8080;/);
    assert.match(compose, /\.\/deploy\/nginx\.conf:\/etc\/nginx\/nginx\.conf:ro/);
    // nginx closes idle upstream connections before the instance does (no reuse of a closing one).
    const nginxIdle = Number(/keepalive_timeout (\d+)s;/.exec(nginxConf)?.[1]);
    const serverIdle = Number(
      /KEEP_ALIVE_TIMEOUT_MS = ([\d_]+);/.exec(readFileSync(join(REPO, 'src/core/server/http-server.ts'), 'utf8'))?.[1]?.replace(/_/g, ''),
    );
    assert.ok(nginxIdle * 1000 < serverIdle, `nginx upstream keepalive_timeout ${nginxIdle} s < the instances' ${serverIdle} ms`);
  });
});
