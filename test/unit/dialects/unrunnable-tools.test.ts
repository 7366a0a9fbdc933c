// One policy for tools the proxy cannot run (Anthropic server tools, OpenAI hosted tools), the
// same in all three dialects: dropped before Kiro, named in ignoredTools (→ log entry and the
// x-kiro-proxy-ignored-tools header), refused with a 400 only when tool_choice forces one.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { anthropicDialect } from '../../../src/core/dialects/anthropic/index.ts';
import { openAIChatDialect } from '../../../src/core/dialects/openai-chat/index.ts';
import { openAIResponsesDialect } from '../../../src/core/dialects/openai-responses/index.ts';
import { ctx, rejects } from './helpers.ts';

const fn = { type: 'function', function: { name: 'write_file', parameters: { type: 'object', properties: { path: { type: 'string' } } } } };
const flatFn = { type: 'function', name: 'write_file', parameters: { type: 'object', properties: { path: { type: 'string' } } } };

describe('tools the proxy cannot run', () => {
  test('Anthropic: server tools dropped and named; forcing one is a 400 naming it', () => {
    const parse = (b: Record<string, unknown>) =>
      anthropicDialect.parseRequest({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], ...b }, ctx());
    const tools = [
      { name: 'write_file', input_schema: { type: 'object' } },
      { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
      { type: 'code_execution_20250825', name: 'code_execution' },
      { type: 'web_fetch_20250910', name: 'web_fetch' },
    ];
    const req = parse({ tools });
    assert.deepEqual(
      req.tools.map((t) => t.name),
      ['write_file'],
    );
    assert.deepEqual(req.ignoredTools, ['web_search (web_search_20250305)', 'code_execution (code_execution_20250825)', 'web_fetch (web_fetch_20250910)']);
    assert.deepEqual(parse({ tools, tool_choice: { type: 'tool', name: 'write_file' } }).toolChoice, { type: 'tool', name: 'write_file' });
    assert.deepEqual(parse({ tools, tool_choice: { type: 'any' } }).toolChoice, { type: 'any' });
    const err = rejects(() => parse({ tools, tool_choice: { type: 'tool', name: 'web_search' } }), {
      status: 400,
      param: 'tool_choice.name',
      code: 'unsupported_tool_choice',
    });
    assert.match(err.message, /web_search_20250305/);
    assert.deepEqual(anthropicDialect.renderError(err).body, { type: 'error', error: { type: 'invalid_request_error', message: err.message } });
  });

  test('Responses: hosted tools dropped and named; a hosted tool_choice is a 400', () => {
    const parse = (b: Record<string, unknown>) => openAIResponsesDialect.parseRequest({ model: 'gpt-5', input: 'hi', ...b }, ctx());
    const tools = [flatFn, { type: 'web_search', external_web_access: true }, { type: 'file_search', vector_store_ids: ['vs'] }, { type: 'image_generation' }];
    const req = parse({ tools });
    assert.deepEqual(
      req.tools.map((t) => t.name),
      ['write_file'],
    );
    assert.deepEqual(req.ignoredTools, ['web_search', 'file_search', 'image_generation']);
    for (const type of ['web_search', 'file_search', 'image_generation', 'code_interpreter']) {
      const err = rejects(() => parse({ tools, tool_choice: { type } }), { status: 400, code: 'unsupported_tool_choice' });
      assert.equal((openAIResponsesDialect.renderError(err).body as { error: { code: string } }).error.code, 'unsupported_tool_choice');
    }
  });

  test('Chat: non-function tools dropped and named; forcing one is a 400', () => {
    const parse = (b: Record<string, unknown>) => openAIChatDialect.parseRequest({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], ...b }, ctx());
    const tools = [fn, { type: 'web_search' }, { type: 'custom', custom: { name: 'apply_patch' } }];
    const req = parse({ tools });
    assert.deepEqual(
      req.tools.map((t) => t.name),
      ['write_file'],
    );
    assert.deepEqual(req.ignoredTools, ['web_search', 'apply_patch (custom)']);
    rejects(() => parse({ tools, tool_choice: { type: 'custom', custom: { name: 'apply_patch' }, name: 'apply_patch' } }), {
      status: 400,
      code: 'unsupported_tool_choice',
    });
    rejects(() => parse({ tools, tool_choice: { type: 'web_search' } }), { status: 400, code: 'unsupported_tool_choice' });
    assert.deepEqual(parse({ tools, tool_choice: { type: 'function', function: { name: 'write_file' } } }).toolChoice, { type: 'tool', name: 'write_file' });
  });

  test('nothing dropped: no ignoredTools at all', () => {
    assert.equal(openAIChatDialect.parseRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [fn] }, ctx()).ignoredTools, undefined);
    assert.equal(openAIResponsesDialect.parseRequest({ model: 'm', input: 'x', tools: [flatFn] }, ctx()).ignoredTools, undefined);
  });
});
