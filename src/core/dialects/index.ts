// The three client dialects, plus the helpers the pipeline uses around them.
import type { DialectName } from '../conversation/types.ts';
import type { Dialect } from './types.ts';
import { anthropicDialect } from './anthropic/index.ts';
import { openAIChatDialect } from './openai-chat/index.ts';
import { openAIResponsesDialect } from './openai-responses/index.ts';

export { anthropicDialect, openAIChatDialect, openAIResponsesDialect };
export { parseCountTokensRequest, renderCountTokens } from './anthropic/index.ts';
export const dialects: Readonly<Record<DialectName, Dialect>> = {
  anthropic: anthropicDialect,
  'openai-chat': openAIChatDialect,
  'openai-responses': openAIResponsesDialect,
};
