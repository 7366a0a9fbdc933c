// Continue's CLI `cn` (npm @continuedev/cli) against the proxy, with its OpenAI or its Anthropic
// provider. The configuration a user needs, exactly as verified here (README; the VS Code
// "Configure a client…" command writes the same keys). `cn` and the Continue IDE extensions read
// ~/.continue/config.yaml:
//
//   name: Kiro Proxy
//   version: 1.0.0
//   schema: v1
//   models:
//     - name: Claude Sonnet 4.5 (Kiro)
//       provider: openai                       # or: anthropic
//       model: claude-sonnet-4.5               # anthropic: claude-sonnet-4-5
//       apiBase: http://127.0.0.1:8080/v1      # both providers: with /v1
//       apiKey: <proxy key>
//       roles: [chat, edit, apply]
//
// Telemetry off: env CONTINUE_CLI_ENABLE_TELEMETRY=0 (and CONTINUE_METRICS_ENABLED=0); `cn -p`
// (headless) does not check for updates.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { baseEnv, runAgent, type AgentRun, type Sandbox } from './run.ts';

export type ContinueProvider = 'openai' | 'anthropic';

function continueConfigYaml(baseUrl: string, apiKey: string, provider: ContinueProvider): string {
  const model = provider === 'openai' ? 'claude-sonnet-4.5' : 'claude-sonnet-4-5';
  return [
    'name: Kiro Proxy',
    'version: 1.0.0',
    'schema: v1',
    'models:',
    '  - name: Claude Sonnet 4.5 (Kiro)',
    `    provider: ${provider}`,
    `    model: ${model}`,
    `    apiBase: ${baseUrl}/v1`,
    `    apiKey: ${JSON.stringify(apiKey)}`,
    '    roles: [chat, edit, apply]',
    '',
  ].join('\n');
}

/** Writes ~/.continue/config.yaml into the throwaway HOME. */
export async function writeContinueConfig(s: Sandbox, baseUrl: string, apiKey: string, provider: ContinueProvider): Promise<void> {
  await mkdir(join(s.home, '.continue'), { recursive: true });
  await writeFile(join(s.home, '.continue', 'config.yaml'), continueConfigYaml(baseUrl, apiKey, provider));
}

export interface ContinueTurn {
  run: AgentRun;
  text: string;
}

/** `cn -p --auto PROMPT` (headless, tools allowed), `--resume` continues the last session. */
export async function runContinue(s: Sandbox, prompt: string, o: { resume?: boolean; timeoutMs?: number } = {}): Promise<ContinueTurn> {
  // cn's bin is a Node script: run it with the test's Node 22.
  const run = await runAgent('cn', ['-p', '--auto', ...(o.resume ? ['--resume'] : []), prompt], {
    cwd: s.work,
    env: baseEnv(s.home, { CONTINUE_CLI_ENABLE_TELEMETRY: '0', CONTINUE_METRICS_ENABLED: '0' }),
    timeoutMs: o.timeoutMs ?? 180_000,
  });
  return { run, text: run.stdout };
}
