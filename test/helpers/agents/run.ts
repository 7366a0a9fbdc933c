// Runs one agent CLI to completion, non-interactively, in its own process group (so a timeout or
// the end of a test kills every child it started: opencode's server, Cline's hub, shells), with
// an environment that holds only what the agent needs: PATH (the test's Node 22 first), the
// throwaway HOME, and what the caller adds. Nothing of the developer's own environment leaks in
// (no real API keys, no real config dirs).
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(REPO, 'node_modules', '.bin');

export interface AgentRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A throwaway HOME and work dir for one agent configuration. */
export interface Sandbox {
  home: string;
  work: string;
}

export async function sandbox(name: string): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), `kiro-agent-${name}-`));
  const s = { home: join(root, 'home'), work: join(root, 'work') };
  await mkdir(s.home, { recursive: true });
  await mkdir(s.work, { recursive: true });
  return s;
}

/** The environment every agent gets: PATH with Node 22 first, HOME and the XDG dirs inside it, no colours. */
export function baseEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    TMPDIR: process.env['TMPDIR'] ?? tmpdir(),
    TERM: 'dumb',
    NO_COLOR: '1',
    LANG: 'C.UTF-8',
    ...extra,
  };
}

/** `linux-x64`, as the agents name their platform packages. */
export const PLATFORM = `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;

/**
 * undefined when the agent's binary for this platform is installed, else why not: the tests then
 * skip with that reason, loudly. Only a missing binary skips; a binary that is there but fails is
 * a test failure. `platformPackage` is the agent's optional per-platform package; `linked` a
 * binary its postinstall links into place (a small stub when the postinstall did not run).
 */
export function binaryUnavailable(bin: string, o: { platformPackage?: string; linked?: string } = {}): string | undefined {
  const path = join(BIN, bin);
  if (!existsSync(path)) return `${bin} is not installed at ${path} (npm ci installs it)`;
  if (o.platformPackage && !existsSync(join(REPO, 'node_modules', o.platformPackage)))
    return `${bin} ships no binary for ${PLATFORM} (no ${o.platformPackage} package)`;
  if (o.linked) {
    const linked = join(REPO, 'node_modules', o.linked);
    if (!existsSync(linked) || statSync(linked).size < 1_000_000) return `${bin}'s binary ${o.linked} is not in place (its postinstall did not run)`;
  }
  return undefined;
}

export function runAgent(bin: string, args: string[], o: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<AgentRun> {
  const started = Date.now();
  return new Promise((resolveRun, reject) => {
    const child = spawn(join(BIN, bin), args, { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      reject(new Error(`${bin} did not finish within ${o.timeoutMs} ms\nstdout: ${stdout.slice(-3000)}\nstderr: ${stderr.slice(-3000)}`));
    }, o.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Daemons an agent leaves behind in its group (language servers, hubs) end with the run.
      killGroup();
      resolveRun({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Lines of a JSONL output that parse as objects (agents mix in plain log lines). */
export function jsonLines(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const v: unknown = JSON.parse(t);
      if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
    } catch {
      // not JSON
    }
  }
  return out;
}
