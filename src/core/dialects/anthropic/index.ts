// The Anthropic Messages dialect (/v1/messages, /v1/messages/count_tokens).
import type { Dialect } from '../types.ts';
import { renderAnthropicError } from './errors.ts';
import { parseAnthropicRequest } from './parse.ts';
import { renderAnthropicResult } from './render-result.ts';
import { createAnthropicEncoder } from './render-stream.ts';

export { parseCountTokensRequest } from './parse.ts';
export { renderCountTokens } from './render-result.ts';
export { stripBillingHeader } from './system-text.ts';

export const anthropicDialect: Dialect = {
  name: 'anthropic',
  parseRequest: parseAnthropicRequest,
  createStreamEncoder: createAnthropicEncoder,
  renderResult: renderAnthropicResult,
  renderError: renderAnthropicError,
};
