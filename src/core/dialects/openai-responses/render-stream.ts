// Responses streaming: response.created / in_progress, then per output item
// output_item.added → (content part | summary part) → deltas → done events → output_item.done,
// and finally response.completed or response.incomplete carrying every item. Every event has
// a rising sequence_number. Items never interleave: new output closes the open item.
//
// This runs once per streamed event, so the hot paths write JSON text from templates instead of
// stringifying event objects: each item's constant fields are serialised once when it opens; a
// delta line is those pieces around the sequence number (sequence.ts) and the delta, quoted by
// hand when it needs no escaping (json-plain.ts), else by one JSON.stringify; a finished item's
// text is quoted once and spliced into the done events, the item and the final Response, whose
// settings are serialised once per response (response-object.ts). Every `data:` line is still
// exactly JSON.stringify of the event object (test/unit/dialects/stream-bytes and
// openai-responses-stream-json tests).
import type { ErrorKind, ProxyError } from '../../errors.ts';
import type { NeutralEvent, NeutralRequest } from '../../conversation/types.ts';
import type { ResponseMeta, StreamEncoder } from '../types.ts';
import { stringifyInput } from '../shared/json-args.ts';
import { sseComment } from '../shared/sse.ts';
import { isJsonPlain } from './json-plain.ts';
import { createSequence } from './sequence.ts';
import {
  clientToolOf,
  customInputOf,
  customToolCallItem,
  envelopeJsonWriter,
  finalStatus,
  functionCallItem,
  itemId,
  messageItem,
  messageItemJson,
  outputText,
  outputTextJson,
  reasoningItem,
  reasoningItemJson,
  responsesUsage,
  summaryTextJson,
} from './response-object.ts';

type ItemKind = 'message' | 'reasoning' | 'function' | 'custom';

/** The item being streamed. One shape for all kinds (fields unused by a kind stay empty). */
interface OpenItem {
  kind: ItemKind;
  index: number;
  id: string;
  /** `"item_id":…,"output_index":…`: the fields every event about this item carries first. */
  at: string;
  /**
   * The delta line around its two variable parts: up to the sequence number (head), from it to
   * the delta's JSON (mid), after it (tail). midQ and tailQ include the delta's quotes, for a
   * delta that needs no escaping (json-plain.ts).
   */
  deltaHead: string;
  deltaMid: string;
  deltaTail: string;
  deltaMidQ: string;
  deltaTailQ: string;
  /** Everything streamed so far: text, summary or arguments. */
  text: string;
  /** function and custom items: the neutral tool index, call id, the client's name and namespace. */
  tool: number;
  callId: string;
  name: string;
  namespace: string | undefined;
}

/** What a delta line looks like for each kind; the item's own fields go between. */
const DELTA_SHAPE: Record<ItemKind, { type: string; extra: string; tail: string }> = {
  message: { type: 'response.output_text.delta', extra: ',"content_index":0', tail: ',"logprobs":[]}\n\n' },
  reasoning: { type: 'response.reasoning_summary_text.delta', extra: ',"summary_index":0', tail: '}\n\n' },
  function: { type: 'response.function_call_arguments.delta', extra: '', tail: '}\n\n' },
  custom: { type: 'response.custom_tool_call_input.delta', extra: '', tail: '}\n\n' },
};

function openItem(kind: ItemKind, index: number, id: string, tool = -1, callId = '', name = '', namespace?: string): OpenItem {
  const at = `"item_id":${JSON.stringify(id)},"output_index":${index}`;
  const shape = DELTA_SHAPE[kind];
  return {
    kind,
    index,
    id,
    at,
    deltaHead: `event: ${shape.type}\ndata: {"type":"${shape.type}","sequence_number":`,
    deltaMid: `,${at}${shape.extra},"delta":`,
    deltaTail: shape.tail,
    deltaMidQ: `,${at}${shape.extra},"delta":"`,
    deltaTailQ: `"${shape.tail}`,
    text: '',
    tool,
    callId,
    name,
    namespace,
  };
}

/**
 * Deltas up to this length are checked and quoted by hand; JSON.stringify's native scan wins on
 * longer ones (measured: break-even near 24 characters; Kiro's text deltas are mostly a few words).
 */
const HAND_QUOTED_MAX = 24;

// ResponseError.code is a closed set in the API; map our kinds onto it.
const FAILED_CODE: Partial<Record<ErrorKind, string>> = { rate_limit: 'rate_limit_exceeded', invalid_request: 'invalid_prompt' };

