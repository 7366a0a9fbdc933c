// The processes under test: the standalone mock Kiro and the proxy CLI, each its own process on
// loopback, started with a bounded wait for their ready line and stopped with SIGTERM (then
// SIGKILL after a grace period), so a run never leaves anything behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = resolve(import.meta.dirname, '..', '..');

interface Child {
  proc: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

function waitForLine(proc: ChildProcess, match: (line: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const rl = createInterface({ input: proc.stdout! });
    const stderr: string[] = [];
    proc.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 50) stderr.push(d.toString());
    });
    const timer = setTimeout(() => done(new Error(`${what} did not print its ready line within ${timeoutMs} ms\n${stderr.join('')}`)), timeoutMs);
    const onExit = (code: number | null) => done(new Error(`${what} exited (${code}) before it was ready\n${stderr.join('')}`));
    const done = (err: Error | undefined, line?: string) => {
      clearTimeout(timer);
      proc.off('exit', onExit);
      rl.off('line', onLine);
      if (err) reject(err);
      else resolvePromise(line!);
    };
    const onLine = (line: string) => {
      if (match(line)) done(undefined, line);
    };
    rl.on('line', onLine);
    proc.once('exit', onExit);
  });
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process has exited. */
export function stopper(proc: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolvePromise) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolvePromise();
      const kill = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      proc.once('exit', () => {
        clearTimeout(kill);
        resolvePromise();
      });
      proc.kill('SIGTERM');
    });
}

export interface MockChild extends Child {
  url: string;
  credentialsFile: string;
  accessToken: string;
}

export async function startMock(options: { split?: boolean } = {}): Promise<MockChild> {
  const args = ['--disable-warning=ExperimentalWarning', join(ROOT, 'src/core/kiro-mock/main.ts'), '--port', '0'];
  if (!options.split) args.push('--no-split');
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const line = await waitForLine(proc, (l) => l.startsWith('{'), 'mock Kiro');
  const ready = JSON.parse(line) as { url: string; credentialsFile: string; credentials: { accessToken: string } };
  return { proc, pid: proc.pid!, url: ready.url, credentialsFile: ready.credentialsFile, accessToken: ready.credentials.accessToken, stop: stopper(proc) };
}

export interface ProxyChild extends Child {
  url: string;
  home: string;
}

export interface ProxyOptions {
  mock: MockChild;
  /** The CLI entry to run: a bundle (see build.ts) or src/cli/main.ts (type stripping). */
  entry: string;
  /** Directory for a V8 CPU profile (node --cpu-prof). */
  cpuProfDir?: string;
  extraArgs?: string[];
  /** Extra node flags (e.g. --max-old-space-size). */
  nodeArgs?: string[];
}

export async function startProxy(o: ProxyOptions): Promise<ProxyChild> {
  const home = mkdtempSync(join(tmpdir(), 'kiro-bench-home-'));
  const entry = o.entry;
  if (!existsSync(entry)) throw new Error(`${entry} is missing (npm run build?)`);
  const nodeArgs = ['--disable-warning=ExperimentalWarning', ...(o.nodeArgs ?? [])];
  if (o.cpuProfDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`);
  const args = [
    ...nodeArgs,
    entry,
    '--port',
    '0',
    '--home',
    home,
    '--sso-cache',
    join(home, 'no-sso-cache'),
    '--no-sso-import',
    '--kiro-endpoint',
    o.mock.url,
    '--kiro-auth-endpoint',
    o.mock.url,
    '--kiro-oidc-endpoint',
    o.mock.url,
    '--creds-file',
    o.mock.credentialsFile,
    ...(o.extraArgs ?? []),
  ];
  const proc = spawn(process.execPath, args, { cwd: home, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
  const line = await waitForLine(proc, (l) => /listening on http:\/\//.test(l), 'kiro-proxy');
  const url = /(http:\/\/[^\s]+)/.exec(line)![1]!;
  const stop = stopper(proc);
  return {
    proc,
    pid: proc.pid!,
    url,
    home,
    stop: async () => {
      await stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Resident set size of a process, bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

const CLK_TCK = 100;
/** User + system CPU time of a process, seconds (Linux /proc). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

export interface FloorChild extends Child {
  url: string;
}

/** bench/floor-proxy.ts in front of `upstreamUrl`, sending `headers` (the direct twin's). */
export async function startFloorProxy(upstreamUrl: string, headers: Record<string, string>): Promise<FloorChild> {
  const proc = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(ROOT, 'bench/floor-proxy.ts'), upstreamUrl, JSON.stringify(headers)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line = await waitForLine(proc, (l) => l.includes('listening on http://'), 'floor proxy');
  return { proc, pid: proc.pid!, url: /(http:\/\/\S+)/.exec(line)![1]!, stop: stopper(proc) };
}
