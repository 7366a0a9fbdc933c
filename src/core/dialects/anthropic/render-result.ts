// A non-streamed Anthropic message object.
import type { NeutralRequest, NeutralResult } from '../../conversation/types.ts';
import type { ResponseMeta } from '../types.ts';
import { prefixedId } from '../shared/ids.ts';
import { anthropicStopReason, anthropicUsage } from './usage.ts';

export function renderAnthropicResult(_req: NeutralRequest, result: NeutralResult, meta: ResponseMeta) {
  const content = result.content.flatMap((b): Record<string, unknown>[] => {
    switch (b.type) {
      case 'text':
        return b.text ? [{ type: 'text', text: b.text }] : [];
      case 'thinking':
        return [{ type: 'thinking', thinking: b.text, signature: b.signature ?? '' }];
      case 'tool_use':
        return [{ type: 'tool_use', id: b.id, name: b.name, input: b.input ?? {} }];
    }
  });
  return {
    id: prefixedId('msg_', meta.requestId),
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content,
    stop_reason: anthropicStopReason(result.stopReason),
    stop_sequence: result.stopSequence ?? null,
    usage: anthropicUsage(result.usage),
  };
}

/** POST /v1/messages/count_tokens answer. */
export const renderCountTokens = (inputTokens: number) => ({ input_tokens: inputTokens });