/** How a response ends in failure: `response.failed` is what Codex reads; the `error` event is what the SDKs throw on. */
function failedEvents(
  err: ProxyError,
  envelope: ReturnType<typeof envelopeJsonWriter>,
  output: readonly string[],
  emitJson: (type: string, fieldsJson: string) => string,
): string {
  const error = { code: FAILED_CODE[err.kind] ?? 'server_error', message: err.message };
  const response = envelope({ status: 'failed', usage: null, error }, output);
  const fields = JSON.stringify({ code: err.code ?? error.code, message: err.message, param: err.param ?? null });
  return emitJson('response.failed', `"response":${response}`) + emitJson('error', fields.slice(1, -1));
}

/** The open item of a tool call that starts (a function or a custom tool) and its `added` form. */
function openToolItem(req: NeutralRequest, meta: ResponseMeta, index: number, ev: Extract<NeutralEvent, { type: 'tool_call_start' }>): [OpenItem, unknown] {
  const t = clientToolOf(req, ev.name);
  if (t.custom) {
    const o = openItem('custom', index, itemId('ctc', meta, index), ev.index, ev.id, t.name, t.namespace);
    return [o, customToolCallItem(o.id, ev.id, t.name, '', 'in_progress', t.namespace)];
  }
  const o = openItem('function', index, itemId('fc', meta, index), ev.index, ev.id, t.name, t.namespace);
  return [o, functionCallItem(o.id, ev.id, t.name, '', 'in_progress', t.namespace)];
}

/** The done events of an item that closes, and its final form as JSON. */
function finishItem(o: OpenItem, incomplete: boolean, emitJson: (type: string, fieldsJson: string) => string): [events: string, item: string] {
  let out: string;
  let item: string;
  switch (o.kind) {
    case 'message': {
      const quoted = JSON.stringify(o.text);
      item = messageItemJson(o.id, quoted, incomplete ? 'incomplete' : 'completed');
      out = emitJson('response.output_text.done', `${o.at},"content_index":0,"text":${quoted},"logprobs":[]`);
      out += emitJson('response.content_part.done', `${o.at},"content_index":0,"part":${outputTextJson(quoted)}`);
      break;
    }
    case 'reasoning': {
      const quoted = JSON.stringify(o.text);
      item = reasoningItemJson(o.id, quoted);
      out = emitJson('response.reasoning_summary_text.done', `${o.at},"summary_index":0,"text":${quoted}`);
      out += emitJson('response.reasoning_summary_part.done', `${o.at},"summary_index":0,"part":${summaryTextJson(quoted)}`);
      break;
    }
    case 'function':
      item = JSON.stringify(functionCallItem(o.id, o.callId, o.name, o.text, 'completed', o.namespace));
      out = emitJson('response.function_call_arguments.done', `${o.at},"arguments":${JSON.stringify(o.text)}`);
      break;
    case 'custom':
      item = JSON.stringify(customToolCallItem(o.id, o.callId, o.name, o.text, 'completed', o.namespace));
      out = emitJson('response.custom_tool_call_input.done', `${o.at},"input":${JSON.stringify(o.text)}`);
      break;
  }
  return [out, item];
}

type Emit = (type: string, fieldsJson: string) => string;

/** Opens a message or reasoning item at `index` through `start` (which closes the open one); returns their events. */
function openTextItem(
  kind: 'message' | 'reasoning',
  index: number,
  meta: ResponseMeta,
  start: (next: OpenItem, added: unknown) => string,
  emitJson: Emit,
): string {
  if (kind === 'message') {
    const o = openItem(kind, index, itemId('msg', meta, index));
    return (
      start(o, messageItem(o.id, '', 'in_progress')) +
      emitJson('response.content_part.added', `${o.at},"content_index":0,"part":${JSON.stringify(outputText(''))}`)
    );
  }
  const o = openItem(kind, index, itemId('rs', meta, index));
  return (
    start(o, reasoningItem(o.id, undefined)) + emitJson('response.reasoning_summary_part.added', `${o.at},"summary_index":0,"part":${summaryTextJson('""')}`)
  );
}

