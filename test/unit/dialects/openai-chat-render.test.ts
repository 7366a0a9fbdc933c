import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { openAIChatDialect } from '../../../src/core/dialects/openai-chat/index.ts';
import { collectResult } from '../../../src/core/dialects/collect.ts';
import { ProxyError } from '../../../src/core/errors.ts';
import type { NeutralEvent } from '../../../src/core/conversation/types.ts';
import { ctx, fakeFetch, meta, renderStream, textAndToolEvents, usage } from './helpers.ts';

const params = { model: 'claude-sonnet-4-5', messages: [{ role: 'user' as const, content: 'hi' }] };
const reqWithUsage = openAIChatDialect.parseRequest({ ...params, stream: true, stream_options: { include_usage: true } }, ctx());
const reqNoUsage = openAIChatDialect.parseRequest({ ...params, stream: true }, ctx());

function client(body: string, init: { status?: number; contentType?: string } = {}) {
  return new OpenAI({ apiKey: 'x', baseURL: 'http://proxy.test/v1', fetch: fakeFetch(body, init), maxRetries: 0 });
}

describe('openai-chat stream, parsed by the openai SDK', () => {
  test('iterating create({stream:true}) rebuilds text, reasoning, tool calls, finish_reason and usage', async () => {
    const sse = renderStream(openAIChatDialect, reqWithUsage, textAndToolEvents());
    assert.match(sse, /data: \[DONE\]\n\n$/);
    const stream = await client(sse).chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let reasoning = '';
    let finish: string | null = null;
    let usageSeen: OpenAI.CompletionUsage | null | undefined;
    let roleSeen = false;
    const calls = new Map<number, { id?: string; name?: string; args: string }>();
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      assert.equal(chunk.id, 'chatcmpl-req123');
      if (chunk.usage) usageSeen = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      if (choice.delta.role === 'assistant') roleSeen = true;
      text += choice.delta.content ?? '';
      reasoning += (choice.delta as { reasoning_content?: string }).reasoning_content ?? '';
      for (const tc of choice.delta.tool_calls ?? []) {
        const c = calls.get(tc.index) ?? { args: '' };
        if (tc.id) c.id = tc.id;
        if (tc.function?.name) c.name = tc.function.name;
        c.args += tc.function?.arguments ?? '';
        calls.set(tc.index, c);
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    assert.ok(roleSeen);
    assert.equal(text, 'Hello, world');
    assert.equal(reasoning, 'Let me think.');
    assert.equal(finish, 'tool_calls');
    assert.deepEqual([...calls.keys()], [0, 1]);
    assert.equal(calls.get(0)!.id, 'tooluse_abc');
    assert.equal(calls.get(0)!.name, 'get_weather');
    assert.deepEqual(JSON.parse(calls.get(0)!.args), { city: 'Paris' });
    assert.deepEqual(JSON.parse(calls.get(1)!.args), { a: [1, 2] });
    assert.equal(usageSeen?.prompt_tokens, 100);
    assert.equal(usageSeen?.completion_tokens, 20);
    assert.equal(usageSeen?.total_tokens, 120);
  });

  test('the SDK stream helper finalChatCompletion() accumulates our chunks', async () => {
    const sse = renderStream(openAIChatDialect, reqNoUsage, textAndToolEvents());
    const final = await client(sse)
      .chat.completions.stream({ ...params, stream: true })
      .finalChatCompletion();
    const message = final.choices[0]!.message;
    assert.equal(message.content, 'Hello, world');
    assert.equal(final.choices[0]!.finish_reason, 'tool_calls');
    const calls = message.tool_calls ?? [];
    assert.equal(calls.length, 2);
    const first = calls[0]!;
    assert.ok(first.type === 'function');
    assert.equal(first.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(first.function.arguments), { city: 'Paris' });
  });

  test('no usage chunk unless include_usage; length finish reason', async () => {
    const events: NeutralEvent[] = [
      { type: 'text_delta', text: 'cut' },
      { type: 'end', stopReason: 'max_tokens', usage: usage() },
    ];
    const sse = renderStream(openAIChatDialect, reqNoUsage, events);
    assert.ok(!sse.includes('"usage"'));
    const stream = await client(sse).chat.completions.create({ ...params, stream: true });
    const finishes: (string | null)[] = [];
    for await (const chunk of stream) finishes.push(chunk.choices[0]?.finish_reason ?? null);
    assert.equal(finishes.at(-1), 'length');
  });

  test('an error after streaming started: data {error} then [DONE]; the SDK throws', async () => {
    const sse = renderStream(
      openAIChatDialect,
      reqNoUsage,
      [{ type: 'text_delta', text: 'par' }],
      new ProxyError('rate_limit', 'all accounts are cooling down'),
    );
    assert.match(
      sse,
      /data: \{"error":\{"message":"all accounts are cooling down","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"\}\}\n\ndata: \[DONE\]\n\n$/,
    );
    const stream = await client(sse).chat.completions.create({ ...params, stream: true });
    await assert.rejects(
      (async () => {
        for await (const _ of stream) void _;
      })(),
      (err: unknown) => err instanceof OpenAI.APIError && /cooling down/.test(err.message),
    );
  });
});

describe('openai-chat non-stream result and errors', () => {
  test('renderResult through the SDK', async () => {
    const body = openAIChatDialect.renderResult(reqNoUsage, collectResult(textAndToolEvents()), meta);
    const c = await client(JSON.stringify(body), { contentType: 'application/json' }).chat.completions.create(params);
    assert.equal(c.object, 'chat.completion');
    assert.equal(c.model, 'claude-sonnet-4-5');
    assert.equal(c.created, meta.created);
    const choice = c.choices[0]!;
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, 'Hello, world');
    assert.equal((choice.message as unknown as { reasoning_content: string }).reasoning_content, 'Let me think.');
    const call = choice.message.tool_calls?.[0];
    assert.ok(call?.type === 'function');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
    assert.deepEqual(c.usage && [c.usage.prompt_tokens, c.usage.completion_tokens, c.usage.total_tokens], [100, 20, 120]);
  });

  test('tool-only answer has content null; stop reasons map to finish_reason', () => {
    const events: NeutralEvent[] = [
      { type: 'tool_call_start', index: 0, id: 'c1', name: 'f' },
      { type: 'tool_call_end', index: 0, input: {} },
      { type: 'end', stopReason: 'tool_use', usage: usage() },
    ];
    const body = openAIChatDialect.renderResult(reqNoUsage, collectResult(events), meta) as {
      choices: { message: { content: unknown }; finish_reason: string }[];
    };
    assert.equal(body.choices[0]!.message.content, null);
    const finish = (stopReason: 'end_turn' | 'stop_sequence' | 'max_tokens' | 'context_window_exceeded') =>
      (openAIChatDialect.renderResult(reqNoUsage, { content: [], stopReason, usage: usage() }, meta) as typeof body).choices[0]!.finish_reason;
    assert.equal(finish('end_turn'), 'stop');
    assert.equal(finish('stop_sequence'), 'stop');
    assert.equal(finish('max_tokens'), 'length');
    assert.equal(finish('context_window_exceeded'), 'length');
  });

  test('error shapes, statuses and SDK error classes', async () => {
    const cases: [ProxyError, number, string][] = [
      [new ProxyError('invalid_request', 'bad', { param: 'n', code: 'n_unsupported' }), 400, 'invalid_request_error'],
      [new ProxyError('authentication', 'no key'), 401, 'authentication_error'],
      [new ProxyError('permission', 'no'), 403, 'permission_error'],
      [new ProxyError('not_found', 'nope'), 404, 'not_found_error'],
      [new ProxyError('rate_limit', 'slow', { retryAfterSeconds: 3 }), 429, 'rate_limit_error'],
      [new ProxyError('upstream', 'boom'), 502, 'server_error'],
      [new ProxyError('internal', 'oops'), 500, 'server_error'],
    ];
    for (const [err, status, type] of cases) {
      const r = openAIChatDialect.renderError(err);
      assert.equal(r.status, status);
      const e = (r.body as { error: { message: string; type: string; param: unknown; code: unknown } }).error;
      assert.equal(e.type, type);
      assert.equal(e.message, err.message);
      assert.ok('param' in e && 'code' in e);
    }
    const first = openAIChatDialect.renderError(cases[0]![0]);
    assert.deepEqual(first.body, { error: { message: 'bad', type: 'invalid_request_error', param: 'n', code: 'n_unsupported' } });
    assert.deepEqual(openAIChatDialect.renderError(cases[4]![0]).headers, { 'retry-after': '3' });
    await assert.rejects(
      client(JSON.stringify(first.body), { status: 400, contentType: 'application/json' }).chat.completions.create(params),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.BadRequestError);
        assert.equal(err.param, 'n');
        assert.equal(err.code, 'n_unsupported');
        return true;
      },
    );
  });
});
