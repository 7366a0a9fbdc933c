// Per-call latency of team mode's hot-path primitives on loopback, against the in-process
// implementations of the same interfaces: what Redis mode adds to a request before the wiring
// exists. The target (issue 16) is an added p50 within 0.2 ms of in-process mode, with one round
// trip per request on the latency path (acquire); release happens after the response. The
// "Redis" arms go to Redis on every acquire (reserveIdleMs 0); one more arm runs as team mode
// does, keeping a released slot reserved for the next request of a conversation it knows.
//
// Method
// - A private redis-server (Debian's, the one the tests use: test/helpers/redis.ts) on a free
//   127.0.0.1 port, no persistence; this process is the only client. Node 22, @redis/client as
//   team mode opens it (RESP2, no offline queue).
// - Each primitive is timed with performance.now() around one awaited call, the way a request
//   would make it: sequentially (concurrency 1), and with 32 callers in flight (commands issued
//   in the same tick share one socket write: node-redis pipelines them), where each call's own
//   latency is recorded.
// - Warm-up (1,000 calls per primitive: JIT, script cache, connections), then interleaved rounds:
//   every round runs each arm in turn for a slice of its samples, so a slow moment of the
//   machine hits every arm alike. p50/p99 by nearest rank (bench/lib/stats.ts).
// - "added p50" = Redis arm p50 − in-process arm p50 of the same interface call.
// - The event propagation row: instance A sets a cooldown; the time until instance B's listener
//   runs (two connections, pub/sub), sequential.
// Bounded: fixed sample counts, every server and connection stopped on the way out.
//
//   node bench/redis-roundtrip.ts [--samples 5000]
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startRedisServer } from '../test/helpers/redis.ts';
import { TeamConnection } from '../src/core/team/connection.ts';
import { teamKeys } from '../src/core/team/keys.ts';
import { MemoryLock, RedisLock } from '../src/core/team/lock.ts';
import { MemoryPoolState } from '../src/core/team/memory-pool-state.ts';
import { RedisPoolState } from '../src/core/team/redis-pool-state.ts';
import { ResilientPoolState } from '../src/core/team/resilient-pool-state.ts';
import { parseStateKeys } from '../src/core/team/state-key.ts';
import { RedisTeamEvents } from '../src/core/team/team-events.ts';
import { MemoryTokenVault, RedisTokenVault } from '../src/core/team/token-vault.ts';
import type { AcquireRequest, SharedPoolState, TokenVault } from '../src/core/team/types.ts';
import { fmt, fmtDelta, summarise, type Summary } from './lib/stats.ts';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '5000' } } });
const SAMPLES = Math.max(500, Number(values.samples));
const WARMUP = 1000;
const ROUNDS = 10;
const CONCURRENCY = 32;
const never = new AbortController().signal;
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

type Call = () => Promise<unknown>;
interface Arm {
  name: string;
  call: Call;
  samples: number[];
  /** A reference row (no "added" figure). */
  reference?: boolean;
}

async function timeOne(call: Call): Promise<number> {
  const t0 = performance.now();
  await call();
  return performance.now() - t0;
}

/** Interleaved rounds, `perRound` calls each, `conc` at a time; records each call's latency. */
async function run(arms: Arm[], conc: number): Promise<void> {
  for (const a of arms) for (let i = 0; i < WARMUP; i++) await a.call();
  const perRound = Math.ceil(SAMPLES / ROUNDS);
  for (let r = 0; r < ROUNDS; r++) {
    const order = arms.map((_, i) => arms[(i + r) % arms.length]!);
    for (const a of order) {
      let left = perRound;
      const worker = async () => {
        while (left-- > 0) a.samples.push(await timeOne(a.call));
      };
      await Promise.all(Array.from({ length: conc }, worker));
    }
  }
}

function row(name: string, s: Summary, base?: Summary): string {
  return `| ${name} | ${fmt(s.p50, 3)} | ${fmt(s.p99, 3)} | ${base ? fmtDelta(s.p50 - base.p50, 3) : '–'} | ${s.n} |`;
}

