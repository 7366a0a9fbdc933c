// Runs the real Claude Code CLI (node_modules/.bin/claude) in print mode against a proxy, the
// way /work/shared/docs/clients.md describes: temp HOME, ANTHROPIC_BASE_URL/API_KEY, all
// non-essential traffic off.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLAUDE_BIN = join(REPO, 'node_modules', '.bin', 'claude');

/** undefined when the binary runs, else why not (the test is skipped with that message). */
export function claudeUnavailable(): string | undefined {
  if (!existsSync(CLAUDE_BIN)) return `Claude Code is not installed at ${CLAUDE_BIN}`;
  const r = spawnSync(CLAUDE_BIN, ['--version'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, DISABLE_AUTOUPDATER: '1' } });
  if (r.error) return `Claude Code cannot run: ${r.error.message}`;
  if (r.status !== 0) return `Claude Code --version exited ${r.status}: ${(r.stderr || r.stdout).slice(0, 300)}`;
  return undefined;
}

export interface ClaudeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The parsed `--output-format json` result, if stdout held one. */
  json: Record<string, unknown> | undefined;
}

export interface ClaudeRunOptions {
  baseUrl: string;
  apiKey: string;
  prompt: string;
  cwd: string;
  home: string;
  model?: string;
  timeoutMs?: number;
  /** Use ANTHROPIC_AUTH_TOKEN (Authorization: Bearer) instead of ANTHROPIC_API_KEY (x-api-key). */
  bearer?: boolean;
  /** A session id (`session_id` of an earlier result) to continue with --resume. */
  resume?: string;
}

export function runClaude(o: ClaudeRunOptions): Promise<ClaudeRun> {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: o.home,
    ANTHROPIC_BASE_URL: o.baseUrl,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    IS_SANDBOX: '1',
    TERM: 'dumb',
    NO_COLOR: '1',
  };
  if (o.bearer) env['ANTHROPIC_AUTH_TOKEN'] = o.apiKey;
  else env['ANTHROPIC_API_KEY'] = o.apiKey;
  const args = ['-p', o.prompt, '--dangerously-skip-permissions', '--output-format', 'json'];
  if (o.model) args.push('--model', o.model);
  if (o.resume) args.push('--resume', o.resume);
  return new Promise((resolveRun, reject) => {
    const child = spawn(CLAUDE_BIN, args, { cwd: o.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`claude did not finish within ${o.timeoutMs ?? 90_000} ms\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-2000)}`));
    }, o.timeoutMs ?? 90_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let json: Record<string, unknown> | undefined;
      const last = stdout.trim().split('\n').pop();
      try {
        const v: unknown = last ? JSON.parse(last) : undefined;
        if (v && typeof v === 'object' && !Array.isArray(v)) json = v as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      resolveRun({ code, signal, stdout, stderr, json });
    });
  });
}
