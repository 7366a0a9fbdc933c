// Other AI gateways on this machine, measured with our own method. Third-party gateways cannot
// talk to Kiro, so each one stands in front of a minimal OpenAI-compatible mock
// (bench/lib/openai-mock.ts) and is compared with a direct call to that mock and with the floor
// proxy (bench/floor-proxy.ts) in front of it: same load generator, same statistics, interleaved
// rounds after a warm-up, fixed sample counts, a whole-run time limit, every child stopped on the
// way out. Never part of `npm test` or CI. See "Against other gateways" in bench/README.md.
//
//   node bench/gateways.ts [--quick] [--rounds 6] [--per-round 150] [--warmup 300] [--label gateways]
//
// Gateways are installed on first use into $KIRO_BENCH_GATEWAYS_DIR (default
// ~/.cache/kiro-proxy-bench/gateways), never into the repository's dependencies.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, homedir, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs, promisify } from 'node:util';
import { request } from 'undici';
import { agent, call, stream, type Target } from './lib/loadgen.ts';
import { ROOT, startFloorProxy, stopper } from './lib/procs.ts';
import { fmt, fmtDelta, summarise, type Summary } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '6' },
    'per-round': { type: 'string', default: '150' },
    warmup: { type: 'string', default: '300' },
    label: { type: 'string', default: 'gateways' },
  },
});

const TIME_LIMIT_MS = 10 * 60_000;
const CACHE_DIR = process.env['KIRO_BENCH_GATEWAYS_DIR'] ?? join(homedir(), '.cache', 'kiro-proxy-bench', 'gateways');
const scale = values.quick ? 0.25 : 1;
const count = (v: string, min: number) => Math.max(min, Math.round(Number(v) * scale));
const ROUNDS = count(values.rounds, 2);
const PER_ROUND = count(values['per-round'], 20);
const WARMUP = count(values.warmup, 50);

const log = (line: string) => process.stderr.write(`[gateways] ${line}\n`);

// ---------------------------------------------------------------------------------------------
// Child processes: every one is registered the moment it is spawned, so the watchdog, a signal
// or an exception can stop it; none outlives the run.

interface Child {
  name: string;
  proc: ChildProcess;
  /** Bytes the child wrote to stdout/stderr after it was ready: shows per-request logging. */
  outputAfterReady: number;
}

const children: Child[] = [];

function spawnChild(name: string, args: string[], env: NodeJS.ProcessEnv = process.env): Child {
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env });
  const child: Child = { name, proc, outputAfterReady: 0 };
  children.push(child);
  return child;
}

