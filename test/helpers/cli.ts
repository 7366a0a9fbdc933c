// Spawns the headless CLI (`node src/cli/main.ts …`) with the Node running the tests (22, type
// stripping), an isolated HOME/SSO cache and no inherited KIRO_* variables.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI_MAIN = join(REPO, 'src', 'cli', 'main.ts');

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first ready URL printed on stdout (rejects if the process exits first). */
  ready(timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code/signal (bounded). */
  exited(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the process if still running and removes the temp dir. */
  cleanup(): Promise<void>;
  dir: string;
}

export interface CliSandbox {
  dir: string;
  home: string;
  ssoCache: string;
  /** Environment with only PATH, HOME and the given extras (no inherited KIRO_*). */
  env(extra?: Record<string, string>): Record<string, string>;
}

export async function cliSandbox(): Promise<CliSandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'kiro-proxy-cli-'));
  const home = join(dir, 'home');
  const ssoCache = join(dir, 'sso-cache');
  await mkdir(home, { recursive: true });
  await mkdir(ssoCache, { recursive: true });
  return {
    dir,
    home,
    ssoCache,
    env: (extra = {}) => ({
      PATH: `${join(REPO, 'node_modules', '.bin')}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
      HOME: home,
      KIRO_SSO_CACHE: ssoCache,
      KIRO_PROXY_HOME: join(home, '.kiro-proxy'),
      ...extra,
    }),
  };
}

export async function spawnCli(args: string[], opts: { sandbox?: CliSandbox; env?: Record<string, string> } = {}): Promise<CliProcess> {
  const sb = opts.sandbox ?? (await cliSandbox());
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CLI_MAIN, ...args], {
    cwd: REPO,
    env: sb.env(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitWaiters: ((e: { code: number | null; signal: NodeJS.Signals | null }) => void)[] = [];
  child.on('exit', (code, signal) => {
    // Let the pipes drain before reporting.
    setImmediate(() => {
      exit = { code, signal };
      for (const w of exitWaiters.splice(0)) w(exit);
    });
  });
  const exited = (timeoutMs = 30_000) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res, rej) => {
      if (exit) return res(exit);
      const t = setTimeout(() => rej(new Error(`CLI did not exit within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`)), timeoutMs);
      exitWaiters.push((e) => {
        clearTimeout(t);
        res(e);
      });
    });
  return {
    child,
    dir: sb.dir,
    stdout: () => out,
    stderr: () => err,
    exited,
    ready: async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
        if (m) return m[0];
        if (exit) throw new Error(`CLI exited (${exit.code ?? exit.signal}) before it was ready\nstdout: ${out}\nstderr: ${err}`);
        if (Date.now() > deadline) throw new Error(`CLI not ready within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async cleanup() {
      if (!exit && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited(5000).catch(() => undefined);
      }
      if (!opts.sandbox) await rm(sb.dir, { recursive: true, force: true });
    },
  };
}
