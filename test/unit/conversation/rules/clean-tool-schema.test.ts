import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanToolSchema, cleanToolSchemas } from '../../../../src/core/conversation/rules/clean-tool-schema.ts';
import { draft, ruleLog } from '../helpers.ts';

test('clean-tool-schema strips $schema everywhere, fixes required and additionalProperties', () => {
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: {
      required: { type: 'string', description: 'a property named required survives' },
      $schema: { type: 'string' },
      nested: {
        type: 'object',
        $schema: 'x',
        properties: { a: { type: 'array', items: { type: 'object', $schema: 'y', additionalProperties: { type: 'string' } } } },
        required: [],
        additionalProperties: false,
      },
    },
    required: ['required', 7, null],
    additionalProperties: {},
  };
  assert.deepEqual(cleanToolSchema(schema), {
    type: 'object',
    properties: {
      required: { type: 'string', description: 'a property named required survives' },
      $schema: { type: 'string' },
      nested: { type: 'object', properties: { a: { type: 'array', items: { type: 'object' } } }, additionalProperties: false },
    },
    required: ['required'],
  });
});

test('clean-tool-schema forces a root object schema', () => {
  assert.deepEqual(cleanToolSchema({ type: 'string' }), { type: 'object', properties: {} });
  assert.deepEqual(cleanToolSchema({}), { type: 'object', properties: {} });
});

test('clean-tool-schema fires only when something changed', () => {
  const log = ruleLog();
  const ok = draft([], { tools: [{ name: 'A', description: 'd', schema: { type: 'object', properties: {} } }] });
  assert.equal(cleanToolSchemas(ok, log), ok);
  cleanToolSchemas(draft([], { tools: [{ name: 'B', description: 'd', schema: { $schema: 'x', type: 'object', properties: {} } }] }), log);
  assert.deepEqual(log.names(), ['clean-tool-schema']);
});
