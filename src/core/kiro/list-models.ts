// Parses one ListAvailableModels page (kiro-protocol.md §6.3). Entries without a modelId are
// dropped; everything else is optional so a schema change upstream degrades to less detail.
import * as z from 'zod';
import type { ModelInfo } from './types.ts';

const num = z.number().finite().optional().catch(undefined);
const str = z.string().optional().catch(undefined);

const Model = z.looseObject({
  modelId: str,
  modelName: str,
  description: str,
  supportedInputTypes: z.array(z.string()).optional().catch(undefined),
  tokenLimits: z.looseObject({ maxInputTokens: num, maxOutputTokens: num }).optional().catch(undefined),
  rateMultiplier: num,
});

const ListModelsResponse = z.looseObject({
  defaultModel: z.looseObject({ modelId: str }).optional().catch(undefined),
  models: z.array(Model.catch({})).optional().catch(undefined),
  nextToken: str,
});

export interface ModelsPage {
  models: ModelInfo[];
  defaultModelId?: string;
  nextToken?: string;
}

/** Undefined when the body is not a JSON object. */
export function parseListModelsPage(json: unknown): ModelsPage | undefined {
  const parsed = ListModelsResponse.safeParse(json);
  if (!parsed.success) return undefined;
  const r = parsed.data;
  const models: ModelInfo[] = [];
  for (const m of r.models ?? []) {
    if (!m.modelId) continue;
    const info: ModelInfo = { modelId: m.modelId };
    if (m.modelName !== undefined) info.modelName = m.modelName;
    if (m.description !== undefined) info.description = m.description;
    if (m.tokenLimits?.maxInputTokens !== undefined) info.maxInputTokens = m.tokenLimits.maxInputTokens;
    if (m.tokenLimits?.maxOutputTokens !== undefined) info.maxOutputTokens = m.tokenLimits.maxOutputTokens;
    if (m.supportedInputTypes) info.supportsImages = m.supportedInputTypes.includes('IMAGE');
    if (m.rateMultiplier !== undefined) info.rateMultiplier = m.rateMultiplier;
    models.push(info);
  }
  const page: ModelsPage = { models };
  if (r.defaultModel?.modelId) page.defaultModelId = r.defaultModel.modelId;
  if (r.nextToken) page.nextToken = r.nextToken;
  return page;
}
