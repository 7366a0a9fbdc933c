// The one computation behind every input-token number a client sees before Kiro's own figures
// arrive: message_start / OpenAI usage (pipeline) and POST /v1/messages/count_tokens. Both run the
// normaliser on the same request with the same model and estimate the Kiro body it yields, so a
// count_tokens call reports exactly what the next request's message_start will.
import type { ModelInfo } from '../kiro/types.ts';
import type { NeutralRequest } from './types.ts';
import { resolveModel } from '../kiro/models.ts';
import { normalise, type NormaliseResult } from './normalise.ts';
import { estimateKiroBodyTokens } from './estimate.ts';

const FIXED_ID = '00000000-0000-4000-8000-000000000000';

/** Input tokens of an already normalised request (what the pipeline calls on its first normalise). */
export function inputTokensOf(norm: NormaliseResult): number {
  return estimateKiroBodyTokens(norm.body);
}

/**
 * count_tokens: resolve the model as the pipeline does, apply the same thinking default
 * (completion.ts: a `-thinking` model without a thinking block gets budget 16 000), normalise, estimate.
 */
export function countInputTokens(req: NeutralRequest, opts: { available?: ModelInfo[] | undefined; userMap?: Record<string, string> }): number {
  const model = resolveModel(req.model, { available: opts.available, userMap: opts.userMap });
  const r: NeutralRequest = model.thinking && !req.thinking ? { ...req, thinking: { type: 'enabled', budgetTokens: 16_000 } } : req;
  return inputTokensOf(normalise(r, { modelId: model.modelId, conversationId: FIXED_ID, agentContinuationId: FIXED_ID }));
}
