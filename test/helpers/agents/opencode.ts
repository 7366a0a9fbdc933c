// opencode (npm opencode-ai) against the proxy, with an OpenAI-compatible or an Anthropic
// provider. The configuration a user needs, exactly as verified here (README; the VS Code
// "Configure a client…" command writes the same keys):
//
//   ~/.config/opencode/opencode.json ($XDG_CONFIG_HOME/opencode/opencode.json)
//   {
//     "provider": {
//       "kiro": {
//         "npm": "@ai-sdk/openai-compatible",             // or "@ai-sdk/anthropic"
//         "name": "Kiro Proxy",
//         "options": { "baseURL": "http://127.0.0.1:8080/v1", "apiKey": "{env:KIRO_PROXY_API_KEY}" },
//         "models": { "claude-sonnet-4.5": { "name": "Claude Sonnet 4.5 (Kiro)", "attachment": true,
//                     "modalities": { "input": ["text", "image"], "output": ["text"] } } }
//       }
//     },
//     "model": "kiro/claude-sonnet-4.5",
//     "small_model": "kiro/claude-haiku-4.5"
//   }
//
// Both providers take the base URL with /v1 (the Anthropic SDK appends /messages). Update checks
// and sharing off: `"autoupdate": false`, `"share": "disabled"`, and the env
// OPENCODE_DISABLE_AUTOUPDATE / _MODELS_FETCH / _DEFAULT_PLUGINS / _LSP_DOWNLOAD / _SHARE = 1.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { baseEnv, jsonLines, runAgent, type AgentRun, type Sandbox } from './run.ts';

export type OpencodeProvider = 'openai' | 'anthropic';

const OPENCODE_NPM: Record<OpencodeProvider, string> = { openai: '@ai-sdk/openai-compatible', anthropic: '@ai-sdk/anthropic' };

const model = (name: string) => ({ name, attachment: true, modalities: { input: ['text', 'image'], output: ['text'] } });

function opencodeConfig(baseUrl: string, provider: OpencodeProvider): Record<string, unknown> {
  // The OpenAI-compatible provider sends Kiro's dotted ids; the Anthropic one Anthropic's dashed names.
  const [main, small] = provider === 'openai' ? ['claude-sonnet-4.5', 'claude-haiku-4.5'] : ['claude-sonnet-4-5', 'claude-haiku-4-5'];
  return {
    $schema: 'https://opencode.ai/config.json',
    autoupdate: false,
    share: 'disabled',
    provider: {
      kiro: {
        npm: OPENCODE_NPM[provider],
        name: 'Kiro Proxy',
        options: { baseURL: `${baseUrl}/v1`, apiKey: '{env:KIRO_PROXY_API_KEY}' },
        models: { [main]: model(`Claude Sonnet 4.5 (Kiro)`), [small]: model('Claude Haiku 4.5 (Kiro)') },
      },
    },
    model: `kiro/${main}`,
    small_model: `kiro/${small}`,
  };
}

/** Writes $XDG_CONFIG_HOME/opencode/opencode.json into the throwaway HOME. */
export async function writeOpencodeConfig(s: Sandbox, baseUrl: string, provider: OpencodeProvider): Promise<void> {
  const dir = join(s.home, '.config', 'opencode');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'opencode.json'), JSON.stringify(opencodeConfig(baseUrl, provider), null, 2));
}

function opencodeEnv(s: Sandbox, apiKey: string): Record<string, string> {
  return baseEnv(s.home, {
    KIRO_PROXY_API_KEY: apiKey,
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
    OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
    OPENCODE_DISABLE_SHARE: '1',
  });
}

export interface OpencodeTurn {
  run: AgentRun;
  session: string | undefined;
  text: string;
  failed: string | undefined;
}

/** `opencode run --format json`, resuming `session` and attaching `image` when given. */
export async function runOpencode(
  s: Sandbox,
  apiKey: string,
  prompt: string,
  o: { session?: string; image?: string; timeoutMs?: number } = {},
): Promise<OpencodeTurn> {
  // --title spares the title request the small model would otherwise make.
  const args = [
    'run',
    '--format',
    'json',
    '--title',
    'kiro-proxy test',
    ...(o.session ? ['--session', o.session] : []),
    ...(o.image ? ['--file', o.image] : []),
    '--',
    prompt,
  ];
  const run = await runAgent('opencode', args, { cwd: s.work, env: opencodeEnv(s, apiKey), timeoutMs: o.timeoutMs ?? 180_000 });
  const events = jsonLines(run.stdout);
  const texts = events
    .filter((e) => e['type'] === 'text')
    .map((e) => {
      const text = (e['part'] as { text?: unknown } | undefined)?.text;
      return typeof text === 'string' ? text : '';
    });
  const error = events.find((e) => e['type'] === 'error');
  return {
    run,
    session: events.map((e) => e['sessionID']).find((v): v is string => typeof v === 'string'),
    text: texts.join('\n'),
    failed: error ? JSON.stringify(error).slice(0, 2000) : undefined,
  };
}
