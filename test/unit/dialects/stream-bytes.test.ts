// The stream encoders build their per-event SSE lines from templates (the hot path); every `data:`
// line must still be exactly the canonical JSON.stringify of the event object it stands for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anthropicDialect, openAIChatDialect, openAIResponsesDialect } from '../../../src/core/dialects/index.ts';
import type { NeutralEvent, NeutralRequest } from '../../../src/core/conversation/types.ts';
import type { Dialect } from '../../../src/core/dialects/types.ts';

const TRICKY = ['plain', 'quote " and \\ backslash', 'line\nbreak\ttab', '</script><!--', 'ünïcödé 漢字 🎉', '\u0000\u2028\u2029', '{}[]'];

const events: NeutralEvent[] = [
  ...TRICKY.map((t): NeutralEvent => ({ type: 'thinking_delta', text: t })),
  { type: 'thinking_signature', signature: 'sig "1"' },
  ...TRICKY.map((t): NeutralEvent => ({ type: 'text_delta', text: t })),
  { type: 'tool_call_start', index: 0, id: 'toolu_1', name: 'Read' },
  { type: 'tool_call_delta', index: 0, json: '{"path":"a\\"b"' },
  { type: 'tool_call_delta', index: 0, json: '}' },
  { type: 'tool_call_end', index: 0, input: { path: 'a"b' } },
  { type: 'end', stopReason: 'tool_use', usage: { inputTokens: 3, outputTokens: 4 } },
];

function dataLines(sse: string): string[] {
  return sse
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
    .map((l) => l.slice('data: '.length));
}

for (const [name, dialect] of [
  ['anthropic', anthropicDialect],
  ['openai-chat', openAIChatDialect],
  ['openai-responses', openAIResponsesDialect],
] as [string, Dialect][]) {
  test(`${name}: every streamed data line is canonical JSON, text survives byte for byte`, () => {
    const req = { model: 'm {} "x"', system: '', messages: [], tools: [], stream: true, includeUsage: true } as unknown as NeutralRequest;
    const enc = dialect.createStreamEncoder(req, { requestId: 'req "1" {}', model: 'model {} "q"', created: 1_700_000_000, estimatedInputTokens: 5 });
    let sse = enc.start();
    for (const ev of events) sse += enc.event(ev);
    const lines = dataLines(sse);
    assert.ok(lines.length > TRICKY.length);
    let text = '';
    for (const line of lines) {
      const obj = JSON.parse(line) as Record<string, unknown>;
      assert.equal(JSON.stringify(obj), line);
      // Collect streamed text deltas in each dialect's shape.
      const delta = (obj['delta'] ?? (obj['choices'] as { delta?: unknown }[] | undefined)?.[0]?.delta) as Record<string, unknown> | string | undefined;
      if (obj['type'] === 'response.output_text.delta') text += obj['delta'] as string;
      else if (
        typeof delta === 'object' &&
        delta &&
        (delta['type'] === 'text_delta' || 'content' in delta) &&
        typeof (delta['text'] ?? delta['content']) === 'string'
      ) {
        text += (delta['text'] ?? delta['content']) as string;
      }
    }
    assert.equal(text, TRICKY.join(''));
  });
}