const redis = await startRedisServer();
const keys = teamKeys('bench');
const conns: TeamConnection[] = [];
const open = async () => {
  const c = await TeamConnection.open({ url: redis.url, logger: quiet });
  await c.waitUntilUp(AbortSignal.timeout(5000));
  conns.push(c);
  return c;
};
try {
  const connA = await open();
  const connB = await open();
  const keyring = parseStateKeys(randomBytes(32).toString('base64'));
  // The round trip: every acquire goes to Redis (no slot kept reserved between requests).
  const redisPool = new RedisPoolState({ connection: connA, keys, instanceId: 'bench-a', logger: quiet, reserveIdleMs: 0 });
  // What team mode runs: a released slot is kept for the next request of a conversation it knows.
  const reservingPool = new RedisPoolState({ connection: connB, keys, instanceId: 'bench-r', logger: quiet });
  const memPool = new MemoryPoolState({ instanceId: 'bench-mem' });
  // What team mode hands the pool: Redis behind the fallback wrapper.
  const resilient = new ResilientPoolState({
    shared: redisPool,
    health: () => connA.health,
    onHealth: (l) => connA.onHealth(l),
    instanceId: 'bench-a',
    logger: quiet,
  });
  const redisVault = new RedisTokenVault({ connection: connA, keys, keyring, instanceId: 'bench-a', logger: quiet });
  const memVault = new MemoryTokenVault({ instanceId: 'bench-mem' });
  const redisLock = new RedisLock({ connection: connA, keys, instanceId: 'bench-a', logger: quiet });
  const memLock = new MemoryLock({ instanceId: 'bench-mem', logger: quiet });
  const accounts = Array.from({ length: 8 }, (_, i) => `acct-${i}`);
  for (const p of [redisPool, memPool] as SharedPoolState[]) {
    for (const id of accounts.slice(0, 7)) await p.setCooldown(id, { durationMs: 3_600_000, reason: 'bench' }, never);
  }
  const tokens = {
    accessToken: 'a'.repeat(1200),
    refreshToken: 'r'.repeat(400),
    expiresAt: Date.now() + 3_600_000,
    profileArn: 'arn:aws:codewhisperer:us-east-1:123456789012:profile/BENCH',
  };
  for (const v of [redisVault, memVault] as TokenVault[]) await v.write('acct-0', tokens, { expectGen: 0, fence: 0 }, never);

  let sticky = 0;
  const acquireRelease =
    (p: SharedPoolState, req: () => AcquireRequest): Call =>
    async () => {
      const r = await p.acquire(req(), never);
      if (r.ok) void p.release(r.lease);
    };
  const oneCandidate = () => ({ candidates: [{ accountId: 'acct-7', limit: 0 }], stickyKey: `conv-${sticky++ % 1000}` });
  const eightCandidates = () => ({ candidates: accounts.map((accountId) => ({ accountId, limit: 0 })), stickyKey: `conv-${sticky++ % 1000}` });
  const lockCycle =
    (l: RedisLock | MemoryLock): Call =>
    async () => {
      const r = await l.tryAcquire('acct-0', { ttlMs: 30_000, keepAlive: false }, never);
      if ('release' in r) await r.release();
    };

  const groups: { title: string; arms: Arm[]; conc: number }[] = [];
  const pair = (title: string, mem: Call, red: Call, conc = 1, extra: Arm[] = []) =>
    groups.push({ title, conc, arms: [{ name: 'in-process', call: mem, samples: [] }, { name: 'Redis', call: red, samples: [] }, ...extra] });
  pair("acquire (1 candidate, sticky) — the request's one round trip", acquireRelease(memPool, oneCandidate), acquireRelease(redisPool, oneCandidate), 1, [
    { name: 'Redis behind the fallback wrapper (ResilientPoolState)', call: acquireRelease(resilient, oneCandidate), samples: [] },
    {
      name: 'Redis, keeping a reserved slot (as team mode runs; the 1000 conversations are known)',
      call: acquireRelease(reservingPool, oneCandidate),
      samples: [],
    },
    { name: 'PING, for reference (one bare round trip)', call: () => connA.command(['PING']), samples: [], reference: true },
  ]);
  pair('acquire (8 candidates, 7 cooling), sticky', acquireRelease(memPool, eightCandidates), acquireRelease(redisPool, eightCandidates));
  pair(`acquire (1 candidate), ${CONCURRENCY} in flight`, acquireRelease(memPool, oneCandidate), acquireRelease(redisPool, oneCandidate), CONCURRENCY);
  pair(
    'token read (decrypt)',
    () => memVault.read('acct-0', never),
    () => redisVault.read('acct-0', never),
  );
  pair('lock take + release (2 round trips)', lockCycle(memLock), lockCycle(redisLock));

  log(`redis-server ${redis.url}, ${SAMPLES} samples per arm after ${WARMUP} warm-up calls`);
  for (const g of groups) {
    log(g.title);
    await run(g.arms, g.conc);
  }

  // Event propagation: A sets a cooldown (state + publish in one script), B's listener runs.
  const busB = await RedisTeamEvents.start({ connection: connB, keys, instanceId: 'bench-b', logger: quiet });
  let resolveHeard: (() => void) | undefined;
  busB.subscribe(() => resolveHeard?.());
  const propagation: number[] = [];
  const n = Math.min(SAMPLES, 2000);
  for (let i = 0; i < n + 200; i++) {
    const heard = new Promise<void>((r) => (resolveHeard = r));
    const t0 = performance.now();
    await redisPool.setCooldown('acct-9', { durationMs: 60_000, reason: 'bench' }, never);
    await heard;
    if (i >= 200) propagation.push(performance.now() - t0);
  }
  busB.dispose();
  resilient.dispose();
  redisPool.dispose();
  reservingPool.dispose();

  const lines = [
    `## Team mode primitives on loopback (${new Date().toISOString().slice(0, 10)}, Node ${process.version})`,
    '',
    `Per-call latency in ms; ${SAMPLES} samples per arm, ${WARMUP} warm-up calls, ${ROUNDS} interleaved rounds; load average at the end ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores. Method: bench/redis-roundtrip.ts.`,
    '',
    '| call | p50 | p99 | added p50 vs in-process | n |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const g of groups) {
    const [mem, ...rest] = g.arms.map((a) => summarise(a.samples)) as [Summary, ...Summary[]];
    lines.push(row(`${g.title}: in-process`, mem));
    rest.forEach((s, i) => lines.push(row(`${g.title}: ${g.arms[i + 1]!.name}`, s, g.arms[i + 1]!.reference ? undefined : mem)));
  }
  lines.push(row('cooldown set on A → event heard on B', summarise(propagation)));
  process.stdout.write(lines.join('\n') + '\n');
} finally {
  for (const c of conns) await c.close();
  await redis.dispose();
}
