// The OpenAI Responses dialect (/v1/responses, what Codex speaks).
import type { Dialect } from '../types.ts';
import { renderOpenAIError } from '../shared/openai-error.ts';
import { parseResponsesRequest } from './parse.ts';
import { renderResponsesResult } from './render-result.ts';
import { createResponsesEncoder } from './render-stream.ts';

export const openAIResponsesDialect: Dialect = {
  name: 'openai-responses',
  parseRequest: parseResponsesRequest,
  createStreamEncoder: createResponsesEncoder,
  renderResult: renderResponsesResult,
  renderError: renderOpenAIError,
};