/** Resolves with the first stdout line that `match`es; rejects on exit or timeout, with stderr. */
function readyLine(child: Child, match: (line: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const { proc } = child;
  return new Promise((resolve, reject) => {
    const stderr: string[] = [];
    let ready = false;
    const onErr = (d: Buffer) => {
      if (ready) child.outputAfterReady += d.length;
      else if (stderr.length < 40) stderr.push(d.toString());
    };
    proc.stderr!.on('data', onErr);
    // Keep both pipes drained for the whole run: a chatty child must never block on a full pipe.
    proc.stdout!.on('data', (d: Buffer) => {
      if (ready) child.outputAfterReady += d.length;
    });
    const rl = createInterface({ input: proc.stdout! });
    const finish = (err?: Error, line?: string) => {
      clearTimeout(timer);
      proc.off('exit', onExit);
      // Closing readline pauses stdout: resume it, or a chatty child would block on a full pipe.
      rl.close();
      proc.stdout!.resume();
      if (err) reject(err);
      else resolve(line!);
    };
    const timer = setTimeout(() => finish(new Error(`${child.name} was not ready within ${timeoutMs} ms\n${stderr.join('')}`)), timeoutMs);
    const onExit = (code: number | null) => finish(new Error(`${child.name} exited (${code}) before it was ready\n${stderr.join('')}`));
    proc.once('exit', onExit);
    rl.on('line', (line) => {
      if (!ready && match(line)) {
        ready = true;
        finish(undefined, line);
      }
    });
  });
}

const stopChild = (child: Child): Promise<void> => stopper(child.proc)();

const stopAll = () => Promise.all(children.map(stopChild));

/** A free loopback port, for gateways that cannot be told `--port 0`. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The upstream and the request every arm sends.

const MOCK_AUTH = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };

function chatBody(streamed: boolean): string {
  return JSON.stringify({
    model: 'gpt-4o-mini',
    stream: streamed,
    messages: [{ role: 'user', content: 'Say hello to the benchmark in one sentence, please.' }],
  });
}

/** Counted once per content chunk in the SSE stream (the mock's role/finish chunks have none). */
const CONTENT_MARKER = '"content":"';

async function startOpenAiMock(): Promise<{ child: Child; url: string }> {
  const child = spawnChild('openai mock', ['--disable-warning=ExperimentalWarning', join(ROOT, 'bench/lib/openai-mock.ts'), '--port', '0']);
  const line = await readyLine(child, (l) => l.startsWith('{'));
  return { child, url: (JSON.parse(line) as { url: string }).url };
}

async function mockCompletions(mockUrl: string): Promise<number> {
  const res = await request(`${mockUrl}/__mock/stats`, { dispatcher: agent });
  return ((await res.body.json()) as { completions: number }).completions;
}

// ---------------------------------------------------------------------------------------------
// Gateways. Each either starts (and says how to address it) or says why it cannot run here.

interface RunningGateway {
  child: Child;
  version: string;
  /** Headers that route a request to the mock, added to the direct call's headers. */
  routeHeaders: Record<string, string>;
  url: string;
  notes: string[];
}

interface Gateway {
  id: string;
  start(mockUrl: string): Promise<RunningGateway>;
}

class Unavailable extends Error {}

const execFileAsync = promisify(execFile);

async function npmInstall(dir: string, packageJson: object): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(packageJson, null, 2));
  log(`npm install into ${dir}…`);
  // --ignore-scripts: no third-party install script runs on this machine (see each gateway for
  // why that changes nothing it needs).
  await execFileAsync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { timeout: 180_000 });
}

const versionOf = (dir: string): string => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * Portkey AI Gateway (Node build of the Hono app), pinned to the versions of Portkey's own
 * package-lock.json. The published package leaves its dependencies as ranges, and what npm picks
 * today (@hono/node-server 1.19.x, pulled in by @hono/node-ws 1.3.x) breaks streaming: every
 * `stream: true` request answers 500 "Something went wrong" (Portkey appends headers to the
 * upstream fetch Response, whose headers the newer adapter passes through immutable). Its
 * postinstall is `patch-package`, and the npm package ships no patches, so skipping scripts
 * changes nothing.
 */
const PORTKEY_VERSION = '1.15.2';
const PORTKEY_PINS = { '@hono/node-server': '1.13.5', hono: '4.9.7', '@hono/node-ws': '1.2.0' };

async function ensurePortkey(): Promise<string> {
  const dir = join(CACHE_DIR, `portkey-${PORTKEY_VERSION}`);
  const pkg = join(dir, 'node_modules', '@portkey-ai', 'gateway');
  if (!existsSync(join(pkg, 'package.json'))) {
    await npmInstall(dir, { private: true, dependencies: { '@portkey-ai/gateway': PORTKEY_VERSION }, overrides: PORTKEY_PINS });
  }
  // A copy nested under the gateway would win over the pinned one: refuse to measure that.
  if (existsSync(join(pkg, 'node_modules', '@hono', 'node-server'))) throw new Error(`${pkg} has a nested @hono/node-server; delete ${dir} and rerun`);
  return pkg;
}

