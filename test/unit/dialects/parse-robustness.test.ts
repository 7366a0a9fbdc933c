// Any body, however odd, must yield a NeutralRequest or a clean 400 ProxyError: never a
// TypeError, never a 500.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dialects, parseCountTokensRequest } from '../../../src/core/dialects/index.ts';
import { ProxyError } from '../../../src/core/errors.ts';
import { ctx } from './helpers.ts';

const TYPES = [
  'text',
  'image',
  'image_url',
  'input_text',
  'input_image',
  'output_text',
  'tool_use',
  'tool_result',
  'thinking',
  'document',
  'function_call',
  'function_call_output',
  'message',
  'reasoning',
  'refusal',
  'function',
  'custom',
  'web_search_20250305',
  'bash_20250124',
];
const ROLES = ['user', 'assistant', 'system', 'developer', 'tool', 'function', 'x'];

// Plausible-but-wrong pieces: the right keys with random values, nested a few levels deep.
const part = fc.record(
  {
    type: fc.constantFrom(...TYPES),
    text: fc.oneof(fc.string(), fc.jsonValue()),
    source: fc.oneof(
      fc.jsonValue(),
      fc.record({ type: fc.constantFrom('base64', 'url', 'text', 'content'), data: fc.jsonValue(), media_type: fc.jsonValue(), content: fc.jsonValue() }),
    ),
    image_url: fc.oneof(fc.jsonValue(), fc.constantFrom('data:image/png;base64,AA', 'http://x', 'data:,x')),
    content: fc.jsonValue(),
    input: fc.jsonValue(),
    id: fc.jsonValue(),
    name: fc.jsonValue(),
    tool_use_id: fc.jsonValue(),
    call_id: fc.jsonValue(),
    arguments: fc.oneof(fc.string(), fc.jsonValue()),
    output: fc.jsonValue(),
    role: fc.constantFrom(...ROLES),
  },
  { requiredKeys: ['type'] },
);
const message = fc.record(
  {
    role: fc.constantFrom(...ROLES),
    type: fc.constantFrom(...TYPES),
    content: fc.oneof(fc.string(), fc.array(part, { maxLength: 3 }), fc.jsonValue()),
    tool_calls: fc.oneof(
      fc.jsonValue(),
      fc.array(fc.record({ id: fc.jsonValue(), function: fc.record({ name: fc.jsonValue(), arguments: fc.jsonValue() }) }), { maxLength: 2 }),
    ),
    tool_call_id: fc.jsonValue(),
    call_id: fc.jsonValue(),
    arguments: fc.jsonValue(),
    name: fc.jsonValue(),
    output: fc.jsonValue(),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      model: fc.oneof(fc.constant('m'), fc.jsonValue()),
      messages: fc.oneof(fc.array(message, { maxLength: 4 }), fc.jsonValue()),
      input: fc.oneof(fc.string(), fc.array(message, { maxLength: 4 }), fc.jsonValue()),
      system: fc.oneof(fc.string(), fc.array(part, { maxLength: 2 }), fc.jsonValue()),
      tools: fc.oneof(fc.array(part, { maxLength: 3 }), fc.jsonValue()),
      tool_choice: fc.jsonValue(),
      thinking: fc.jsonValue(),
      reasoning: fc.jsonValue(),
      metadata: fc.jsonValue(),
      stop: fc.jsonValue(),
      max_tokens: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ),
);

test('every dialect parser answers any body with a result or a 400 ProxyError', () => {
  const parsers = [...Object.values(dialects).map((d) => (b: unknown) => d.parseRequest(b, ctx())), (b: unknown) => parseCountTokensRequest(b, ctx())];
  fc.assert(
    fc.property(body, (b) => {
      for (const parse of parsers) {
        try {
          parse(b);
        } catch (err) {
          assert.ok(err instanceof ProxyError, `not a ProxyError: ${String(err)}`);
          assert.equal(err.status, 400);
          // The guard's catch-all means a code path we did not foresee: every refusal should be deliberate.
          assert.ok(!err.message.startsWith('could not parse the request body'), err.message);
        }
      }
    }),
    { numRuns: 2000 },
  );
});
