import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { openAIResponsesDialect } from '../../../src/core/dialects/openai-responses/index.ts';
import { collectResult } from '../../../src/core/dialects/collect.ts';
import { ProxyError } from '../../../src/core/errors.ts';
import type { NeutralEvent } from '../../../src/core/conversation/types.ts';
import { ctx, fakeFetch, meta, rejects, renderStream, textAndToolEvents, usage } from './helpers.ts';

const parse = (body: unknown, headers: Record<string, string> = {}) => openAIResponsesDialect.parseRequest(body, ctx(headers));
const PNG = 'data:image/png;base64,iVBORw0KGgo=';

function client(body: string, init: { status?: number; contentType?: string } = {}) {
  return new OpenAI({ apiKey: 'x', baseURL: 'http://proxy.test/v1', fetch: fakeFetch(body, init), maxRetries: 0 });
}

// Shape of a Codex turn: instructions, a developer message, history with a function call round
// trip and a reasoning item, function tools plus a hosted tool.
function codexRequest() {
  return {
    model: 'claude-sonnet-4-5',
    instructions: 'You are Codex.',
    input: [
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: '<permissions>' }] },
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'list files' },
          { type: 'input_image', image_url: PNG },
        ],
      },
      { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'xyz' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Running ls.' }] },
      { type: 'function_call', call_id: 'call_1', name: 'shell', arguments: '{"command":["ls"]}' },
      { type: 'function_call_output', call_id: 'call_1', output: 'a.txt\nb.txt' },
      { role: 'user', content: 'thanks' },
    ],
    tools: [
      {
        type: 'function',
        name: 'shell',
        description: 'Run a command',
        parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } } },
        strict: false,
      },
      { type: 'web_search' },
    ],
    tool_choice: 'auto',
    parallel_tool_calls: false,
    reasoning: { effort: 'medium', summary: 'auto' },
    store: false,
    stream: true,
    include: ['reasoning.encrypted_content'],
    prompt_cache_key: 'conv-123',
    max_output_tokens: 5000,
  };
}

