// A non-streamed chat.completion object.
import type { NeutralRequest, NeutralResult } from '../../conversation/types.ts';
import type { ResponseMeta } from '../types.ts';
import { prefixedId } from '../shared/ids.ts';
import { stringifyInput } from '../shared/json-args.ts';
import { chatUsage, finishReason } from './usage.ts';

export function renderChatResult(_req: NeutralRequest, result: NeutralResult, meta: ResponseMeta) {
  let text = '';
  let reasoning = '';
  const toolCalls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
  for (const b of result.content) {
    if (b.type === 'text') text += b.text;
    else if (b.type === 'thinking') reasoning += b.text;
    else toolCalls.push({ id: b.id, type: 'function', function: { name: b.name, arguments: stringifyInput(b.input) } });
  }
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: text || toolCalls.length === 0 ? text : null,
    refusal: null,
  };
  // `reasoning_content` is the de-facto extension (DeepSeek, vLLM, LiteLLM) for visible reasoning.
  if (reasoning) message.reasoning_content = reasoning;
  if (toolCalls.length) message.tool_calls = toolCalls;
  return {
    id: prefixedId('chatcmpl-', meta.requestId),
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    system_fingerprint: null,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(result.stopReason) }],
    usage: chatUsage(result.usage),
  };
}
