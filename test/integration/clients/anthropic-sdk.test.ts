// The official `@anthropic-ai/sdk` against the real server (mock upstream): messages, streams
// parsed by the SDK's own parser, tools, thinking, count_tokens, limits, errors and auth.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startTestProxy, type TestProxy } from '../../helpers/proxy.ts';
import { DEFAULT_MOCK_MODELS } from '../../../src/core/kiro-mock/index.ts';

let h: TestProxy;
let client: Anthropic;

const writeTool: Anthropic.Tool = {
  name: 'Write',
  description: 'Write a file',
  input_schema: {
    type: 'object',
    properties: { file_path: { type: 'string' }, content: { type: 'string' } },
    required: ['file_path', 'content'],
  },
};

function textOf(m: Anthropic.Message): string {
  return m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
}

before(async () => {
  h = await startTestProxy();
  client = new Anthropic({ baseURL: h.url, apiKey: 'any', maxRetries: 0, timeout: 15_000 });
});
after(async () => {
  await h?.close();
});

describe('anthropic messages', () => {
  test('messages.create non-stream (a Claude Code model name, the very first request)', async () => {
    const m = await client.messages.create({
      model: 'claude-opus-4-8',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Hi [[mock:text Hello from Kiro]]' }],
    });
    assert.equal(m.type, 'message');
    assert.equal(m.role, 'assistant');
    // The model that served (the account has no 4.8: the nearest opus), never the name asked for.
    assert.match(m.model, /^claude-opus-4\.\d$/);
    assert.equal(textOf(m), 'Hello from Kiro');
    assert.equal(m.stop_reason, 'end_turn');
    assert.ok(m.usage.input_tokens > 0 && m.usage.output_tokens > 0);
    const entry = (await h.waitForLogs((e) => e.route === '/v1/messages' && e.modelRequested === 'claude-opus-4-8'))[0]!;
    assert.equal(entry.status, 200);
    // Resolved against the account's ListAvailableModels answer, not the static catalogue.
    assert.ok(
      DEFAULT_MOCK_MODELS.some((mm) => mm.modelId === entry.modelSent),
      `sent ${entry.modelSent}`,
    );
    assert.match(entry.modelSent ?? '', /^claude-opus-/);
    assert.equal(m.model, entry.modelSent);
  });

  test('messages.stream().finalMessage() with the SDK stream parser', async () => {
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-6',
      max_tokens: 1024,
      messages: [{ role: 'user', content: '[[mock:text one two three four five]]' }],
    });
    let deltas = '';
    stream.on('text', (t) => (deltas += t));
    const final = await stream.finalMessage();
    assert.equal(textOf(final), 'one two three four five');
    assert.equal(deltas, 'one two three four five');
    assert.equal(final.stop_reason, 'end_turn');
    assert.ok(final.usage.output_tokens > 0);
  });

  test('tool_use round trip with tool_result (string content, Claude Code style)', async () => {
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Write it. [[mock:tool Write {"file_path":"/tmp/x.txt","content":"hi"}]]' }];
    const first = await client.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 1024, tools: [writeTool], messages }).finalMessage();
    assert.equal(first.stop_reason, 'tool_use');
    const use = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    assert.ok(use, JSON.stringify(first.content));
    assert.equal(use.name, 'Write');
    assert.deepEqual(use.input, { file_path: '/tmp/x.txt', content: 'hi' });

    messages.push({ role: 'assistant', content: first.content as Anthropic.ContentBlockParam[] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'File created successfully at: /tmp/x.txt' }] });
    const second = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 1024, tools: [writeTool], messages });
    assert.equal(second.stop_reason, 'end_turn');
    assert.ok(textOf(second).length > 0);
  });

  test('thinking adaptive: [[mock:reasoning]] → a thinking block with a signature, then text', async () => {
    const m = await client.messages
      .stream({
        model: 'claude-opus-4-8',
        max_tokens: 64000,
        thinking: { type: 'adaptive' } as unknown as Anthropic.ThinkingConfigParam,
        messages: [{ role: 'user', content: '[[mock:reasoning I am reasoning natively.]] [[mock:text Done.]]' }],
      })
      .finalMessage();
    const thinking = m.content.find((b): b is Anthropic.ThinkingBlock => b.type === 'thinking');
    assert.ok(thinking, JSON.stringify(m.content));
    assert.equal(thinking.thinking, 'I am reasoning natively.');
    assert.equal(typeof thinking.signature, 'string');
    assert.equal(m.content[0]!.type, 'thinking');
    assert.equal(textOf(m), 'Done.');
  });

  test('thinking enabled: [[mock:thinking-tags]] → a thinking block, the tags never leak into text', async () => {
    const m = await client.messages.create({
      model: 'claude-haiku-4-5-20251001',
      max_tokens: 32000,
      thinking: { type: 'enabled', budget_tokens: 31999 },
      messages: [{ role: 'user', content: '[[mock:thinking-tags Considering options.]] [[mock:text The answer is 42.]]' }],
    });
    const thinking = m.content.find((b): b is Anthropic.ThinkingBlock => b.type === 'thinking');
    assert.ok(thinking, JSON.stringify(m.content));
    assert.equal(thinking.thinking.trim(), 'Considering options.');
    assert.equal(textOf(m), 'The answer is 42.');
    assert.doesNotMatch(textOf(m), /thinking>/);
  });

  test('the thinking block goes back in history with the next turn', async () => {
    const first = await client.messages.create({
      model: 'claude-opus-4-8',
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      tools: [writeTool],
      messages: [{ role: 'user', content: '[[mock:reasoning plan]] [[mock:tool Write {"file_path":"/tmp/a","content":"b"}]]' }],
    });
    const use = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
    const second = await client.messages.create({
      model: 'claude-opus-4-8',
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      tools: [writeTool],
      messages: [
        { role: 'user', content: '[[mock:reasoning plan]] [[mock:tool Write {"file_path":"/tmp/a","content":"b"}]]' },
        { role: 'assistant', content: first.content as Anthropic.ContentBlockParam[] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'ok' }] },
      ],
    });
    assert.equal(second.stop_reason, 'end_turn');
  });

  test('system as blocks with the billing header, cache_control; role:system inside messages', async () => {
    const m = await client.messages.create({
      model: 'claude-sonnet-5',
      max_tokens: 1024,
      system: [
        { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.197; cc_entrypoint=sdk-cli; cch=00000;' },
        { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." },
        { type: 'text', text: 'Main prompt.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hello [[mock:text system ok]]', cache_control: { type: 'ephemeral' } }] },
        { role: 'system', content: 'A mid-conversation system reminder.' } as unknown as Anthropic.MessageParam,
      ],
    });
    assert.equal(textOf(m), 'system ok');
  });

  test('count_tokens equals the input_tokens the following request reports in message_start', async () => {
    const params = {
      model: 'claude-sonnet-4-6',
      system: 'You are a helpful assistant with a fairly long system prompt to count.',
      tools: [writeTool],
      messages: [{ role: 'user' as const, content: 'Count me please, these are some words. [[mock:text counted]]' }],
    };
    const counted = await client.messages.countTokens(params);
    assert.ok(counted.input_tokens > 10);
    let startInput: number | undefined;
    const stream = client.messages.stream({ ...params, max_tokens: 1024 });
    stream.on('streamEvent', (ev) => {
      if (ev.type === 'message_start') startInput = ev.message.usage.input_tokens;
    });
    await stream.finalMessage();
    assert.equal(startInput, counted.input_tokens);
  });

  test('stop_sequences: generation stops at the sequence, stop_reason stop_sequence', async () => {
    const m = await client.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 1024,
      stop_sequences: ['STOP'],
      messages: [{ role: 'user', content: '[[mock:text alpha beta STOP gamma delta]]' }],
    });
    assert.equal(m.stop_reason, 'stop_sequence');
    assert.equal(m.stop_sequence, 'STOP');
    assert.equal(textOf(m).trim(), 'alpha beta');
  });

  test('max_tokens cut: stop_reason max_tokens, output bounded (stream)', async () => {
    const long = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
    const m = await client.messages
      .stream({ model: 'claude-sonnet-4-6', max_tokens: 5, messages: [{ role: 'user', content: `[[mock:text ${long}]]` }] })
      .finalMessage();
    assert.equal(m.stop_reason, 'max_tokens');
    assert.ok(m.usage.output_tokens <= 5, `output_tokens ${m.usage.output_tokens}`);
    assert.ok(textOf(m).length > 0 && textOf(m).length < long.length / 4);
  });

  test('mid-stream upstream failure ([[mock:destroy]]) → APIError from the stream; the server keeps serving', async () => {
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-6',
      max_tokens: 1024,
      messages: [{ role: 'user', content: '[[mock:text partial answer]] [[mock:destroy]]' }],
    });
    await assert.rejects(stream.finalMessage(), (err: unknown) => {
      assert.ok(err instanceof Anthropic.APIError, `${(err as Error)?.constructor?.name}: ${String(err)}`);
      return true;
    });
    const again = await client.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      messages: [{ role: 'user', content: '[[mock:text still alive]]' }],
    });
    assert.equal(textOf(again), 'still alive');
  });

  test('mid-stream exception frame → error event seen by the SDK', async () => {
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-6',
      max_tokens: 1024,
      messages: [{ role: 'user', content: '[[mock:text some text]] [[mock:error InternalServerError boom]]' }],
    });
    await assert.rejects(stream.finalMessage(), (err: unknown) => {
      assert.ok(err instanceof Anthropic.APIError, `${(err as Error)?.constructor?.name}: ${String(err)}`);
      return true;
    });
    const again = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: '[[mock:text alive]]' }] });
    assert.equal(textOf(again), 'alive');
  });

  test('non-stream upstream failure → an Anthropic-shape 5xx', async () => {
    await assert.rejects(
      client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: '[[mock:text x]] [[mock:destroy]]' }] }),
      (err: unknown) => {
        assert.ok(err instanceof Anthropic.APIError, String(err));
        assert.ok((err.status ?? 0) >= 500, String(err.status));
        assert.equal((err.error as { type?: string })?.type, 'error');
        return true;
      },
    );
  });

  test('beta query ?beta=true and an unknown anthropic-beta header are accepted', async () => {
    const m = await client.beta.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      betas: ['some-future-beta-2099-01-01', 'interleaved-thinking-2025-05-14'],
      messages: [{ role: 'user', content: '[[mock:text beta ok]]' }],
    });
    assert.equal(m.content.map((b) => (b.type === 'text' ? b.text : '')).join(''), 'beta ok');
    const entry = (await h.waitForLogs((e) => e.route === '/v1/messages' && e.status === 200)).at(-1)!;
    assert.equal(entry.route, '/v1/messages');
  });

  test('invalid request → 400 invalid_request_error in Anthropic shape', async () => {
    const bad = {
      model: 'claude-sonnet-4-6',
      max_tokens: 10,
      messages: [{ role: 'user', content: 42 }],
    } as unknown as Anthropic.MessageCreateParamsNonStreaming;
    await assert.rejects(client.messages.create(bad), (err: unknown) => {
      assert.ok(err instanceof Anthropic.BadRequestError, String(err));
      assert.equal((err.error as { error?: { type?: string } })?.error?.type, 'invalid_request_error');
      assert.match(err.message, /content/);
      return true;
    });
  });
});

