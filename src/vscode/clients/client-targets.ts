// The clients "Kiro: Configure a client…" knows, one small description each: where the client
// keeps its settings, in which format, and the keys (or list item) Kiro Proxy owns there. The
// machinery (plan.ts, the format editors, the diff and undo in configure-client.ts) is shared.
// Pure: no vscode, testable.
//
// The keys match what the issue-14 agent tests run the real CLIs with (test/helpers/agents), except
// that the key is written inline where those tests use an environment variable (an editor command
// cannot set the user's shell environment); both forms were run against the proxy.
import { join } from 'node:path';
import type { OwnedChange } from './owned-change.ts';

export interface ClientContext {
  /** The proxy's base URL without a path, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** The key clients send (the proxy's API key, or a placeholder when none is required). */
  apiKey: string;
  /** The Kiro model id the client should use by default. */
  model: string;
}

export interface Environment {
  env: Record<string, string | undefined>;
  home: string;
  exists(path: string): boolean;
}

interface TargetBase {
  id: 'claude-code' | 'codex' | 'opencode' | 'cline-cli' | 'cline' | 'continue';
  label: string;
  /** One line for the quick pick. */
  detail: string;
}

export interface FileTarget extends TargetBase {
  kind: 'file';
  format: 'json' | 'toml' | 'yaml';
  path(e: Environment): string;
  /** The text of a new file, before the owned changes are applied (default: empty). */
  newFile?(eol: string): string;
  /** False when a value changes on every run (a timestamp): then a second run is not "already configured". */
  idempotent?: boolean;
  /** Why this client's file must not be created or edited here (checked before planning). */
  refuse?(e: Environment): string | undefined;
  changes(ctx: ClientContext): OwnedChange[];
  /** What the confirmation says is changed, e.g. "env.ANTHROPIC_BASE_URL and env.ANTHROPIC_AUTH_TOKEN". */
  summary: string;
  /** When the client notices the change. */
  pickUp: string;
}

/** A client whose settings live where another program must not write (shown, copied by the user). */
export interface ManualTarget extends TargetBase {
  kind: 'manual';
  where: string;
  fields(ctx: ClientContext): { label: string; value: string; secret?: boolean }[];
}

export type ClientTarget = FileTarget | ManualTarget;

const KIRO_PROVIDER_ID = 'kiro';
/** For titles and summaries (opencode's small_model). */
const SMALL_MODEL_ID = 'claude-haiku-4.5';

export const CLAUDE_CODE: FileTarget = {
  id: 'claude-code',
  kind: 'file',
  label: 'Claude Code',
  detail: 'Anthropic Messages API · env in ~/.claude/settings.json',
  format: 'json',
  path: (e) => join(e.env['CLAUDE_CONFIG_DIR'] || join(e.home, '.claude'), 'settings.json'),
  changes: (c) => [
    { kind: 'set', path: ['env', 'ANTHROPIC_BASE_URL'], value: c.baseUrl },
    { kind: 'set', path: ['env', 'ANTHROPIC_AUTH_TOKEN'], value: c.apiKey },
  ],
  summary: 'env.ANTHROPIC_BASE_URL and env.ANTHROPIC_AUTH_TOKEN',
  pickUp: 'New Claude Code sessions use it.',
};

export const CODEX: FileTarget = {
  id: 'codex',
  kind: 'file',
  label: 'Codex',
  detail: 'OpenAI Responses API · a custom provider in ~/.codex/config.toml',
  format: 'toml',
  path: (e) => join(e.env['CODEX_HOME'] || join(e.home, '.codex'), 'config.toml'),
  changes: (c) => [
    { kind: 'set', path: ['model_provider'], value: KIRO_PROVIDER_ID },
    { kind: 'set', path: ['model'], value: c.model },
    { kind: 'set', path: ['model_providers', KIRO_PROVIDER_ID, 'name'], value: 'Kiro Proxy' },
    { kind: 'set', path: ['model_providers', KIRO_PROVIDER_ID, 'base_url'], value: `${c.baseUrl}/v1` },
    { kind: 'set', path: ['model_providers', KIRO_PROVIDER_ID, 'wire_api'], value: 'responses' },
    // Codex reads a provider's key from the variable named by env_key, or from this inline
    // token; inline works without touching the user's shell.
    { kind: 'set', path: ['model_providers', KIRO_PROVIDER_ID, 'experimental_bearer_token'], value: c.apiKey },
  ],
  summary: 'model, model_provider and the [model_providers.kiro] section',
  pickUp: 'The next `codex` run uses it.',
};

