import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { collectResult, createResultCollector } from '../../../src/core/dialects/collect.ts';
import { anthropicDialect, dialects, openAIChatDialect, openAIResponsesDialect } from '../../../src/core/dialects/index.ts';
import { ProxyError } from '../../../src/core/errors.ts';
import { textAndToolEvents, usage } from './helpers.ts';

describe('collectResult', () => {
  test('merges deltas into blocks in order, keeps the signature and tool inputs', () => {
    const r = collectResult(textAndToolEvents());
    assert.deepEqual(r, {
      content: [
        { type: 'thinking', text: 'Let me think.', signature: 'sig-1' },
        { type: 'text', text: 'Hello, world' },
        { type: 'tool_use', id: 'tooluse_abc', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'tooluse_def', name: 'noop', input: { a: [1, 2] } },
      ],
      stopReason: 'tool_use',
      usage: usage(100, 20),
    });
  });

  test('a tool call without an end event gets its input from the streamed JSON; stop sequence kept', () => {
    const r = collectResult([
      { type: 'tool_call_start', index: 0, id: 'a', name: 'f' },
      { type: 'tool_call_delta', index: 0, json: '{"x":' },
      { type: 'tool_call_delta', index: 0, json: '1}' },
      { type: 'text_delta', text: 'after' },
      { type: 'end', stopReason: 'stop_sequence', stopSequence: '###', usage: usage() },
    ]);
    assert.deepEqual(r.content[0], { type: 'tool_use', id: 'a', name: 'f', input: { x: 1 } });
    assert.deepEqual(r.content[1], { type: 'text', text: 'after' });
    assert.equal(r.stopSequence, '###');
  });

  test('a stream that never ended is an upstream error; events after end are ignored', () => {
    const c = createResultCollector();
    c.push({ type: 'text_delta', text: 'half' });
    assert.equal(c.ended(), false);
    assert.throws(
      () => c.result(),
      (e: unknown) => e instanceof ProxyError && e.kind === 'upstream',
    );
    c.push({ type: 'end', stopReason: 'end_turn', usage: usage() });
    c.push({ type: 'text_delta', text: 'late' });
    assert.deepEqual(c.result().content, [{ type: 'text', text: 'half' }]);
  });
});

test('index exports the three dialects by name', () => {
  assert.equal(dialects.anthropic, anthropicDialect);
  assert.equal(dialects['openai-chat'], openAIChatDialect);
  assert.equal(dialects['openai-responses'], openAIResponsesDialect);
  for (const [name, d] of Object.entries(dialects)) assert.equal(d.name, name);
});
