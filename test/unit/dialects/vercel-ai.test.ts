// The Vercel AI SDK is the third common client family; its providers parse our streams with
// their own (stricter, zod-validated) schemas.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { streamText, generateText } from 'ai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createAnthropic } from '@ai-sdk/anthropic';
import { anthropicDialect } from '../../../src/core/dialects/anthropic/index.ts';
import { openAIChatDialect } from '../../../src/core/dialects/openai-chat/index.ts';
import { collectResult } from '../../../src/core/dialects/collect.ts';
import { ctx, fakeFetch, meta, renderStream, textAndToolEvents } from './helpers.ts';

async function drain(result: ReturnType<typeof streamText>) {
  const text = await result.text;
  const toolCalls = await result.toolCalls;
  const finishReason = await result.finishReason;
  const usage = await result.usage;
  const reasoning = await result.reasoningText;
  return { text, toolCalls, finishReason, usage, reasoning };
}

describe('Vercel AI SDK', () => {
  test('@ai-sdk/openai-compatible streams our chat chunks', async () => {
    const req = openAIChatDialect.parseRequest(
      { model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] },
      ctx(),
    );
    const sse = renderStream(openAIChatDialect, req, textAndToolEvents());
    const provider = createOpenAICompatible({ name: 'kiro', baseURL: 'http://proxy.test/v1', apiKey: 'x', includeUsage: true, fetch: fakeFetch(sse) });
    const r = await drain(streamText({ model: provider('claude-sonnet-4-5'), prompt: 'hi' }));
    assert.equal(r.text, 'Hello, world');
    assert.equal(r.reasoning, 'Let me think.');
    assert.equal(r.finishReason, 'tool-calls');
    assert.deepEqual(
      r.toolCalls.map((c) => [c.toolName, c.input]),
      [
        ['get_weather', { city: 'Paris' }],
        ['noop', { a: [1, 2] }],
      ],
    );
    assert.equal(r.usage.inputTokens, 100);
    assert.equal(r.usage.outputTokens, 20);
  });

  test('@ai-sdk/anthropic streams our messages events and reads a non-streamed message', async () => {
    const req = anthropicDialect.parseRequest({ model: 'm', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }, ctx());
    const sse = renderStream(anthropicDialect, req, textAndToolEvents());
    const provider = createAnthropic({ baseURL: 'http://proxy.test/v1', apiKey: 'x', fetch: fakeFetch(sse) });
    const r = await drain(streamText({ model: provider('claude-sonnet-4-5'), prompt: 'hi' }));
    assert.equal(r.text, 'Hello, world');
    assert.equal(r.reasoning, 'Let me think.');
    assert.equal(r.finishReason, 'tool-calls');
    assert.deepEqual(
      r.toolCalls.map((c) => [c.toolName, c.input]),
      [
        ['get_weather', { city: 'Paris' }],
        ['noop', { a: [1, 2] }],
      ],
    );
    assert.equal(r.usage.inputTokens, 100);

    const body = JSON.stringify(anthropicDialect.renderResult(req, collectResult(textAndToolEvents('end_turn')), meta));
    const once = createAnthropic({ baseURL: 'http://proxy.test/v1', apiKey: 'x', fetch: fakeFetch(body, { contentType: 'application/json' }) });
    const g = await generateText({ model: once('claude-sonnet-4-5'), prompt: 'hi' });
    assert.equal(g.text, 'Hello, world');
    assert.equal(g.finishReason, 'stop');
  });
});
