// POST /v1/messages/count_tokens: the same input estimate a completion reports (conversation/
// estimate-input.ts), against the models and model map the completion would resolve with.
import type { RequestContext } from '../dialects/types.ts';
import { parseCountTokensRequest, renderCountTokens } from '../dialects/index.ts';
import { countInputTokens } from '../conversation/estimate-input.ts';
import type { CompletionDeps } from './completion-types.ts';

export function countTokens(body: unknown, rctx: RequestContext, deps: Pick<CompletionDeps, 'availableModels' | 'config'>): unknown {
  return renderCountTokens(countInputTokens(parseCountTokensRequest(body, rctx), { available: deps.availableModels(), userMap: deps.config().modelMap }));
}
