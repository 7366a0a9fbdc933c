// Codex CLI (npm @openai/codex) against the proxy. The configuration a user needs, exactly as
// verified here (README "Point a client at it"; the VS Code "Configure a client…" command writes
// the same keys):
//
//   ~/.codex/config.toml (or $CODEX_HOME/config.toml)
//     model = "claude-sonnet-4.5"            # optional: Codex's own default (gpt-6.2-sol) is mapped too
//     model_provider = "kiro"
//     [model_providers.kiro]
//     name = "Kiro Proxy"
//     base_url = "http://127.0.0.1:8080/v1"
//     env_key = "KIRO_PROXY_API_KEY"         # the env var holding the proxy's API key
//     wire_api = "responses"
//
// Update checks and analytics off: `check_for_update_on_startup = false`, `[analytics] enabled = false`.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { baseEnv, jsonLines, runAgent, type AgentRun, type Sandbox } from './run.ts';

const CODEX_KEY_ENV = 'KIRO_PROXY_API_KEY';

export interface CodexConfig {
  /** The proxy's base URL without /v1. */
  baseUrl: string;
  /** Omit to let Codex use its own default model. */
  model?: string;
}

function codexConfigToml(c: CodexConfig): string {
  return [
    ...(c.model ? [`model = ${JSON.stringify(c.model)}`] : []),
    'model_provider = "kiro"',
    'check_for_update_on_startup = false',
    '',
    '[model_providers.kiro]',
    'name = "Kiro Proxy"',
    `base_url = ${JSON.stringify(`${c.baseUrl}/v1`)}`,
    `env_key = "${CODEX_KEY_ENV}"`,
    'wire_api = "responses"',
    '',
    '[analytics]',
    'enabled = false',
    '',
  ].join('\n');
}

/** Writes $HOME/.codex/config.toml into the throwaway HOME. */
export async function writeCodexConfig(s: Sandbox, c: CodexConfig): Promise<void> {
  await mkdir(join(s.home, '.codex'), { recursive: true });
  await writeFile(join(s.home, '.codex', 'config.toml'), codexConfigToml(c));
}

export interface CodexTurn {
  run: AgentRun;
  threadId: string | undefined;
  /** The agent_message texts, in order. */
  messages: string[];
  /** Every item Codex completed (commands, tool calls…). */
  items: Record<string, unknown>[];
  failed: string | undefined;
}

/** `codex exec --json` (or `codex exec resume <thread>`), with an image when given. */
export async function runCodex(
  s: Sandbox,
  apiKey: string,
  prompt: string,
  o: { resume?: string; image?: string; timeoutMs?: number } = {},
): Promise<CodexTurn> {
  const flags = ['--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', '--json', ...(o.image ? ['-i', o.image] : [])];
  const args = o.resume ? ['exec', 'resume', o.resume, ...flags, prompt] : ['exec', ...flags, prompt];
  const run = await runAgent('codex', args, {
    cwd: s.work,
    env: baseEnv(s.home, { CODEX_HOME: join(s.home, '.codex'), [CODEX_KEY_ENV]: apiKey }),
    timeoutMs: o.timeoutMs ?? 120_000,
  });
  const events = jsonLines(run.stdout);
  const items = events.filter((e) => e['type'] === 'item.completed').map((e) => e['item'] as Record<string, unknown>);
  const failed = events.find((e) => e['type'] === 'turn.failed' || e['type'] === 'error');
  return {
    run,
    threadId: events.find((e) => e['type'] === 'thread.started')?.['thread_id'] as string | undefined,
    messages: items.filter((i) => i['type'] === 'agent_message').map((i) => String(i['text'])),
    items,
    failed: failed ? JSON.stringify(failed) : undefined,
  };
}
