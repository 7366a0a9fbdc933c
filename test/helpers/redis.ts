// A real redis-server for the team-mode tests: each test starts its own on a free loopback port
// with a temp dir (no persistence unless asked), can stop and restart it on the same port (the
// "Redis goes away" tests) or freeze it (SIGSTOP: a server that accepts but never answers), and
// removes everything at the end. The binary is Debian's `redis-server` (`.ci/run` installs it).
//
// When redis-server is missing the Redis tests are skipped with a loud message, so
// `npm ci && npm test` still passes on a fresh machine; in CI (`CI=true`) a missing binary fails
// the tests unless `.ci/run` said it truly could not install it (KIRO_PROXY_SKIP_REDIS_TESTS=1).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export interface RedisServerOptions {
  /** Append-only file with fsync on every write, so a restart keeps the data. Default off. */
  persistence?: boolean;
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Running (started and not stopped/killed). */
  readonly running: boolean;
  /** SIGTERM and wait for exit (a persistent server writes its AOF first). */
  stop(): Promise<void>;
  /** SIGKILL: a crash, nothing flushed beyond what was fsync'd. */
  kill(): Promise<void>;
  /** Starts again on the same port and dir. */
  start(): Promise<void>;
  /** SIGSTOP: the socket stays open but nothing is answered (a hung server or a partition). */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
  /** Stops the server and removes its dir. */
  dispose(): Promise<void>;
}

let cachedBinary: string | null | undefined;

/** Path of redis-server, or null when it is not installed. */
function redisServerBinary(): string | null {
  if (cachedBinary !== undefined) return cachedBinary;
  const fromEnv = process.env['KIRO_PROXY_REDIS_SERVER'];
  const candidates = [fromEnv, '/usr/bin/redis-server', '/usr/local/bin/redis-server', 'redis-server'].filter((c): c is string => !!c);
  for (const c of candidates) {
    const r = spawnSync(c, ['--version'], { encoding: 'utf8' });
    if (r.status === 0 && /Redis server/i.test(r.stdout)) return (cachedBinary = c);
  }
  return (cachedBinary = null);
}

/**
 * The skip reason when the Redis tests cannot run here, or undefined when they can.
 * Throws in CI when redis-server is missing and CI did not declare it uninstallable.
 */
function redisSkipReason(): string | undefined {
  if (redisServerBinary()) return undefined;
  const message = 'redis-server is not installed: the Redis (team mode) tests were SKIPPED. Install it with `apt-get install redis-server`.';
  if (process.env['CI'] === 'true' && process.env['KIRO_PROXY_SKIP_REDIS_TESTS'] !== '1') {
    throw new Error(`${message} (.ci/run installs it; in CI a missing redis-server is a failure)`);
  }
  process.emitWarning(message);
  return message;
}

/** `describe`/`test` option: `{ skip: redisSkip }` */
export const redisSkip: string | false = (() => {
  const reason = redisSkipReason();
  return reason ?? false;
})();

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** PING over a raw socket until +PONG or the deadline. */
async function waitForPong(port: number, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = createConnection({ host: '127.0.0.1', port });
      let buf = '';
      const done = (v: boolean) => {
        sock.destroy();
        resolve(v);
      };
      sock.setTimeout(500, () => done(false));
      sock.on('error', () => done(false));
      sock.on('connect', () => sock.write('PING\r\n'));
      sock.on('data', (d) => {
        buf += d.toString('latin1');
        if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = redisServerBinary();
  if (!binary) throw new Error('redis-server is not installed (apt-get install redis-server)');
  const dir = await mkdtemp(join(tmpdir(), 'kiro-proxy-redis-'));
  let port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let log = '';

  const args = () => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.persistence ? 'yes' : 'no',
    ...(options.persistence ? ['--appendfsync', 'always'] : []),
    '--daemonize',
    'no',
    '--protected-mode',
    'yes',
    '--logfile',
    '',
    '--loglevel',
    'warning',
  ];

  const launch = async (): Promise<void> => {
    log = '';
    const c = spawn(binary, args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    c.stderr.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    const died = exited.then(() => {
      throw new Error(`redis-server exited on start (port ${port}): ${log.trim()}`);
    });
    await Promise.race([waitForPong(port, Date.now() + 10_000), died]);
    died.catch(() => undefined);
  };

  // The free port can be taken between probe and bind: try a few.
  for (let attempt = 0; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      child?.kill('SIGKILL');
      await exited;
      if (attempt >= 3) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
      port = await freePort();
    }
  }

  const isRunning = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const signalAndWait = async (sig: NodeJS.Signals) => {
    if (!isRunning()) return;
    child!.kill('SIGCONT'); // a frozen server cannot act on SIGTERM
    child!.kill(sig);
    const timer = setTimeout(() => child?.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const server: RedisServer = {
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    dir,
    get running() {
      return isRunning();
    },
    stop: () => signalAndWait('SIGTERM'),
    kill: () => signalAndWait('SIGKILL'),
    async start() {
      if (isRunning()) return;
      await launch();
    },
    freeze() {
      if (isRunning()) child!.kill('SIGSTOP');
    },
    thaw() {
      if (isRunning()) child!.kill('SIGCONT');
    },
    async dispose() {
      await signalAndWait('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Starts a server for one test and disposes it when the test ends. */
export async function redisForTest(t: TestContext, options?: RedisServerOptions): Promise<RedisServer> {
  const server = await startRedisServer(options);
  t.after(() => server.dispose());
  return server;
}
