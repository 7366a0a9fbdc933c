// The mock's model catalogue, shaped like ListAvailableModels (kiro-protocol.md §6.1, §6.3).
// Windows follow the majority of peers (§6.2); they feed contextUsagePercentage.

export interface MockModel {
  modelId: string;
  modelName: string;
  description: string;
  maxInputTokens: number;
  maxOutputTokens: number;
  supportsImages: boolean;
  rateMultiplier: number;
}

const m = (modelId: string, modelName: string, maxInputTokens: number, rateMultiplier = 1, supportsImages = true): MockModel => ({
  modelId,
  modelName,
  description: `${modelName} (mock)`,
  maxInputTokens,
  maxOutputTokens: 64_000,
  supportsImages,
  rateMultiplier,
});

export const DEFAULT_MOCK_MODELS: readonly MockModel[] = [
  m('auto', 'Auto', 200_000),
  m('claude-sonnet-4', 'Claude Sonnet 4', 200_000, 1.3),
  m('claude-sonnet-4.5', 'Claude Sonnet 4.5', 200_000, 1.3),
  m('claude-sonnet-4.5-1m', 'Claude Sonnet 4.5 1M', 1_000_000, 1.3),
  m('claude-sonnet-4.6', 'Claude Sonnet 4.6', 1_000_000, 1.3),
  m('claude-haiku-4.5', 'Claude Haiku 4.5', 200_000, 0.4),
  m('claude-opus-4.5', 'Claude Opus 4.5', 200_000, 2.2),
  m('claude-opus-4.6', 'Claude Opus 4.6', 1_000_000, 2.2),
  m('claude-opus-4.7', 'Claude Opus 4.7', 1_000_000, 2.2),
  m('deepseek-3.2', 'DeepSeek 3.2', 128_000, 0.25, false),
  m('qwen3-coder-next', 'Qwen3 Coder Next', 256_000, 0.05, false),
];

/** The §6.3 JSON body of ListAvailableModels. */
export function listAvailableModelsBody(models: readonly MockModel[]): Record<string, unknown> {
  return {
    defaultModel: { modelId: 'auto' },
    models: models.map((x) => ({
      modelId: x.modelId,
      modelName: x.modelName,
      description: x.description,
      supportedInputTypes: x.supportsImages ? ['TEXT', 'IMAGE'] : ['TEXT'],
      tokenLimits: { maxInputTokens: x.maxInputTokens, maxOutputTokens: x.maxOutputTokens },
      promptCaching: { supportsPromptCaching: true, maximumCacheCheckpointsPerRequest: 4, minimumTokensPerCacheCheckpoint: 1024 },
      rateMultiplier: x.rateMultiplier,
      rateUnit: 'Credit',
    })),
  };
}
