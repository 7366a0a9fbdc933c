// The chat provider's reader of Anthropic SSE (event shapes from the Messages streaming docs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAnthropicStream } from '../../../src/vscode/anthropic-stream.ts';

function body(events: object[], chunkSize = 7): ReadableStream<Uint8Array> {
  const text = events.map((e) => `event: ${(e as { type: string }).type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(c) {
      for (let i = 0; i < bytes.length; i += chunkSize) c.enqueue(bytes.slice(i, i + chunkSize));
      c.close();
    },
  });
}

test('text deltas and a tool call assembled from partial JSON', async () => {
  const out: string[] = [];
  const tools: unknown[] = [];
  await readAnthropicStream(
    body([
      { type: 'message_start', message: { id: 'm' } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Héllo ' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'wörld' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'tu_1', name: 'read', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"path":' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"a.ts"}' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'message_stop' },
    ]),
    { text: (t) => out.push(t), toolCall: (id, name, input) => tools.push({ id, name, input }) },
  );
  assert.equal(out.join(''), 'Héllo wörld');
  assert.deepEqual(tools, [{ id: 'tu_1', name: 'read', input: { path: 'a.ts' } }]);
});

test('an error event fails the response', async () => {
  await assert.rejects(
    readAnthropicStream(body([{ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]), { text: () => {}, toolCall: () => {} }),
    /Overloaded/,
  );
});