const portkey: Gateway = {
  id: 'portkey',
  async start(mockUrl) {
    const pkg = await ensurePortkey();
    const port = await freePort();
    // --headless: no web UI and no log stream to it; the UI is a development aid, not the gateway.
    const child = spawnChild('portkey', [join(pkg, 'build', 'start-server.js'), `--port=${port}`, '--headless']);
    await readyLine(child, (l) => l.includes('Ready for connections'));
    const adapter = versionOf(join(pkg, '..', '..', '@hono', 'node-server'));
    const hono = versionOf(join(pkg, '..', '..', 'hono'));
    return {
      child,
      version: `@portkey-ai/gateway ${versionOf(pkg)} (hono ${hono}, @hono/node-server ${adapter}), node build/start-server.js --headless`,
      url: `http://127.0.0.1:${port}`,
      // The provider is OpenAI; the custom host sends it to the mock instead of api.openai.com
      // (Portkey trusts localhost/127.0.0.1 custom hosts by default).
      routeHeaders: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${mockUrl}/v1` },
      notes: [
        'Portkey listens on all interfaces (its CLI has --port but no host option).',
        'Portkey waits 25 ms before forwarding the first chunk of every stream (src/handlers/streamHandler.ts: `if (isFirstChunk) … setTimeout(resolve, 25)`), so its time to first token carries +25 ms by design.',
      ],
    };
  },
};

/**
 * Bifrost's npm package is a launcher: bin.js downloads the Go binary (bifrost-http) from
 * downloads.getmaxim.ai at run time and caches it under ~/.cache/bifrost/<version>/bin. Only the
 * npm registry is reachable here, so unless a binary is already cached, Bifrost cannot run.
 */
const BIFROST_VERSION = '1.6.3';
const bifrost: Gateway = {
  id: 'bifrost',
  async start() {
    const dir = join(CACHE_DIR, `bifrost-${BIFROST_VERSION}`);
    const pkg = join(dir, 'node_modules', '@maximhq', 'bifrost');
    if (!existsSync(join(pkg, 'package.json'))) await npmInstall(dir, { private: true, dependencies: { '@maximhq/bifrost': BIFROST_VERSION } });
    const files = readdirSync(pkg).join(', ');
    const cached = join(homedir(), '.cache', 'bifrost');
    const binaries = existsSync(cached) ? readdirSync(cached) : [];
    if (binaries.length === 0) {
      throw new Unavailable(
        `@maximhq/bifrost ${versionOf(pkg)} ships only {${files}}: bin.js downloads the Go binary from downloads.getmaxim.ai at run time, which is unreachable from this machine (only the npm registry is), and no binary is cached in ${cached}.`,
      );
    }
    throw new Unavailable(`a Bifrost binary is cached in ${cached} (${binaries.join(', ')}), but this script has no tested Bifrost configuration yet.`);
  },
};

/** LiteLLM is a Python package: only if it is importable (PyPI is not reachable here). */
const litellm: Gateway = {
  id: 'litellm',
  async start() {
    try {
      execFileSync('python3', ['-c', 'import litellm'], { stdio: 'ignore', timeout: 30_000 });
    } catch {
      throw new Unavailable(
        'the Python package litellm is not installed, pip cannot reach PyPI from this machine (its local indexes have no litellm) and Debian does not package it.',
      );
    }
    throw new Unavailable('litellm is importable, but this script has no tested LiteLLM proxy configuration yet.');
  },
};

const GATEWAYS: Gateway[] = [portkey, bifrost, litellm];

// ---------------------------------------------------------------------------------------------
// Measurement: the method of bench/scenarios/latency.ts, for any number of arms.

type Sample = (t: Target) => Promise<number>;

const totalTime: Sample = async (t) => {
  const r = await call(t);
  if (r.status !== 200 || r.bytes === 0) throw new Error(`${t.name}: HTTP ${r.status}, ${r.bytes} bytes`);
  return r.totalMs;
};

/** Time to first token: the read that held the first content chunk. Both chunks must arrive. */
const firstToken: Sample = async (t) => {
  const r = await stream(t);
  if (r.status !== 200 || r.eventAt.length !== 2) throw new Error(`${t.name}: HTTP ${r.status}, ${r.eventAt.length} content chunks (expected 2)`);
  return r.eventAt[0]!;
};

/** Warm-up on every arm, then rounds in rotating order, so a slow moment hits every arm alike. */
async function interleaved(arms: Target[], sample: Sample): Promise<Record<string, Summary>> {
  const samples = new Map<string, number[]>(arms.map((a) => [a.name, []]));
  for (const arm of arms) for (let i = 0; i < WARMUP; i++) await sample(arm);
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < arms.length; k++) {
      const arm = arms[(k + r) % arms.length]!;
      const into = samples.get(arm.name)!;
      for (let i = 0; i < PER_ROUND; i++) into.push(await sample(arm));
    }
  }
  return Object.fromEntries([...samples].map(([name, v]) => [name, summarise(v)]));
}

/** One request through an arm must reach the mock exactly once and come back 200. */
async function checkForwards(t: Target, mockUrl: string): Promise<void> {
  const before = await mockCompletions(mockUrl);
  const res = await request(t.url, { method: 'POST', headers: t.headers, body: t.body, dispatcher: agent });
  const text = await res.body.text();
  const after = await mockCompletions(mockUrl);
  if (res.statusCode !== 200 || after !== before + 1)
    throw new Error(`${t.name} does not forward: HTTP ${res.statusCode}, mock saw ${after - before} requests: ${text.slice(0, 300)}`);
  if (!text.includes('Hello')) throw new Error(`${t.name} answered without the mock's content: ${text.slice(0, 300)}`);
}

// ---------------------------------------------------------------------------------------------
// Report.

interface ArmResult {
  name: string;
  latency: Summary;
  ttft: Summary;
}

function machine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${platform()} ${release()}, Node ${process.version}`;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

function table(title: string, arms: ArmResult[], pick: (a: ArmResult) => Summary): string[] {
  const direct = pick(arms[0]!);
  const rows = arms.map((a) => {
    const s = pick(a);
    const added = a.name === 'direct' ? ['', ''] : [fmtDelta(s.p50 - direct.p50, 3), fmtDelta(s.p99 - direct.p99, 3)];
    return `| ${a.name} | ${fmt(s.p50, 3)} | ${fmt(s.p99, 3)} | ${added[0]} | ${added[1]} | ${s.n} |`;
  });
  return [`### ${title}`, '', '| arm | p50 ms | p99 ms | added p50 ms | added p99 ms | n |', '|---|---:|---:|---:|---:|---:|', ...rows, ''];
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const started = Date.now();
  const loadAtStart = load();
  const watchdog = setTimeout(() => {
    log(`time limit of ${TIME_LIMIT_MS / 60_000} min reached, stopping`);
    for (const c of children) c.proc.kill('SIGKILL');
    process.exit(2);
  }, TIME_LIMIT_MS);
  watchdog.unref();

  const notes: string[] = [];
  const skipped: { id: string; reason: string }[] = [];
  const versions: Record<string, string> = {};
  const results: ArmResult[] = [];
  let mockCount: { expected: number; seen: number };
  try {
    const mock = await startOpenAiMock();
    log(`openai mock ${mock.url} (pid ${mock.child.proc.pid})`);
    const arm =
      (name: string, url: string, extra: Record<string, string> = {}) =>
      (streamed: boolean): Target => ({
        name,
        url: `${url}/v1/chat/completions`,
        headers: { ...MOCK_AUTH, ...extra },
        body: chatBody(streamed),
        marker: CONTENT_MARKER,
      });
    const floorChild = await startFloorProxy(`${mock.url}/v1/chat/completions`, MOCK_AUTH);
    // startFloorProxy keeps its own handle; registering the process here too lets every exit
    // path stop it.
    children.push({ name: 'floor proxy', proc: floorChild.proc, outputAfterReady: 0 });
    const arms = [arm('direct', mock.url), arm('floor', floorChild.url)];

    for (const gw of GATEWAYS) {
      try {
        log(`${gw.id}: starting…`);
        const g = await gw.start(mock.url);
        versions[gw.id] = g.version;
        notes.push(...g.notes.map((n) => `${gw.id}: ${n}`));
        arms.push(arm(gw.id, g.url, g.routeHeaders));
        log(`${gw.id}: ${g.version} on ${g.url} (pid ${g.child.proc.pid})`);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        skipped.push({ id: gw.id, reason });
        log(`${gw.id}: not measured: ${reason}`);
      }
    }

    for (const mk of arms) {
      await checkForwards(mk(false), mock.url);
      await checkForwards(mk(true), mock.url);
    }
    const seenBefore = await mockCompletions(mock.url);
    log(`latency: ${arms.length} arms × (${WARMUP} warm-up + ${ROUNDS} rounds × ${PER_ROUND})…`);
    const latency = await interleaved(
      arms.map((mk) => mk(false)),
      totalTime,
    );
    log(`time to first token: same counts, streaming…`);
    const ttft = await interleaved(
      arms.map((mk) => mk(true)),
      firstToken,
    );
    // Every sample must have reached the mock: no arm answered from a cache or short-circuited.
    mockCount = { expected: 2 * arms.length * (WARMUP + ROUNDS * PER_ROUND), seen: (await mockCompletions(mock.url)) - seenBefore };
    if (mockCount.seen !== mockCount.expected) throw new Error(`the mock saw ${mockCount.seen} completions, expected ${mockCount.expected}`);
    for (const mk of arms) {
      const name = mk(false).name;
      results.push({ name, latency: latency[name]!, ttft: ttft[name]! });
    }
    for (const c of children) if (c.outputAfterReady > 0) notes.push(`${c.name} wrote ${c.outputAfterReady} bytes of output while measured.`);
  } finally {
    await stopAll();
    await agent.close();
    clearTimeout(watchdog);
  }

  const when = new Date().toISOString();
  const md = [
    `## ${values.label} — ${when}`,
    '',
    `Machine: ${machine()}. Load average at start ${loadAtStart}, at end ${load()}. ${ROUNDS} rounds × ${PER_ROUND} per arm after ${WARMUP} warm-up, sequential (1 in flight), arms interleaved in rotating order. Total ${((Date.now() - started) / 1000).toFixed(0)} s${values.quick ? ' (--quick)' : ''}.`,
    '',
    ...Object.entries(versions).map(([id, v]) => `- ${id}: ${v}`),
    '',
    ...table('Non-streaming POST /v1/chat/completions: total time', results, (a) => a.latency),
    ...table('Streaming POST /v1/chat/completions: time to first token', results, (a) => a.ttft),
    `The mock counted ${mockCount.seen} completions for ${mockCount.expected} requests sent: every request was forwarded.`,
    '',
    ...notes.map((n) => `- ${n}`),
    ...skipped.map((s) => `- not measured: ${s.id}: ${s.reason}`),
  ].join('\n');
  process.stdout.write(md + '\n');
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = when.replace(/[:.]/g, '-');
  writeFileSync(
    join(dir, `${values.label}-${stamp}.json`),
    JSON.stringify(
      {
        label: values.label,
        when,
        machine: machine(),
        loadAtStart,
        quick: values.quick,
        rounds: ROUNDS,
        perRound: PER_ROUND,
        warmup: WARMUP,
        versions,
        results,
        skipped,
        notes,
        mockCount,
      },
      null,
      2,
    ),
  );
  writeFileSync(join(dir, `${values.label}-latest.md`), md + '\n');
  log(`results: bench/results/${values.label}-${stamp}.json`);
  return 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping children`);
    void stopAll().then(() => process.exit(130));
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    // main's finally has already stopped the children; this catches a failure before it ran.
    void stopAll().then(() => process.exit(1));
  },
);
