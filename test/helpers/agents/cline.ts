// Cline CLI (npm cline) against the proxy, with its OpenAI-compatible or its Anthropic provider.
// The configuration a user needs, exactly as verified here (README; the VS Code "Configure a
// client…" command writes the same keys):
//
//   ~/.cline/data/settings/providers.json
//   {"version": 1, "lastUsedProvider": "openai-compatible", "modes": {},
//    "providers": {"openai-compatible": {"settings": {"provider": "openai-compatible",
//        "apiKey": "<proxy key>", "model": "claude-sonnet-4.5", "baseUrl": "http://127.0.0.1:8080/v1"},
//        "updatedAt": "2026-01-01T00:00:00.000Z", "tokenSource": "manual"}}}
//
// (an entry without `updatedAt` is silently ignored: Cline then uses its own cloud provider)
//
// For the OpenAI-compatible provider `cline auth -p openai -k KEY -m claude-sonnet-4.5 -b
// http://127.0.0.1:8080/v1` writes exactly that. The Anthropic provider takes the same base URL
// with /v1 (it posts to <baseUrl>/messages): `"provider": "anthropic", "baseUrl":
// "http://127.0.0.1:8080/v1", "model": "claude-sonnet-4-5"`; `cline auth` refuses a base URL for
// it, so it is written by hand.
// Telemetry and auto-update off: ~/.cline/data/settings/global-settings.json
// `{"telemetryOptOut": true, "autoUpdateEnabled": false}` and env CLINE_NO_AUTO_UPDATE=1.
// CLINE_SESSION_BACKEND_MODE=local keeps each run in-process (no background hub daemon on a
// fixed port shared by every HOME).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { baseEnv, jsonLines, runAgent, type AgentRun, type Sandbox } from './run.ts';

export type ClineProvider = 'openai' | 'anthropic';

function clineProviders(baseUrl: string, apiKey: string, provider: ClineProvider): Record<string, unknown> {
  const id = provider === 'openai' ? 'openai-compatible' : 'anthropic';
  const settings =
    provider === 'openai'
      ? { provider: id, apiKey, model: 'claude-sonnet-4.5', baseUrl: `${baseUrl}/v1` }
      : { provider: id, apiKey, model: 'claude-sonnet-4-5', baseUrl: `${baseUrl}/v1` };
  // Without updatedAt Cline ignores the entry and falls back to its own cloud provider.
  return { version: 1, lastUsedProvider: id, modes: {}, providers: { [id]: { settings, updatedAt: new Date().toISOString(), tokenSource: 'manual' } } };
}

/** Writes providers.json and global-settings.json into the throwaway HOME's ~/.cline/data/settings. */
export async function writeClineConfig(s: Sandbox, baseUrl: string, apiKey: string, provider: ClineProvider): Promise<void> {
  const dir = join(s.home, '.cline', 'data', 'settings');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'providers.json'), JSON.stringify(clineProviders(baseUrl, apiKey, provider), null, 2));
  await writeFile(join(dir, 'global-settings.json'), JSON.stringify({ telemetryOptOut: true, autoUpdateEnabled: false }, null, 2));
}

export interface ClineTurn {
  run: AgentRun;
  text: string;
  failed: string | undefined;
}

/** `cline --json PROMPT` (act mode, tools auto-approved). */
export async function runCline(s: Sandbox, prompt: string, o: { timeoutMs?: number } = {}): Promise<ClineTurn> {
  const run = await runAgent('cline', ['--json', prompt], {
    cwd: s.work,
    env: baseEnv(s.home, { CLINE_SESSION_BACKEND_MODE: 'local', CLINE_NO_AUTO_UPDATE: '1' }),
    timeoutMs: o.timeoutMs ?? 180_000,
  });
  const events = jsonLines(run.stdout);
  const result = events.find((e) => e['type'] === 'run_result');
  const finish = result?.['finishReason'];
  const errors = events.filter((e) => e['type'] === 'error');
  return {
    run,
    text: typeof result?.['text'] === 'string' ? result['text'] : '',
    failed: finish !== 'completed' || errors.length ? JSON.stringify({ finish, errors, text: result?.['text'] }).slice(0, 2000) : undefined,
  };
}
