// chat.completion.chunk stream: a role chunk, content / reasoning / tool_call deltas, a chunk
// with finish_reason, an optional usage chunk with empty choices, then `data: [DONE]`.
import type { ProxyError } from '../../errors.ts';
import type { NeutralEvent, NeutralRequest } from '../../conversation/types.ts';
import type { ResponseMeta, StreamEncoder } from '../types.ts';
import { prefixedId } from '../shared/ids.ts';
import { stringifyInput } from '../shared/json-args.ts';
import { openAIErrorObject } from '../shared/openai-error.ts';
import { sseComment, sseData } from '../shared/sse.ts';
import { chatUsage, finishReason } from './usage.ts';

const DONE = 'data: [DONE]\n\n';

export function createChatEncoder(req: NeutralRequest, meta: ResponseMeta): StreamEncoder {
  const id = prefixedId('chatcmpl-', meta.requestId);
  const includeUsage = req.includeUsage === true;
  // Neutral tool index → OpenAI's dense tool_calls index, and whether arguments were streamed.
  const tools = new Map<number, { index: number; sentArgs: boolean }>();
  let ended = false;

  const chunkObject = (delta: Record<string, unknown>, finish: string | null) => ({
    id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    system_fingerprint: null,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    // With include_usage, OpenAI sends `usage: null` on every chunk but the last.
    ...(includeUsage ? { usage: null } : {}),
  });
  // Every chunk but the last has the same envelope: build it once and splice each delta in (one
  // chunk per streamed event). The bytes are exactly what sseData(chunkObject(delta, null)) writes.
  const head = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${JSON.stringify(meta.created)},"model":${JSON.stringify(meta.model)},"system_fingerprint":null,"choices":[{"index":0,"delta":`;
  const tail = `,"logprobs":null,"finish_reason":null}]${includeUsage ? ',"usage":null' : ''}}\n\n`;
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
    finish === null ? head + JSON.stringify(delta) + tail : sseData(chunkObject(delta, finish));

  const argsChunk = (index: number, args: string): string => chunk({ tool_calls: [{ index, function: { arguments: args } }] });

  const event = (ev: NeutralEvent): string => {
    if (ended) return '';
    switch (ev.type) {
      case 'text_delta':
        return ev.text ? chunk({ content: ev.text }) : '';
      case 'thinking_delta':
        return ev.text ? chunk({ reasoning_content: ev.text }) : '';
      case 'thinking_signature':
        return '';
      case 'tool_call_start': {
        const index = tools.size;
        tools.set(ev.index, { index, sentArgs: false });
        return chunk({ tool_calls: [{ index, id: ev.id, type: 'function', function: { name: ev.name, arguments: '' } }] });
      }
      case 'tool_call_delta': {
        const t = tools.get(ev.index);
        if (!t || !ev.json) return '';
        t.sentArgs = true;
        return argsChunk(t.index, ev.json);
      }
      case 'tool_call_end': {
        const t = tools.get(ev.index);
        if (!t || t.sentArgs) return '';
        t.sentArgs = true;
        return argsChunk(t.index, stringifyInput(ev.input));
      }
      case 'end': {
        ended = true;
        let out = chunk({}, finishReason(ev.stopReason));
        if (includeUsage) {
          out += sseData({
            id,
            object: 'chat.completion.chunk',
            created: meta.created,
            model: meta.model,
            system_fingerprint: null,
            choices: [],
            usage: chatUsage(ev.usage),
          });
        }
        return out + DONE;
      }
    }
  };

  return {
    start: () => chunk({ role: 'assistant', content: '' }),
    event,
    error: (err: ProxyError) => {
      ended = true;
      return sseData({ error: openAIErrorObject(err) }) + DONE;
    },
    keepAlive: () => sseComment('keep-alive'),
  };
}