describe('openai-responses parseRequest', () => {
  test('a Codex turn', () => {
    const req = parse(codexRequest());
    assert.equal(req.dialect, 'openai-responses');
    assert.equal(req.system, 'You are Codex.\n\n<permissions>');
    assert.deepEqual(req.messages, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'list files' },
          { type: 'image', mediaType: 'image/png', data: 'iVBORw0KGgo=' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Running ls.' },
          { type: 'tool_use', id: 'call_1', name: 'shell', input: { command: ['ls'] } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolUseId: 'call_1', content: 'a.txt\nb.txt', isError: false },
          { type: 'text', text: 'thanks' },
        ],
      },
    ]);
    assert.deepEqual(
      req.tools.map((t) => t.name),
      ['shell'],
    );
    assert.deepEqual(req.ignoredTools, ['web_search']);
    assert.deepEqual(req.toolChoice, { type: 'auto' });
    assert.deepEqual(req.thinking, { type: 'adaptive', effort: 'medium' });
    assert.equal(req.maxTokens, 5000);
    assert.equal(req.stream, true);
    assert.equal(req.sessionId, 'conv-123');
  });

  test('string input; session from the Codex session_id header', () => {
    const req = parse({ model: 'm', input: 'hello' }, { session_id: 'sess-9' });
    assert.deepEqual(req.messages, [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }]);
    assert.equal(req.sessionId, 'sess-9');
    assert.equal(req.system, '');
    assert.equal(req.thinking, undefined);
  });

  test('function_call_output with parts; custom tool call round trip kept paired', () => {
    const req = parse({
      model: 'm',
      input: [
        { type: 'custom_tool_call', call_id: 'c1', name: 'apply_patch', input: '*** Begin Patch' },
        { type: 'custom_tool_call_output', call_id: 'c1', output: 'ok' },
        { type: 'function_call', call_id: 'c2', name: 'view_image', arguments: '{}' },
        {
          type: 'function_call_output',
          call_id: 'c2',
          output: [
            { type: 'input_text', text: 'here' },
            { type: 'input_image', image_url: PNG },
          ],
        },
      ],
    });
    assert.deepEqual(req.messages[0]!.content[0], { type: 'tool_use', id: 'c1', name: 'apply_patch', input: { input: '*** Begin Patch' } });
    assert.deepEqual(req.messages[1]!.content, [{ type: 'tool_result', toolUseId: 'c1', content: 'ok', isError: false }]);
    assert.deepEqual(req.messages[3]!.content[0], {
      type: 'tool_result',
      toolUseId: 'c2',
      content: 'here',
      isError: false,
      images: [{ mediaType: 'image/png', data: 'iVBORw0KGgo=' }],
    });
  });

  test('stateless: previous_response_id, conversation, item_reference and background are refused clearly', () => {
    rejects(() => parse({ model: 'm', input: 'x', previous_response_id: 'resp_1' }), { status: 400, param: 'previous_response_id', message: /stateless/ });
    rejects(() => parse({ model: 'm', input: 'x', conversation: 'conv_1' }), { param: 'conversation', message: /stateless/ });
    rejects(() => parse({ model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] }), { param: 'input[0].type', message: /stateless/ });
    rejects(() => parse({ model: 'm', input: 'x', background: true }), { param: 'background' });
  });

  test('images by URL or file id, bad arguments, unknown items: clear 400s', () => {
    rejects(() => parse({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }] }), {
      param: 'input[0].content[0].image_url',
      message: /http\(s\) image URLs/,
    });
    rejects(() => parse({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }] }), {
      param: 'input[0].content[0].file_id',
    });
    rejects(() => parse({ model: 'm', input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '{bad' }] }), { param: 'input[0].arguments' });
    rejects(() => parse({ model: 'm', input: [{ type: 'mystery' }] }), { param: 'input[0].type' });
    rejects(() => parse({ model: 'm', input: 'x', reasoning: { effort: 'extreme' } }), { param: 'reasoning.effort' });
    for (const body of [null, 1, {}, { model: 'm', input: 5 }, { model: 'm', input: [null] }, { model: 'm', input: [{ role: 'user' }] }])
      rejects(() => parse(body), { status: 400 });
  });

  test('tool_choice forms', () => {
    const choice = (tool_choice: unknown) => parse({ model: 'm', input: 'x', tool_choice }).toolChoice;
    assert.deepEqual(choice('required'), { type: 'any' });
    assert.deepEqual(choice('none'), { type: 'none' });
    assert.deepEqual(choice({ type: 'function', name: 'shell' }), { type: 'tool', name: 'shell' });
    assert.deepEqual(choice({ type: 'allowed_tools', mode: 'auto', tools: [] }), { type: 'auto' });
    rejects(() => choice({ type: 'web_search_preview' }), { status: 400, param: 'tool_choice.type', code: 'unsupported_tool_choice' });
  });
});

const req = parse({ model: 'claude-sonnet-4-5', input: 'hi', stream: true, reasoning: { effort: 'high', summary: 'auto' } });
const params = { model: 'claude-sonnet-4-5', input: 'hi' };

