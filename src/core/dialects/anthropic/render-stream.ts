// Anthropic SSE: message_start, ping, content_block_start/delta/stop per block, message_delta,
// message_stop. Blocks never interleave, so a new kind of output closes the open block.
import type { ProxyError } from '../../errors.ts';
import type { NeutralEvent, NeutralRequest } from '../../conversation/types.ts';
import type { ResponseMeta, StreamEncoder } from '../types.ts';
import { prefixedId } from '../shared/ids.ts';
import { stringifyInput } from '../shared/json-args.ts';
import { sseEvent } from '../shared/sse.ts';
import { anthropicErrorBody } from './errors.ts';
import { anthropicStopReason, anthropicUsage } from './usage.ts';

type OpenBlock = { kind: 'text' | 'thinking'; index: number } | { kind: 'tool'; index: number; tool: number };

export function createAnthropicEncoder(_req: NeutralRequest, meta: ResponseMeta): StreamEncoder {
  let nextIndex = 0;
  let open: OpenBlock | undefined;
  let ended = false;
  // Neutral tool index → our block index, and whether any argument JSON was streamed for it.
  const tools = new Map<number, { index: number; sentJson: boolean }>();

  const close = (): string => {
    if (!open) return '';
    const out = sseEvent('content_block_stop', { type: 'content_block_stop', index: open.index });
    open = undefined;
    return out;
  };

  const openBlock = (block: OpenBlock, contentBlock: unknown): string => {
    const out = close() + sseEvent('content_block_start', { type: 'content_block_start', index: block.index, content_block: contentBlock });
    open = block;
    return out;
  };

  /**
   * `content_block_delta` with a one-field delta: the bytes sseEvent would write for
   * `{type, index, delta: {type: kind, [field]: value}}`, built around one JSON.stringify of the
   * value. This runs once per streamed event, so it must not stringify a fresh object each time.
   */
  const delta = (index: number, kind: string, field: string, value: string): string =>
    `event: content_block_delta\ndata: {"type":"content_block_delta","index":${index},"delta":{"type":"${kind}","${field}":${JSON.stringify(value)}}}\n\n`;

  const ensure = (kind: 'text' | 'thinking'): { prefix: string; index: number } => {
    if (open?.kind === kind) return { prefix: '', index: open.index };
    const index = nextIndex++;
    const block = kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' };
    return { prefix: openBlock({ kind, index }, block), index };
  };

  const event = (ev: NeutralEvent): string => {
    if (ended) return '';
    switch (ev.type) {
      case 'text_delta': {
        if (!ev.text) return '';
        const { prefix, index } = ensure('text');
        return prefix + delta(index, 'text_delta', 'text', ev.text);
      }
      case 'thinking_delta': {
        if (!ev.text) return '';
        const { prefix, index } = ensure('thinking');
        return prefix + delta(index, 'thinking_delta', 'thinking', ev.text);
      }
      case 'thinking_signature': {
        const { prefix, index } = ensure('thinking');
        return prefix + delta(index, 'signature_delta', 'signature', ev.signature);
      }
      case 'tool_call_start': {
        const index = nextIndex++;
        tools.set(ev.index, { index, sentJson: false });
        return openBlock({ kind: 'tool', index, tool: ev.index }, { type: 'tool_use', id: ev.id, name: ev.name, input: {} });
      }
      case 'tool_call_delta': {
        const t = tools.get(ev.index);
        if (!t || !ev.json) return '';
        t.sentJson = true;
        return delta(t.index, 'input_json_delta', 'partial_json', ev.json);
      }
      case 'tool_call_end': {
        const t = tools.get(ev.index);
        if (!t) return '';
        // Clients rebuild the input only from input_json_delta; send it whole if none streamed.
        let out = t.sentJson ? '' : delta(t.index, 'input_json_delta', 'partial_json', stringifyInput(ev.input));
        t.sentJson = true;
        if (open?.kind === 'tool' && open.tool === ev.index) out += close();
        return out;
      }
      case 'end': {
        ended = true;
        return (
          close() +
          sseEvent('message_delta', {
            type: 'message_delta',
            delta: { stop_reason: anthropicStopReason(ev.stopReason), stop_sequence: ev.stopSequence ?? null },
            usage: anthropicUsage(ev.usage),
          }) +
          sseEvent('message_stop', { type: 'message_stop' })
        );
      }
    }
  };

  return {
    start: () =>
      sseEvent('message_start', {
        type: 'message_start',
        message: {
          id: prefixedId('msg_', meta.requestId),
          type: 'message',
          role: 'assistant',
          model: meta.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: anthropicUsage({ inputTokens: meta.estimatedInputTokens, outputTokens: 0 }),
        },
      }) + sseEvent('ping', { type: 'ping' }),
    event,
    error: (err: ProxyError) => {
      ended = true;
      return sseEvent('error', anthropicErrorBody(err));
    },
    keepAlive: () => sseEvent('ping', { type: 'ping' }),
  };
}
