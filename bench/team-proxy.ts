// Added latency of a whole proxy instance in team mode (Redis) against the same proxy with its
// in-process pool, on loopback, against the mock Kiro: what --redis-url costs a request end to
// end (issue 16's target: p50 within 0.2 ms of in-process mode).
//
// Method
// - One private redis-server (Debian's, as the tests use: test/helpers/redis.ts) on a free
//   127.0.0.1 port, no persistence. The mock Kiro (no frame splitting, no delays) and two real
//   proxies (createProxy, the same config and the same base64 credentials of two accounts) run in
//   this process: "in-process" without a Redis URL, "redis" in team mode with a state key. Both
//   arms share the process, so what they share (mock, client, event loop) cancels out.
// - The same request every time: POST /v1/chat/completions, non-streaming, a short answer, one
//   keep-alive connection per arm (node:http Agent, maxSockets 1), sequential (concurrency 1):
//   the latency one client sees.
// - Warm-up (500 requests per arm: JIT, connections, Lua script cache), then interleaved rounds:
//   each round runs each arm for a slice of its samples, so a slow moment of the machine hits
//   both alike. p50/p99 by nearest rank (bench/lib/stats.ts). "added p50" = redis p50 − in-process p50.
// - Redis's own command count (INFO commandstats, read on a separate connection before and after
//   the measured rounds; the in-process arm sends none) gives the commands per team request.
// Bounded: fixed sample counts; every server stopped on the way out.
//
//   node bench/team-proxy.ts [--samples 3000]
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { credentialOf } from '../test/helpers/proxy.ts';
import { startRedisServer } from '../test/helpers/redis.ts';
import { defaultConfig } from '../src/core/config.ts';
import { startMockKiro } from '../src/core/kiro-mock/index.ts';
import { TeamConnection } from '../src/core/team/connection.ts';
import { createProxy, type Proxy } from '../src/core/proxy.ts';
import type { SecretStore } from '../src/core/proxy-types.ts';
import { fmt, fmtDelta, summarise } from './lib/stats.ts';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '3000' } } });
const SAMPLES = Math.max(300, Number(values.samples));
const WARMUP = 500;
const ROUNDS = 10;
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const BODY = JSON.stringify({ model: 'claude-sonnet-4.5', messages: [{ role: 'user', content: 'hi' }] });

function memoryStore(): SecretStore {
  const m = new Map<string, string>();
  return { get: async (k) => m.get(k), set: async (k, v) => void m.set(k, v), delete: async (k) => void m.delete(k) };
}

function post(port: number, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/chat/completions',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(BODY);
  });
}

async function main(): Promise<void> {
  const redis = await startRedisServer();
  const mock = await startMockKiro({ splitFrames: false, usageLimit: 1_000_000 });
  const dir = await mkdtemp(join(tmpdir(), 'kiro-bench-team-'));
  const proxies: Proxy[] = [];
  try {
    const creds = ['a', 'b'].map((id) => credentialOf(mock.addAccount({ id, authMethod: 'social', provider: 'Google' })));
    const credsBase64 = Buffer.from(JSON.stringify(creds)).toString('base64');
    const start = async (name: string, redisUrl: string | undefined) => {
      const config = defaultConfig({
        port: 0,
        mock: false,
        home: join(dir, name),
        ssoCache: join(dir, 'sso'),
        importSsoCacheOnStart: false,
        credsBase64,
        endpoints: { ...mock.endpoints },
        redisUrl,
        cacheEnabled: false,
      });
      const proxy = createProxy(config, { logger: quiet, secrets: memoryStore(), teamStateKey: () => randomBytes(32).toString('base64') });
      proxies.push(proxy);
      return (await proxy.start()).port;
    };
    const arms = [
      { name: 'in-process', port: await start('local', undefined), agent: new Agent({ keepAlive: true, maxSockets: 1 }), samples: [] as number[] },
      { name: 'redis', port: await start('team', redis.url), agent: new Agent({ keepAlive: true, maxSockets: 1 }), samples: [] as number[] },
    ];
    log(`warm-up: ${WARMUP} requests per arm`);
    for (const arm of arms) for (let i = 0; i < WARMUP; i++) await post(arm.port, arm.agent);
    // Redis's own count of the commands it ran (INFO commandstats), from a separate connection.
    const stats = await TeamConnection.open({ url: redis.url, logger: quiet });
    await stats.waitUntilUp(AbortSignal.timeout(5000));
    const commandsRun = async () => {
      const info = await stats.command<string>(['INFO', 'commandstats']);
      let n = 0;
      for (const m of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) if (m[1] !== 'info') n += Number(m[2]);
      return n;
    };
    const commandsBefore = await commandsRun();
    const t0 = performance.now();
    const per = Math.ceil(SAMPLES / ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      for (const arm of arms) for (let i = 0; i < per; i++) arm.samples.push(await post(arm.port, arm.agent));
      log(`round ${r + 1}/${ROUNDS}`);
    }
    const commands = (await commandsRun()) - commandsBefore;
    const seconds = (performance.now() - t0) / 1000;
    await stats.close();
    const [local, team] = arms.map((a) => summarise(a.samples)) as [ReturnType<typeof summarise>, ReturnType<typeof summarise>];
    const out = [
      `Team mode, whole proxy on loopback (${SAMPLES} sequential requests per arm after ${WARMUP} warm-up, ${ROUNDS} interleaved rounds)`,
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, Node ${process.version}`,
      '',
      '| arm | p50 | p99 | added p50 |',
      '|---|---|---|---|',
      `| in-process pool | ${fmt(local.p50)} | ${fmt(local.p99)} | |`,
      `| team mode (Redis) | ${fmt(team.p50)} | ${fmt(team.p99)} | ${fmtDelta(team.p50 - local.p50)} |`,
      '',
      `Redis ran ${commands} commands while the ${per * ROUNDS} team-mode requests were measured (${(commands / (per * ROUNDS)).toFixed(3)} per request, ` +
        `heartbeats and presence included; ${seconds.toFixed(1)} s).`,
    ];
    process.stdout.write(out.join('\n') + '\n');
    for (const a of arms) a.agent.destroy();
  } finally {
    for (const p of proxies) await p.stop().catch(() => undefined);
    await mock.close();
    await redis.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
