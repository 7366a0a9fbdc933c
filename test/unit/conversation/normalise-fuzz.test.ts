// Property: whatever conversation a client sends (random roles, empties, ids reused or missing,
// tools declared or not, odd names and inputs), the normalised body passes the strict validator.
import { test } from 'node:test';
import fc from 'fast-check';
import type { NeutralBlock, NeutralMessage, NeutralRequest, NeutralTool } from '../../../src/core/conversation/types.ts';
import { normalise } from '../../../src/core/conversation/normalise.ts';
import { PNG_1PX } from './helpers.ts';
import { assertKiroAccepts, MODEL } from './strict-check.ts';

const ids = fc.constantFrom('t1', 't2', 't3', '', 'toolu_x');
const names = fc.constantFrom('Read', 'Bash', '', 'mcp__server.with.dots__' + 'n'.repeat(60), 'has space');
const texts = fc.constantFrom('', ' ', 'hello', '\n\n', '[Called Read with args: {}]', '<thinking>x</thinking>', '漢字');
const inputs = fc.oneof(fc.constant({}), fc.constant({ a: 1 }), fc.constant('{"b":2}'), fc.constant('raw'), fc.constant(null), fc.constant([1]));

const block: fc.Arbitrary<NeutralBlock> = fc.oneof(
  texts.map((text): NeutralBlock => ({ type: 'text', text })),
  fc.record({ id: ids, name: names, input: inputs }).map(({ id, name, input }): NeutralBlock => ({ type: 'tool_use', id, name, input })),
  fc.record({ id: ids, content: texts, isError: fc.boolean(), withImage: fc.boolean() }).map(({ id, content, isError, withImage }): NeutralBlock => ({
    type: 'tool_result',
    toolUseId: id,
    content,
    isError,
    ...(withImage ? { images: [{ mediaType: 'image/png', data: PNG_1PX }] } : {}),
  })),
  fc.constant<NeutralBlock>({ type: 'image', mediaType: 'image/png', data: PNG_1PX }),
  texts.map((text): NeutralBlock => ({ type: 'thinking', text })),
);

const message: fc.Arbitrary<NeutralMessage> = fc.record({
  role: fc.constantFrom<'user' | 'assistant'>('user', 'assistant'),
  content: fc.array(block, { maxLength: 4 }),
});

const toolDecl: fc.Arbitrary<NeutralTool> = fc.record({
  name: names,
  description: fc.constantFrom('', 'Reads.', 'x'.repeat(10_001)),
  inputSchema: fc.constantFrom<Record<string, unknown>>({}, { type: 'object', properties: {} }, { $schema: 'x', type: 'string', required: [] }),
});

const requestArb: fc.Arbitrary<NeutralRequest> = fc
  .record({
    messages: fc.array(message, { maxLength: 12 }),
    tools: fc.array(toolDecl, { maxLength: 4 }),
    system: texts,
    thinking: fc.option(fc.constant({ type: 'enabled' as const, budgetTokens: 2000 }), { nil: undefined }),
  })
  .map(({ messages, tools, system, thinking }) => ({
    dialect: 'anthropic' as const,
    model: 'm',
    system,
    messages,
    tools,
    stream: true,
    ...(thinking ? { thinking } : {}),
  }));

test('any random conversation normalises into a body Kiro accepts', () => {
  fc.assert(
    fc.property(requestArb, (req) => {
      assertKiroAccepts(normalise(req, { modelId: MODEL, conversationId: 'c' }).body, 'fuzz');
    }),
    { numRuns: 1500 },
  );
});
