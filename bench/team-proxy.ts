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
// - Two team-mode arms on the same instance: the same conversation every time (an agent's session:
//   the instance keeps a reserved slot and knows the conversation, so no Redis call is on the
//   path), and a new conversation every request (a first turn: one Redis round trip on the path).
// - After the timing, 500 more requests per arm under Redis MONITOR count the commands the
//   instances sent per request (commands run inside a Lua script are not counted).
// Bounded: fixed sample counts; every server stopped on the way out.
//
// - --lanes N: N clients at once per arm, each its own conversation (the known-conversation arm),
//   over both accounts: what several agent sessions on one instance see.
//
//   node bench/team-proxy.ts [--samples 3000] [--lanes 1]
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { credentialOf } from '../test/helpers/proxy.ts';
import { startRedisServer } from '../test/helpers/redis.ts';
import { defaultConfig } from '../src/core/config.ts';
import { startMockKiro } from '../src/core/kiro-mock/index.ts';
import { createProxy, type Proxy } from '../src/core/proxy.ts';
import type { SecretStore } from '../src/core/proxy-types.ts';
import { fmt, fmtDelta, summarise } from './lib/stats.ts';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '3000' }, lanes: { type: 'string', default: '1' } } });
/** Clients sending at once per arm, each its own conversation (--lanes; 1 = sequential). */
const LANES = Math.max(1, Math.floor(Number(values.lanes)));
const SAMPLES = Math.max(300, Number(values.samples));
const WARMUP = 500;
const ROUNDS = 10;
const COUNTED = 500;
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
/** The same conversation every time (one per lane). */
const same = (lane: number) =>
  JSON.stringify({ model: 'claude-sonnet-4.5', messages: [{ role: 'user', content: lane === 0 ? 'hi' : `hi from lane ${lane}` }] });
let fresh = 0;
/** A first user message never sent before: a conversation new to every instance. */
const newConversation = () => JSON.stringify({ model: 'claude-sonnet-4.5', messages: [{ role: 'user', content: `hi ${fresh++}` }] });

function memoryStore(): SecretStore {
  const m = new Map<string, string>();
  return { get: async (k) => m.get(k), set: async (k, v) => void m.set(k, v), delete: async (k) => void m.delete(k) };
}

function post(port: number, agent: Agent, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/chat/completions',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Counts the commands clients send Redis (MONITOR on a raw connection), until stop(). */
async function monitorRedis(port: number): Promise<{ stop(): Promise<number> }> {
  const socket = connect({ host: '127.0.0.1', port });
  let buffered = '';
  let commands = 0;
  let ready!: () => void;
  const started = new Promise<void>((r) => (ready = r));
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\r\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 2);
      if (line === '+OK') ready();
      else if (line.startsWith('+') && !line.includes(' lua] ')) commands++;
    }
  });
  socket.write('MONITOR\r\n');
  await started;
  return {
    async stop() {
      await new Promise((r) => setTimeout(r, 100)); // the last replies' commands are already in; let their lines arrive
      socket.destroy();
      return commands;
    },
  };
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
    const teamPort = await start('team', redis.url);
    const agent = () => new Agent({ keepAlive: true, maxSockets: LANES });
    const arms = [
      { name: 'in-process pool', port: await start('local', undefined), agent: agent(), body: same, samples: [] as number[], commands: 0 },
      { name: 'team mode (Redis), a known conversation', port: teamPort, agent: agent(), body: same, samples: [] as number[], commands: 0 },
      {
        name: 'team mode (Redis), a new conversation every request',
        port: teamPort,
        agent: agent(),
        body: newConversation,
        samples: [] as number[],
        commands: 0,
      },
    ];
    log(`warm-up: ${WARMUP} requests per arm`);
    /** `n` requests of one arm over its lanes, each lane sequential. */
    const drive = (arm: (typeof arms)[number], n: number, keep: boolean) =>
      Promise.all(
        Array.from({ length: LANES }, async (_, lane) => {
          for (let i = lane; i < n; i += LANES) {
            const ms = await post(arm.port, arm.agent, arm.body(lane));
            if (keep) arm.samples.push(ms);
          }
        }),
      );
    for (const arm of arms) await drive(arm, WARMUP, false);
    const per = Math.ceil(SAMPLES / ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      for (const arm of arms) await drive(arm, per, true);
      log(`round ${r + 1}/${ROUNDS}`);
    }
    // Untimed: the commands clients sent Redis per request, seen by MONITOR (not during the timing:
    // MONITOR slows Redis down). Commands a Lua script runs are shown as `[0 lua]` and not counted.
    for (const arm of arms) {
      const monitor = await monitorRedis(redis.port);
      await drive(arm, COUNTED, false);
      arm.commands = (await monitor.stop()) / COUNTED;
    }
    const [local, ...team] = arms.map((a) => ({ ...a, s: summarise(a.samples) }));
    const out = [
      `Team mode, whole proxy on loopback (${SAMPLES} requests per arm, ${LANES === 1 ? 'sequential' : `${LANES} clients at once, each its own conversation`}, after ${WARMUP} warm-up, ${ROUNDS} interleaved rounds)`,
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, Node ${process.version}`,
      '',
      '| arm | p50 | p99 | added p50 | Redis commands per request |',
      '|---|---|---|---|---|',
      `| ${local!.name} | ${fmt(local!.s.p50)} | ${fmt(local!.s.p99)} | | ${local!.commands.toFixed(3)} |`,
      ...team.map((a) => `| ${a.name} | ${fmt(a.s.p50)} | ${fmt(a.s.p99)} | ${fmtDelta(a.s.p50 - local!.s.p50)} | ${a.commands.toFixed(3)} |`),
      '',
      `Redis commands per request: what the instances sent, seen by MONITOR over ${COUNTED} more requests per arm after the timing (heartbeats and presence included, commands run inside Lua scripts not).`,
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