export const OPENCODE: FileTarget = {
  id: 'opencode',
  kind: 'file',
  label: 'opencode',
  detail: 'OpenAI-compatible provider "kiro" in ~/.config/opencode/opencode.json',
  format: 'json',
  path: (e) => join(e.env['XDG_CONFIG_HOME'] || join(e.home, '.config'), 'opencode', 'opencode.json'),
  newFile: (eol) => `{${eol}  "$schema": "https://opencode.ai/config.json"${eol}}${eol}`,
  changes: (c) => [
    { kind: 'set', path: ['provider', KIRO_PROVIDER_ID, 'npm'], value: '@ai-sdk/openai-compatible' },
    { kind: 'set', path: ['provider', KIRO_PROVIDER_ID, 'name'], value: 'Kiro Proxy' },
    { kind: 'set', path: ['provider', KIRO_PROVIDER_ID, 'options', 'baseURL'], value: `${c.baseUrl}/v1` },
    { kind: 'set', path: ['provider', KIRO_PROVIDER_ID, 'options', 'apiKey'], value: c.apiKey },
    // Images reach the model only for models that declare them (as the issue-14 agent tests do).
    {
      kind: 'set',
      path: ['provider', KIRO_PROVIDER_ID, 'models', c.model],
      value: { name: `${c.model} (Kiro)`, attachment: true, modalities: { input: ['text', 'image'], output: ['text'] } },
    },
    { kind: 'set', path: ['provider', KIRO_PROVIDER_ID, 'models', SMALL_MODEL_ID], value: { name: `${SMALL_MODEL_ID} (Kiro)` } },
    { kind: 'set', path: ['model'], value: `${KIRO_PROVIDER_ID}/${c.model}` },
    { kind: 'set', path: ['small_model'], value: `${KIRO_PROVIDER_ID}/${SMALL_MODEL_ID}` },
  ],
  summary: 'provider.kiro, model and small_model',
  pickUp: 'The next `opencode` run uses it.',
};

export const CONTINUE: FileTarget = {
  id: 'continue',
  kind: 'file',
  label: 'Continue',
  detail: 'A "Kiro Proxy" model in ~/.continue/config.yaml',
  format: 'yaml',
  path: (e) => join(e.env['CONTINUE_GLOBAL_DIR'] || join(e.home, '.continue'), 'config.yaml'),
  newFile: (eol) => ['name: Local Config', 'version: 1.0.0', 'schema: v1', ''].join(eol),
  refuse: (e) => {
    const dir = e.env['CONTINUE_GLOBAL_DIR'] || join(e.home, '.continue');
    // A new config.yaml would silently replace the config.json Continue reads today.
    if (!e.exists(join(dir, 'config.yaml')) && e.exists(join(dir, 'config.json'))) {
      return `Continue reads ${join(dir, 'config.json')} here; Kiro Proxy edits only config.yaml, and creating one would replace your config.json. Add the model shown in the README to config.json yourself, or migrate to config.yaml first.`;
    }
    return undefined;
  },
  changes: (c) => [
    {
      kind: 'upsert-item',
      path: ['models'],
      match: { name: 'Kiro Proxy' },
      value: { name: 'Kiro Proxy', provider: 'openai', model: c.model, apiBase: `${c.baseUrl}/v1`, apiKey: c.apiKey, roles: ['chat', 'edit', 'apply'] },
    },
  ],
  summary: 'the "Kiro Proxy" entry of models',
  pickUp: 'Continue reloads config.yaml when it is saved.',
};

export const CLINE_CLI: FileTarget = {
  id: 'cline-cli',
  kind: 'file',
  label: 'Cline CLI',
  detail: 'OpenAI-compatible provider in ~/.cline/data/settings/providers.json',
  format: 'json',
  // Where the Cline CLI itself looks (its CLINE_PROVIDER_SETTINGS_PATH, CLINE_DATA_DIR, CLINE_DIR).
  path: (e) =>
    e.env['CLINE_PROVIDER_SETTINGS_PATH'] ||
    join(e.env['CLINE_DATA_DIR'] || join(e.env['CLINE_DIR'] || join(e.home, '.cline'), 'data'), 'settings', 'providers.json'),
  newFile: (eol) => `{${eol}  "version": 1,${eol}  "modes": {}${eol}}${eol}`,
  idempotent: false,
  changes: (c) => [
    { kind: 'set', path: ['lastUsedProvider'], value: 'openai-compatible' },
    {
      kind: 'set',
      path: ['providers', 'openai-compatible', 'settings'],
      value: { provider: 'openai-compatible', apiKey: c.apiKey, model: c.model, baseUrl: `${c.baseUrl}/v1` },
    },
    // Cline ignores an entry without updatedAt (and uses its own cloud provider instead).
    { kind: 'set', path: ['providers', 'openai-compatible', 'updatedAt'], value: new Date().toISOString() },
    { kind: 'set', path: ['providers', 'openai-compatible', 'tokenSource'], value: 'manual' },
  ],
  summary: 'lastUsedProvider and providers["openai-compatible"]',
  pickUp: 'The next `cline` run uses it.',
};

const CLINE: ManualTarget = {
  id: 'cline',
  kind: 'manual',
  label: 'Cline (VS Code extension)',
  detail: 'Keeps its provider settings in its own extension storage: shown here to copy',
  where: "Cline's settings (gear icon in the Cline view) → API Provider",
  fields: (c) => [
    { label: 'API Provider', value: 'OpenAI Compatible' },
    { label: 'Base URL', value: `${c.baseUrl}/v1` },
    { label: 'API Key', value: c.apiKey, secret: true },
    { label: 'Model ID', value: c.model },
    // The Cline CLI keeps the same values in ~/.cline/data/settings/providers.json ("Cline CLI" in this list writes it).
    { label: 'Cline CLI command', value: `cline auth -p openai -k ${c.apiKey} -m ${c.model} -b ${c.baseUrl}/v1`, secret: true },
  ],
};

export const CLIENT_TARGETS: readonly ClientTarget[] = [CLAUDE_CODE, CODEX, OPENCODE, CLINE, CLINE_CLI, CONTINUE];
