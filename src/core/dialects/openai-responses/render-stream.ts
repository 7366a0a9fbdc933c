// Responses streaming: response.created / in_progress, then per output item
// output_item.added → (content part | summary part) → deltas → done events → output_item.done,
// and finally response.completed or response.incomplete carrying every item. Every event has
// a rising sequence_number. Items never interleave: new output closes the open item.
import type { ErrorKind, ProxyError } from '../../errors.ts';
import type { NeutralEvent, NeutralRequest } from '../../conversation/types.ts';
import type { ResponseMeta, StreamEncoder } from '../types.ts';
import { stringifyInput } from '../shared/json-args.ts';
import { sseComment, sseEvent } from '../shared/sse.ts';
import {
  finalStatus,
  functionCallItem,
  itemId,
  messageItem,
  outputText,
  reasoningItem,
  responseEnvelope,
  responsesUsage,
  type OutputItem,
} from './response-object.ts';

type Open =
  | { kind: 'message'; index: number; id: string; text: string }
  | { kind: 'reasoning'; index: number; id: string; text: string }
  | { kind: 'function'; index: number; id: string; tool: number; callId: string; name: string; args: string };

// ResponseError.code is a closed set in the API; map our kinds onto it.
const FAILED_CODE: Partial<Record<ErrorKind, string>> = { rate_limit: 'rate_limit_exceeded', invalid_request: 'invalid_prompt' };

export function createResponsesEncoder(req: NeutralRequest, meta: ResponseMeta): StreamEncoder {
  let seq = 0;
  let ended = false;
  let open: Open | undefined;
  const output: OutputItem[] = [];

  const emit = (type: string, fields: Record<string, unknown>): string => sseEvent(type, { type, sequence_number: seq++, ...fields });

  const close = (incomplete = false): string => {
    const o = open;
    if (!o) return '';
    open = undefined;
    const at = { item_id: o.id, output_index: o.index };
    let item: OutputItem;
    let out = '';
    switch (o.kind) {
      case 'message':
        item = messageItem(o.id, o.text, incomplete ? 'incomplete' : 'completed');
        out += emit('response.output_text.done', { ...at, content_index: 0, text: o.text, logprobs: [] });
        out += emit('response.content_part.done', { ...at, content_index: 0, part: outputText(o.text) });
        break;
      case 'reasoning':
        item = reasoningItem(o.id, o.text);
        out += emit('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: o.text });
        out += emit('response.reasoning_summary_part.done', { ...at, summary_index: 0, part: { type: 'summary_text', text: o.text } });
        break;
      case 'function':
        item = functionCallItem(o.id, o.callId, o.name, o.args, 'completed');
        out += emit('response.function_call_arguments.done', { ...at, arguments: o.args });
        break;
    }
    output[o.index] = item;
    return out + emit('response.output_item.done', { output_index: o.index, item });
  };

  const openItem = (next: Open, added: OutputItem): string => {
    const out = close() + emit('response.output_item.added', { output_index: next.index, item: added });
    output[next.index] = added;
    open = next;
    return out;
  };

  const ensureText = (kind: 'message' | 'reasoning'): string => {
    if (open?.kind === kind) return '';
    const index = output.length;
    if (kind === 'message') {
      const id = itemId('msg', meta, index);
      return (
        openItem({ kind, index, id, text: '' }, messageItem(id, '', 'in_progress')) +
        emit('response.content_part.added', { item_id: id, output_index: index, content_index: 0, part: outputText('') })
      );
    }
    const id = itemId('rs', meta, index);
    return (
      openItem({ kind, index, id, text: '' }, reasoningItem(id, undefined)) +
      emit('response.reasoning_summary_part.added', { item_id: id, output_index: index, summary_index: 0, part: { type: 'summary_text', text: '' } })
    );
  };

  const event = (ev: NeutralEvent): string => {
    if (ended) return '';
    switch (ev.type) {
      case 'text_delta': {
        if (!ev.text) return '';
        const out = ensureText('message');
        if (open?.kind !== 'message') return out;
        open.text += ev.text;
        // Once per streamed event: the bytes emit() would write, without stringifying an object.
        return (
          out +
          `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":${seq++},"item_id":${JSON.stringify(open.id)},"output_index":${open.index},"content_index":0,"delta":${JSON.stringify(ev.text)},"logprobs":[]}\n\n`
        );
      }
      case 'thinking_delta': {
        if (!ev.text) return '';
        const out = ensureText('reasoning');
        if (open?.kind !== 'reasoning') return out;
        open.text += ev.text;
        return out + emit('response.reasoning_summary_text.delta', { item_id: open.id, output_index: open.index, summary_index: 0, delta: ev.text });
      }
      case 'thinking_signature':
        return '';
      case 'tool_call_start': {
        const prefix = close();
        const index = output.length;
        const id = itemId('fc', meta, index);
        return prefix + openItem({ kind: 'function', index, id, tool: ev.index, callId: ev.id, name: ev.name, args: '' }, functionCallItem(id, ev.id, ev.name, '', 'in_progress'));
      }
      case 'tool_call_delta': {
        if (open?.kind !== 'function' || open.tool !== ev.index || !ev.json) return '';
        open.args += ev.json;
        return emit('response.function_call_arguments.delta', { item_id: open.id, output_index: open.index, delta: ev.json });
      }
      case 'tool_call_end': {
        if (open?.kind !== 'function' || open.tool !== ev.index) return '';
        let out = '';
        // Clients rebuild arguments from deltas; send them whole if none streamed.
        if (!open.args) {
          open.args = stringifyInput(ev.input);
          out += emit('response.function_call_arguments.delta', { item_id: open.id, output_index: open.index, delta: open.args });
        }
        return out + close();
      }
      case 'end': {
        ended = true;
        const { status, incomplete_details } = finalStatus(ev.stopReason);
        const out = close(status === 'incomplete');
        const response = responseEnvelope(req, meta, { status, incomplete_details, output, usage: responsesUsage(ev.usage) });
        return out + emit(status === 'completed' ? 'response.completed' : 'response.incomplete', { response });
      }
    }
  };

  return {
    start: () => {
      const response = responseEnvelope(req, meta, { status: 'in_progress', output: [], usage: null });
      return emit('response.created', { response }) + emit('response.in_progress', { response });
    },
    event,
    error: (err: ProxyError) => {
      ended = true;
      const error = { code: FAILED_CODE[err.kind] ?? 'server_error', message: err.message };
      // response.failed is what Codex reads; the `error` event is what the SDKs throw on.
      const response = responseEnvelope(req, meta, { status: 'failed', output, usage: null, error });
      return emit('response.failed', { response }) + emit('error', { code: err.code ?? error.code, message: err.message, param: err.param ?? null });
    },
    keepAlive: () => sseComment('keep-alive'),
  };
}
