// Folds the assembler's NeutralEvents into one NeutralResult for non-streamed answers.
import { ProxyError } from '../errors.ts';
import type { NeutralEvent, NeutralResult } from '../conversation/types.ts';
import { parseToolArguments } from './shared/json-args.ts';

type Block = NeutralResult['content'][number];

export interface ResultCollector {
  push(ev: NeutralEvent): void;
  /** True once the `end` event arrived. */
  ended(): boolean;
  /** The collected answer; throws a ProxyError('upstream') if the stream never ended. */
  result(): NeutralResult;
}

/** An incremental collector, for callers that consume the event stream as it arrives. */
export function createResultCollector(): ResultCollector {
  const content: Block[] = [];
  // Tool calls are addressed by their stream index; remember where each one sits in `content`
  // and the JSON text seen so far, in case the end event carries no parsed input.
  const tools = new Map<number, { block: Extract<Block, { type: 'tool_use' }>; json: string; done: boolean }>();
  let end: Extract<NeutralEvent, { type: 'end' }> | undefined;

  const last = (): Block | undefined => content[content.length - 1];

  const push = (ev: NeutralEvent): void => {
    if (end) return;
    switch (ev.type) {
      case 'text_delta': {
        const b = last();
        if (b?.type === 'text') b.text += ev.text;
        else content.push({ type: 'text', text: ev.text });
        return;
      }
      case 'thinking_delta': {
        const b = last();
        if (b?.type === 'thinking' && b.signature === undefined) b.text += ev.text;
        else content.push({ type: 'thinking', text: ev.text });
        return;
      }
      case 'thinking_signature': {
        const b = last();
        if (b?.type === 'thinking') b.signature = ev.signature;
        else content.push({ type: 'thinking', text: '', signature: ev.signature });
        return;
      }
      case 'tool_call_start': {
        const block = { type: 'tool_use' as const, id: ev.id, name: ev.name, input: {} as unknown };
        content.push(block);
        tools.set(ev.index, { block, json: '', done: false });
        return;
      }
      case 'tool_call_delta': {
        const t = tools.get(ev.index);
        if (t) t.json += ev.json;
        return;
      }
      case 'tool_call_end': {
        const t = tools.get(ev.index);
        if (t) {
          t.block.input = ev.input;
          t.done = true;
        }
        return;
      }
      case 'end':
        end = ev;
        return;
    }
  };

  const result = (): NeutralResult => {
    if (!end) throw new ProxyError('upstream', 'the upstream answer ended before it was complete');
    for (const t of tools.values()) {
      if (t.done) continue;
      const parsed = parseToolArguments(t.json);
      t.block.input = parsed.ok ? parsed.value : {};
    }
    const out: NeutralResult = { content, stopReason: end.stopReason, usage: end.usage };
    if (end.stopSequence !== undefined) out.stopSequence = end.stopSequence;
    return out;
  };

  return {
    push,
    // A method, not a getter (see output-limits.ts): accessor literals are promoted with their closures.
    ended: () => end !== undefined,
    result,
  };
}

/** Collects a complete event list into a NeutralResult. */
export function collectResult(events: Iterable<NeutralEvent>): NeutralResult {
  const c = createResultCollector();
  for (const ev of events) c.push(ev);
  return c.result();
}
