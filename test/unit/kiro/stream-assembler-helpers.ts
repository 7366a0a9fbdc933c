// Drives a stream assembler and folds its events into what a client would end up showing.
import type { NeutralEvent } from '../../../src/core/conversation/types.ts';
import type { KiroEvent } from '../../../src/core/kiro/kiro-event.ts';
import { createStreamAssembler, type StreamAssemblerOptions } from '../../../src/core/conversation/from-kiro/stream-assembler.ts';
import { buildToolNameMap } from '../../../src/core/conversation/tool-names.ts';

export function run(events: KiroEvent[], opts: Partial<StreamAssemblerOptions> = {}): NeutralEvent[] {
  let n = 0;
  const a = createStreamAssembler({
    toolNames: buildToolNameMap(['Read', 'get_weather']),
    thinkingTags: false,
    estimatedInputTokens: 1000,
    contextWindow: 200_000,
    newToolId: () => `tooluse_recovered_${n++}`,
    ...opts,
  });
  return [...events.flatMap((e) => a.push(e)), ...a.finish()];
}

export function fold(events: NeutralEvent[]) {
  let text = '';
  let thinking = '';
  const calls: { id: string; name: string; json: string; input?: unknown }[] = [];
  for (const e of events) {
    if (e.type === 'text_delta') text += e.text;
    else if (e.type === 'thinking_delta') thinking += e.text;
    else if (e.type === 'tool_call_start') calls[e.index] = { id: e.id, name: e.name, json: '' };
    else if (e.type === 'tool_call_delta') calls[e.index]!.json += e.json;
    else if (e.type === 'tool_call_end') calls[e.index]!.input = e.input;
  }
  const end = events.at(-1);
  return { text, thinking, calls, end: end?.type === 'end' ? end : undefined };
}

export const textEv = (content: string): KiroEvent => ({ type: 'assistantResponse', content });
export const toolEv = (toolUseId: string, name: string, input?: string, stop?: boolean): KiroEvent => ({
  type: 'toolUse',
  toolUseId,
  name,
  ...(input !== undefined ? { input } : {}),
  ...(stop ? { stop: true } : {}),
});
