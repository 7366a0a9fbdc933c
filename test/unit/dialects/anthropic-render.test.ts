import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { anthropicDialect, renderCountTokens } from '../../../src/core/dialects/anthropic/index.ts';
import { collectResult } from '../../../src/core/dialects/collect.ts';
import { ProxyError } from '../../../src/core/errors.ts';
import type { NeutralEvent } from '../../../src/core/conversation/types.ts';
import { ctx, fakeFetch, meta, renderStream, textAndToolEvents, usage } from './helpers.ts';

const req = anthropicDialect.parseRequest({ model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] }, ctx());

function client(body: string, init: { status?: number; contentType?: string } = {}) {
  return new Anthropic({ apiKey: 'x', baseURL: 'http://proxy.test', fetch: fakeFetch(body, init), maxRetries: 0 });
}

const params = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };

describe('anthropic stream, parsed by @anthropic-ai/sdk', () => {
  test('thinking + text + two tool calls (one without streamed JSON) → finalMessage', async () => {
    const sse = renderStream(anthropicDialect, req, textAndToolEvents());
    const stream = client(sse).messages.stream(params);
    const texts: string[] = [];
    stream.on('text', (t) => texts.push(t));
    const msg = await stream.finalMessage();
    assert.equal(texts.join(''), 'Hello, world');
    assert.equal(msg.id, 'msg_req123');
    assert.equal(msg.model, 'claude-sonnet-4-5');
    assert.equal(msg.stop_reason, 'tool_use');
    assert.deepEqual(
      msg.content.map((b) => b.type),
      ['thinking', 'text', 'tool_use', 'tool_use'],
    );
    const [thinking, , tool1, tool2] = msg.content;
    assert.ok(thinking?.type === 'thinking' && thinking.thinking === 'Let me think.' && thinking.signature === 'sig-1');
    assert.ok(tool1?.type === 'tool_use');
    assert.deepEqual(tool1.input, { city: 'Paris' });
    assert.equal(tool1.id, 'tooluse_abc');
    assert.ok(tool2?.type === 'tool_use');
    assert.deepEqual(tool2.input, { a: [1, 2] });
    assert.equal(msg.usage.input_tokens, 100);
    assert.equal(msg.usage.output_tokens, 20);
  });

  test('message_start reports the estimated input tokens; a ping follows', () => {
    const enc = anthropicDialect.createStreamEncoder(req, meta);
    const start = enc.start();
    assert.match(start, /^event: message_start\ndata: .*"input_tokens":42/);
    assert.match(start, /event: ping\ndata: \{"type":"ping"\}\n\n$/);
    assert.match(enc.keepAlive(), /^event: ping/);
  });

  test('stop_sequence and context overflow stop reasons', async () => {
    const events: NeutralEvent[] = [
      { type: 'text_delta', text: 'abc' },
      { type: 'end', stopReason: 'stop_sequence', stopSequence: 'END', usage: usage() },
    ];
    const msg = await client(renderStream(anthropicDialect, req, events))
      .messages.stream(params)
      .finalMessage();
    assert.equal(msg.stop_reason, 'stop_sequence');
    assert.equal(msg.stop_sequence, 'END');
    const over = await client(renderStream(anthropicDialect, req, [{ type: 'end', stopReason: 'context_window_exceeded', usage: usage() }]))
      .messages.stream(params)
      .finalMessage();
    assert.equal(over.stop_reason, 'model_context_window_exceeded');
  });

  test('an error after the stream started surfaces as an SDK APIError', async () => {
    const sse = renderStream(anthropicDialect, req, [{ type: 'text_delta', text: 'partial' }], new ProxyError('overloaded', 'Kiro is overloaded'));
    assert.match(sse, /event: error\ndata: \{"type":"error","error":\{"type":"overloaded_error","message":"Kiro is overloaded"\}\}\n\n$/);
    await assert.rejects(client(sse).messages.stream(params).finalMessage(), (err: unknown) => {
      assert.ok(err instanceof Anthropic.APIError);
      assert.match(String(err.message), /Kiro is overloaded/);
      return true;
    });
  });

  test('events after end are ignored', () => {
    const enc = anthropicDialect.createStreamEncoder(req, meta);
    enc.start();
    enc.event({ type: 'end', stopReason: 'end_turn', usage: usage() });
    assert.equal(enc.event({ type: 'text_delta', text: 'late' }), '');
  });
});

describe('anthropic non-stream result and errors', () => {
  test('renderResult is a Message the SDK returns as-is', async () => {
    const result = collectResult(textAndToolEvents());
    const body = anthropicDialect.renderResult(req, result, meta);
    const msg = await client(JSON.stringify(body), { contentType: 'application/json' }).messages.create(params);
    assert.equal(msg.type, 'message');
    assert.equal(msg.role, 'assistant');
    assert.equal(msg.stop_reason, 'tool_use');
    assert.equal(msg.stop_sequence, null);
    assert.deepEqual(msg.content[0], { type: 'thinking', thinking: 'Let me think.', signature: 'sig-1' });
    assert.deepEqual(msg.content[1], { type: 'text', text: 'Hello, world' });
    assert.deepEqual(msg.content[2], { type: 'tool_use', id: 'tooluse_abc', name: 'get_weather', input: { city: 'Paris' } });
    assert.deepEqual(msg.usage, { input_tokens: 100, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });

  test('error shapes and statuses', async () => {
    const cases: [ProxyError, number, string][] = [
      [new ProxyError('invalid_request', 'bad'), 400, 'invalid_request_error'],
      [new ProxyError('authentication', 'no key'), 401, 'authentication_error'],
      [new ProxyError('permission', 'no'), 403, 'permission_error'],
      [new ProxyError('not_found', 'nope'), 404, 'not_found_error'],
      [new ProxyError('request_too_large', 'big'), 413, 'request_too_large'],
      [new ProxyError('rate_limit', 'slow down', { retryAfterSeconds: 12 }), 429, 'rate_limit_error'],
      [new ProxyError('overloaded', 'busy'), 529, 'overloaded_error'],
      [new ProxyError('upstream', 'boom'), 502, 'api_error'],
      [new ProxyError('internal', 'oops'), 500, 'api_error'],
    ];
    for (const [err, status, type] of cases) {
      const r = anthropicDialect.renderError(err);
      assert.equal(r.status, status);
      assert.deepEqual(r.body, { type: 'error', error: { type, message: err.message } });
    }
    assert.deepEqual(anthropicDialect.renderError(cases[5]![0]).headers, { 'retry-after': '12' });
    const r = anthropicDialect.renderError(new ProxyError('invalid_request', 'messages.0: bad'));
    await assert.rejects(client(JSON.stringify(r.body), { status: r.status, contentType: 'application/json' }).messages.create(params), (err: unknown) => {
      assert.ok(err instanceof Anthropic.BadRequestError);
      assert.match(err.message, /messages\.0: bad/);
      return true;
    });
  });

  test('count tokens answer', () => {
    assert.deepEqual(renderCountTokens(1234), { input_tokens: 1234 });
  });
});