describe('openai-responses stream, parsed by the openai SDK', () => {
  test('responses.stream() → finalResponse(): reasoning, text, function calls, usage', async () => {
    const sse = renderStream(openAIResponsesDialect, req, textAndToolEvents());
    const stream = client(sse).responses.stream(params);
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    assert.equal(deltas.join(''), 'Hello, world');
    assert.equal(final.id, 'resp_req123');
    assert.equal(final.status, 'completed');
    assert.equal(final.output_text, 'Hello, world');
    assert.deepEqual(
      final.output.map((o) => o.type),
      ['reasoning', 'message', 'function_call', 'function_call'],
    );
    const reasoning = final.output[0]!;
    assert.ok(reasoning.type === 'reasoning');
    assert.equal(reasoning.summary[0]?.text, 'Let me think.');
    const call = final.output[2]!;
    assert.ok(call.type === 'function_call');
    assert.equal(call.call_id, 'tooluse_abc');
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris' });
    const call2 = final.output[3]!;
    assert.ok(call2.type === 'function_call');
    assert.deepEqual(JSON.parse(call2.arguments), { a: [1, 2] });
    assert.equal(final.usage?.input_tokens, 100);
    assert.equal(final.usage?.output_tokens, 20);
    assert.equal(final.usage?.total_tokens, 120);
  });

  test('create({stream:true}) iteration: sequence numbers rise, lifecycle events in order', async () => {
    const sse = renderStream(openAIResponsesDialect, req, textAndToolEvents('end_turn'));
    const stream = await client(sse).responses.create({ ...params, stream: true });
    const types: string[] = [];
    let lastSeq = -1;
    for await (const ev of stream) {
      assert.ok(ev.sequence_number > lastSeq);
      lastSeq = ev.sequence_number;
      types.push(ev.type);
    }
    assert.equal(types[0], 'response.created');
    assert.equal(types[1], 'response.in_progress');
    assert.equal(types.at(-1), 'response.completed');
    for (const t of [
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.reasoning_summary_text.delta',
    ]) {
      assert.ok(types.includes(t), t);
    }
  });

  test('max tokens → response.incomplete with reason max_output_tokens', async () => {
    const events: NeutralEvent[] = [
      { type: 'text_delta', text: 'partial' },
      { type: 'end', stopReason: 'max_tokens', usage: usage() },
    ];
    const sse = renderStream(openAIResponsesDialect, req, events);
    assert.match(sse, /event: response\.incomplete\n/);
    const final = await client(sse).responses.stream(params).finalResponse();
    assert.equal(final.status, 'incomplete');
    assert.equal(final.incomplete_details?.reason, 'max_output_tokens');
    assert.equal(final.output_text, 'partial');
  });

  test('an error after streaming started: response.failed then error; the SDK throws', async () => {
    const sse = renderStream(openAIResponsesDialect, req, [{ type: 'text_delta', text: 'par' }], new ProxyError('upstream', 'Kiro stream broke'));
    assert.match(
      sse,
      /event: response\.failed\n[\s\S]*event: error\ndata: \{"type":"error","sequence_number":\d+,"code":"server_error","message":"Kiro stream broke","param":null\}\n\n$/,
    );
    await assert.rejects(
      client(sse).responses.stream(params).finalResponse(),
      (err: unknown) => err instanceof OpenAI.APIError && /Kiro stream broke/.test(err.message),
    );
  });
});

describe('openai-responses non-stream result and errors', () => {
  test('renderResult through the SDK', async () => {
    const body = openAIResponsesDialect.renderResult(req, collectResult(textAndToolEvents()), meta);
    const r = await client(JSON.stringify(body), { contentType: 'application/json' }).responses.create(params);
    assert.equal(r.object, 'response');
    assert.equal(r.status, 'completed');
    assert.equal(r.output_text, 'Hello, world');
    assert.deepEqual(
      r.output.map((o) => o.type),
      ['reasoning', 'message', 'function_call', 'function_call'],
    );
    const call = r.output[2]!;
    assert.ok(call.type === 'function_call');
    assert.equal(call.status, 'completed');
    assert.match(call.id ?? '', /^fc_/);
    assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris' });
    assert.equal(r.usage?.input_tokens_details.cached_tokens, 0);
    assert.equal(r.usage?.output_tokens_details.reasoning_tokens, 0);
    assert.equal(r.reasoning?.effort, 'high');
  });

  test('incomplete result; errors in the OpenAI shape', async () => {
    const body = openAIResponsesDialect.renderResult(req, { content: [{ type: 'text', text: 'cut' }], stopReason: 'max_tokens', usage: usage() }, meta) as {
      status: string;
      incomplete_details: unknown;
    };
    assert.equal(body.status, 'incomplete');
    assert.deepEqual(body.incomplete_details, { reason: 'max_output_tokens' });
    const err = rejects(() => parse({ model: 'm', input: 'x', previous_response_id: 'resp_1' }), {});
    const r = openAIResponsesDialect.renderError(err);
    assert.equal(r.status, 400);
    await assert.rejects(
      client(JSON.stringify(r.body), { status: 400, contentType: 'application/json' }).responses.create({ ...params, previous_response_id: 'resp_1' }),
      (e: unknown) => {
        assert.ok(e instanceof OpenAI.BadRequestError);
        assert.equal(e.param, 'previous_response_id');
        assert.match(e.message, /stateless/);
        return true;
      },
    );
  });
});