describe('anthropic errors needing their own proxy', () => {
  test('upstream 429 with one account → 429 rate_limit_error with Retry-After', async () => {
    const own = await startTestProxy();
    try {
      const c = new Anthropic({ baseURL: own.url, apiKey: 'any', maxRetries: 0 });
      await assert.rejects(
        c.messages.create({
          model: 'claude-sonnet-4-6',
          max_tokens: 100,
          messages: [{ role: 'user', content: '[[mock:status 429 USER_REQUEST_RATE_EXCEEDED retry-after=3]]' }],
        }),
        (err: unknown) => {
          assert.ok(err instanceof Anthropic.RateLimitError, String(err));
          assert.equal(err.status, 429);
          const body = err.error as { type?: string; error?: { type?: string; message?: string } };
          assert.equal(body.type, 'error');
          assert.equal(body.error?.type, 'rate_limit_error');
          assert.ok(body.error?.message);
          assert.ok(Number(err.headers?.get('retry-after')) >= 1, String(err.headers?.get('retry-after')));
          return true;
        },
      );
    } finally {
      await own.close();
    }
  });

  test('--api-key: x-api-key and Authorization Bearer accepted; a wrong key → 401 in each dialect', async () => {
    const key = 'sk-test-proxy-key';
    const own = await startTestProxy({ apiKey: key });
    try {
      const viaApiKey = new Anthropic({ baseURL: own.url, apiKey: key, maxRetries: 0 });
      const viaBearer = new Anthropic({ baseURL: own.url, apiKey: null, authToken: key, maxRetries: 0 });
      const params = { model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user' as const, content: '[[mock:text authed]]' }] };
      assert.equal(textOf(await viaApiKey.messages.create(params)), 'authed');
      assert.equal(textOf(await viaBearer.messages.create(params)), 'authed');

      const wrong = new Anthropic({ baseURL: own.url, apiKey: 'wrong', maxRetries: 0 });
      await assert.rejects(wrong.messages.create(params), (err: unknown) => {
        assert.ok(err instanceof Anthropic.AuthenticationError, String(err));
        const body = err.error as { type?: string; error?: { type?: string } };
        assert.equal(body.type, 'error');
        assert.equal(body.error?.type, 'authentication_error');
        assert.equal(err.headers?.get('x-should-retry'), 'false');
        return true;
      });
      const noKey = await fetch(`${own.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
      assert.equal(noKey.status, 401);

      const openaiOk = new OpenAI({ baseURL: `${own.url}/v1`, apiKey: key, maxRetries: 0 });
      const r = await openaiOk.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: '[[mock:text openai authed]]' }] });
      assert.equal(r.choices[0]!.message.content, 'openai authed');
      const openaiWrong = new OpenAI({ baseURL: `${own.url}/v1`, apiKey: 'wrong', maxRetries: 0 });
      await assert.rejects(openaiWrong.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
        assert.ok(err instanceof OpenAI.AuthenticationError, String(err));
        const body = err.error as { message?: string; type?: string };
        assert.equal(typeof body.message, 'string');
        assert.ok(body.type);
        return true;
      });
      const health = await fetch(`${own.url}/health`);
      assert.equal(health.status, 200, '/health needs no key');
    } finally {
      await own.close();
    }
  });
});
