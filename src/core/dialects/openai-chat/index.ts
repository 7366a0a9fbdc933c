// The OpenAI Chat Completions dialect (/v1/chat/completions).
import type { Dialect } from '../types.ts';
import { renderOpenAIError } from '../shared/openai-error.ts';
import { parseChatRequest } from './parse.ts';
import { renderChatResult } from './render-result.ts';
import { createChatEncoder } from './render-stream.ts';

export const openAIChatDialect: Dialect = {
  name: 'openai-chat',
  parseRequest: parseChatRequest,
  createStreamEncoder: createChatEncoder,
  renderResult: renderChatResult,
  renderError: renderOpenAIError,
};
