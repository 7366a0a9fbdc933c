// Kiro wire model ids we know without asking ListAvailableModels (kiro-protocol.md §6.1) and the
// context windows used for token math (§6.2). Peers disagree on windows; we follow the newest
// source (SUN) and prefer `tokenLimits.maxInputTokens` from ListAvailableModels when we have it.

export interface CatalogueModel {
  modelId: string;
  contextWindow: number;
  /** Shown in /v1/models. */
  displayName: string;
}

const K200 = 200_000;
const M1 = 1_000_000;

export const STATIC_MODELS: readonly CatalogueModel[] = [
  { modelId: 'auto', contextWindow: K200, displayName: 'Kiro auto (server picks the model)' },
  { modelId: 'claude-sonnet-4', contextWindow: K200, displayName: 'Claude Sonnet 4' },
  { modelId: 'claude-sonnet-4.5', contextWindow: K200, displayName: 'Claude Sonnet 4.5' },
  { modelId: 'claude-sonnet-4.6', contextWindow: M1, displayName: 'Claude Sonnet 4.6' },
  { modelId: 'claude-sonnet-5', contextWindow: M1, displayName: 'Claude Sonnet 5' },
  { modelId: 'claude-haiku-4.5', contextWindow: K200, displayName: 'Claude Haiku 4.5' },
  { modelId: 'claude-opus-4.5', contextWindow: K200, displayName: 'Claude Opus 4.5' },
  { modelId: 'claude-opus-4.6', contextWindow: M1, displayName: 'Claude Opus 4.6' },
  { modelId: 'claude-opus-4.7', contextWindow: M1, displayName: 'Claude Opus 4.7' },
  { modelId: 'claude-opus-4.8', contextWindow: M1, displayName: 'Claude Opus 4.8' },
  { modelId: 'claude-sonnet-4.5-1m', contextWindow: M1, displayName: 'Claude Sonnet 4.5 (1M)' },
  { modelId: 'claude-sonnet-4.6-1m', contextWindow: M1, displayName: 'Claude Sonnet 4.6 (1M)' },
  { modelId: 'claude-opus-4.6-1m', contextWindow: M1, displayName: 'Claude Opus 4.6 (1M)' },
  { modelId: 'deepseek-3.2', contextWindow: 128_000, displayName: 'DeepSeek 3.2' },
  { modelId: 'glm-5', contextWindow: K200, displayName: 'GLM-5' },
  { modelId: 'minimax-m2.1', contextWindow: K200, displayName: 'MiniMax M2.1' },
  { modelId: 'minimax-m2.5', contextWindow: K200, displayName: 'MiniMax M2.5' },
  { modelId: 'qwen3-coder-next', contextWindow: 256_000, displayName: 'Qwen3 Coder Next' },
  { modelId: 'gpt-5.6-sol', contextWindow: 272_000, displayName: 'GPT-5.6 Sol' },
  { modelId: 'gpt-5.6-terra', contextWindow: 272_000, displayName: 'GPT-5.6 Terra' },
  { modelId: 'gpt-5.6-luna', contextWindow: 272_000, displayName: 'GPT-5.6 Luna' },
];

/** Used when a request names no model we can place in any family. */
export const DEFAULT_MODEL_ID = 'claude-sonnet-4.5';
/** When neither ListAvailableModels nor the catalogue knows a window. */
export const DEFAULT_CONTEXT_WINDOW = K200;

/**
 * Client names that are not Claude names (kiro-protocol.md §6.2, KP's table). Keys are
 * lowercase, after prefix/suffix stripping.
 */
export const MODEL_ALIASES: Readonly<Record<string, string>> = {
  'gpt-4o': 'claude-sonnet-4',
  'gpt-4': 'claude-sonnet-4',
  'gpt-4-turbo': 'claude-sonnet-4',
  'o1-mini': 'claude-sonnet-4',
  'o3-mini': 'claude-sonnet-4',
  'o4-mini': 'claude-sonnet-4',
  'gpt-4o-mini': 'claude-haiku-4.5',
  'gpt-3.5-turbo': 'claude-haiku-4.5',
  o1: 'claude-opus-4.5',
  'o1-preview': 'claude-opus-4.5',
  o3: 'claude-opus-4.5',
  'gemini-2.5-pro': 'claude-sonnet-4.5',
  sonnet: 'claude-sonnet-4',
  haiku: 'claude-haiku-4.5',
  opus: 'claude-opus-4.5',
  'claude-sonnet': 'claude-sonnet-4',
  'claude-haiku': 'claude-haiku-4.5',
  'claude-opus': 'claude-opus-4.5',
  // JWG exposes `auto` under this name because Cursor reserves "auto".
  'auto-kiro': 'auto',
};