/** A tool call's end on the open item: a custom tool's whole input, or a function's arguments if none streamed; then its done events. */
function endToolCall(
  o: OpenItem | undefined,
  ev: Extract<NeutralEvent, { type: 'tool_call_end' }>,
  delta: (o: OpenItem, text: string) => string,
  close: () => string,
): string {
  if (o?.kind === 'custom' && o.tool === ev.index) {
    o.text = customInputOf(ev.input);
    return (o.text ? delta(o, o.text) : '') + close();
  }
  if (o?.kind !== 'function' || o.tool !== ev.index) return '';
  let out = '';
  // Clients rebuild arguments from deltas; send them whole if none streamed.
  if (!o.text) {
    o.text = stringifyInput(ev.input);
    out += delta(o, o.text);
  }
  return out + close();
}

export function createResponsesEncoder(req: NeutralRequest, meta: ResponseMeta): StreamEncoder {
  const nextSeq = createSequence();
  let ended = false;
  let open: OpenItem | undefined;
  // Every item so far as JSON: its `added` form while open, its final form once done.
  const output: string[] = [];
  const envelope = envelopeJsonWriter(req, meta);

  /** One event from its fields already as JSON text (`"a":…,"b":…`, after type and sequence_number). */
  const emitJson = (type: string, fieldsJson: string): string =>
    `event: ${type}\ndata: {"type":"${type}","sequence_number":${nextSeq()}${fieldsJson ? ',' : ''}${fieldsJson}}\n\n`;

  /** One delta line: the item's template around the sequence number and the delta text. */
  const delta = (o: OpenItem, text: string): string =>
    text.length <= HAND_QUOTED_MAX && isJsonPlain(text)
      ? o.deltaHead + nextSeq() + o.deltaMidQ + text + o.deltaTailQ
      : o.deltaHead + nextSeq() + o.deltaMid + JSON.stringify(text) + o.deltaTail;

  /** The done events of the open item and its final form; '' when none is open. */
  const close = (incomplete = false): string => {
    const o = open;
    if (!o) return '';
    open = undefined;
    const [out, item] = finishItem(o, incomplete, emitJson);
    output[o.index] = item;
    return out + emitJson('response.output_item.done', `"output_index":${o.index},"item":${item}`);
  };

  const start = (next: OpenItem, added: unknown): string => {
    const addedJson = JSON.stringify(added);
    const out = close() + emitJson('response.output_item.added', `"output_index":${next.index},"item":${addedJson}`);
    output[next.index] = addedJson;
    open = next;
    return out;
  };

  /** A text or summary delta, opening its item first when another kind is open. */
  const textDelta = (kind: 'message' | 'reasoning', text: string): string => {
    let o = open;
    if (o?.kind === kind) {
      o.text += text;
      return delta(o, text);
    }
    const prefix = openTextItem(kind, output.length, meta, start, emitJson);
    o = open!;
    o.text += text;
    return prefix + delta(o, text);
  };

  const event = (ev: NeutralEvent): string => {
    if (ended) return '';
    switch (ev.type) {
      case 'text_delta':
        return ev.text ? textDelta('message', ev.text) : '';
      case 'thinking_delta':
        return ev.text ? textDelta('reasoning', ev.text) : '';
      case 'thinking_signature':
        return '';
      case 'tool_call_start': {
        const prefix = close();
        const [o, added] = openToolItem(req, meta, output.length, ev);
        return prefix + start(o, added);
      }
      case 'tool_call_delta': {
        const o = open;
        // A custom tool's text is inside the JSON the model streams: sent whole at the end.
        if (o?.kind !== 'function' || o.tool !== ev.index || !ev.json) return '';
        o.text += ev.json;
        return delta(o, ev.json);
      }
      case 'tool_call_end':
        return endToolCall(open, ev, delta, close);
      case 'end': {
        ended = true;
        const { status, incomplete_details } = finalStatus(ev.stopReason);
        const out = close(status === 'incomplete');
        const response = envelope({ status, incomplete_details, usage: responsesUsage(ev.usage) }, output);
        return out + emitJson(status === 'completed' ? 'response.completed' : 'response.incomplete', `"response":${response}`);
      }
    }
  };

  return {
    start: () => {
      const response = envelope({ status: 'in_progress', usage: null }, []);
      return emitJson('response.created', `"response":${response}`) + emitJson('response.in_progress', `"response":${response}`);
    },
    event,
    error: (err: ProxyError) => {
      ended = true;
      return failedEvents(err, envelope, output, emitJson);
    },
    keepAlive: () => sseComment('keep-alive'),
  };
}
