// The change "Configure Claude Code" makes to ~/.claude/settings.json: only two keys of `env`,
// everything else kept as the user wrote it. Pure: testable without VS Code.
import { join } from 'node:path';
import { homedir } from 'node:os';

export const CLAUDE_ENV_KEYS = ['ANTHROPIC_BASE_URL', 'ANTHROPIC_AUTH_TOKEN'] as const;

/** Claude Code honours CLAUDE_CONFIG_DIR; default ~/.claude. */
export function claudeSettingsPath(env: Record<string, string | undefined> = process.env): string {
  return join(env['CLAUDE_CONFIG_DIR'] || join(homedir(), '.claude'), 'settings.json');
}

export class ClaudeSettingsError extends Error {}

/**
 * Returns the new settings text with env.ANTHROPIC_BASE_URL / env.ANTHROPIC_AUTH_TOKEN set.
 * `current` undefined = no file yet. Refuses (throws) on a file that is not a JSON object,
 * rather than replacing what the user has.
 */
export function withKiroEnv(current: string | undefined, baseUrl: string, token: string): { text: string; changed: boolean } {
  let settings: Record<string, unknown> = {};
  if (current !== undefined && current.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(current.charCodeAt(0) === 0xfeff ? current.slice(1) : current);
    } catch {
      throw new ClaudeSettingsError('~/.claude/settings.json is not valid JSON (comments are not allowed there); fix it first.');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ClaudeSettingsError('~/.claude/settings.json does not hold a JSON object.');
    settings = parsed as Record<string, unknown>;
  }
  const envValue = settings['env'];
  if (envValue !== undefined && (typeof envValue !== 'object' || envValue === null || Array.isArray(envValue))) {
    throw new ClaudeSettingsError('"env" in ~/.claude/settings.json is not an object.');
  }
  const env = { ...((envValue as Record<string, unknown> | undefined) ?? {}) };
  const before = JSON.stringify(env);
  env['ANTHROPIC_BASE_URL'] = baseUrl;
  env['ANTHROPIC_AUTH_TOKEN'] = token;
  const next = { ...settings, env };
  const changed = before !== JSON.stringify(env);
  return { text: `${JSON.stringify(next, null, 2)}\n`, changed };
}
