// The official `openai` package against the real server (mock upstream): Chat Completions and
// the Responses API, streams parsed by the SDK's own parser.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startTestProxy, type TestProxy } from '../../helpers/proxy.ts';

let h: TestProxy;
let client: OpenAI;

// 1x1 transparent PNG.
const PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const timeTool = {
  type: 'function' as const,
  function: {
    name: 'get_time',
    description: 'Current time in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

before(async () => {
  h = await startTestProxy();
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'any', maxRetries: 0, timeout: 15_000 });
});
after(async () => {
  await h?.close();
});

describe('openai chat.completions', () => {
  test('non-stream: text from the mock frames, usage, finish_reason', async () => {
    const r = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hi [[mock:text Hello from Kiro]]' }] });
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.choices.length, 1);
    assert.equal(r.choices[0]!.message.role, 'assistant');
    assert.equal(r.choices[0]!.message.content, 'Hello from Kiro');
    assert.equal(r.choices[0]!.finish_reason, 'stop');
    assert.equal(r.model, 'claude-sonnet-4', 'gpt-4o is mapped, and the answer names the model that served');
    assert.ok(r.usage && r.usage.prompt_tokens > 0 && r.usage.completion_tokens > 0);
    assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
  });

  test('default reply echoes the prompt', async () => {
    const r = await client.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'ping 123' }] });
    assert.equal(r.choices[0]!.message.content, 'Mock Kiro reply to: ping 123');
  });

  test('stream with include_usage: the SDK parser assembles the text and a final usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: '[[mock:text The quick brown fox jumps over the lazy dog]]' },
      ],
    });
    let text = '';
    let finish: string | null | undefined;
    let usageChunks = 0;
    let lastUsage: OpenAI.CompletionUsage | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      assert.equal(chunk.object, 'chat.completion.chunk');
      if (chunk.usage) {
        usageChunks++;
        lastUsage = chunk.usage;
        assert.equal(chunk.choices.length, 0, 'the usage chunk has no choices');
      }
      for (const c of chunk.choices) {
        text += c.delta.content ?? '';
        if (c.finish_reason) finish = c.finish_reason;
      }
    }
    assert.ok(chunks > 2);
    assert.equal(text, 'The quick brown fox jumps over the lazy dog');
    assert.equal(finish, 'stop');
    assert.equal(usageChunks, 1);
    assert.ok(lastUsage!.prompt_tokens > 0 && lastUsage!.completion_tokens > 0);
  });

  test('stream without include_usage has no usage chunk; the SDK helper stream().finalChatCompletion works', async () => {
    const runner = client.chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: '[[mock:text streamed helper]]' }] });
    const final = await runner.finalChatCompletion();
    assert.equal(final.choices[0]!.message.content, 'streamed helper');
  });

  test('tool round trip: the model calls a declared function, the result goes back, final text', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather? [[mock:tool get_weather {"city":"Paris"}]]' }];
    const first = await client.chat.completions.create({ model: 'gpt-4o', tools: [weatherTool], messages });
    const choice = first.choices[0]!;
    assert.equal(choice.finish_reason, 'tool_calls');
    const calls = choice.message.tool_calls ?? [];
    assert.equal(calls.length, 1);
    const call = calls[0]!;
    assert.equal(call.type, 'function');
    assert.ok(call.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
    assert.ok(call.id);

    messages.push(choice.message, { role: 'tool', tool_call_id: call.id, content: '{"temp_c":21,"sky":"clear"}' });
    messages.push({ role: 'user', content: 'Summarise. [[mock:text It is 21C and clear in Paris.]]' });
    const second = await client.chat.completions.create({ model: 'gpt-4o', tools: [weatherTool], messages });
    assert.equal(second.choices[0]!.message.content, 'It is 21C and clear in Paris.');
    assert.equal(second.choices[0]!.finish_reason, 'stop');
  });

  test('tool result as the last message (no new user text) is accepted', async () => {
    const first = await client.chat.completions.create({
      model: 'gpt-4o',
      tools: [weatherTool],
      messages: [{ role: 'user', content: '[[mock:tool get_weather {"city":"Oslo"}]]' }],
    });
    const call = first.choices[0]!.message.tool_calls![0]!;
    const second = await client.chat.completions.create({
      model: 'gpt-4o',
      tools: [weatherTool],
      messages: [
        { role: 'user', content: '[[mock:tool get_weather {"city":"Oslo"}]]' },
        first.choices[0]!.message,
        { role: 'tool', tool_call_id: call.id, content: 'snow' },
      ],
    });
    assert.equal(second.choices[0]!.finish_reason, 'stop');
    assert.ok((second.choices[0]!.message.content ?? '').length > 0);
  });

  test('parallel tool calls (stream): two calls with distinct indexes, arguments assembled by the SDK', async () => {
    const runner = client.chat.completions.stream({
      model: 'gpt-4o',
      tools: [weatherTool, timeTool],
      messages: [{ role: 'user', content: 'Both. [[mock:tool get_weather {"city":"Paris"}]] [[mock:tool get_time {"city":"Tokyo"}]]' }],
    });
    const final = await runner.finalChatCompletion();
    const calls = final.choices[0]!.message.tool_calls ?? [];
    assert.equal(final.choices[0]!.finish_reason, 'tool_calls');
    assert.deepEqual(
      calls.map((c) => (c.type === 'function' ? [c.function.name, JSON.parse(c.function.arguments)] : [])),
      [
        ['get_weather', { city: 'Paris' }],
        ['get_time', { city: 'Tokyo' }],
      ],
    );
    assert.notEqual(calls[0]!.id, calls[1]!.id);
  });

  test('image as a base64 data URL is accepted', async () => {
    const r = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this? [[mock:text A tiny image.]]' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_B64}` } },
          ],
        },
      ],
    });
    assert.equal(r.choices[0]!.message.content, 'A tiny image.');
  });

  test('an http image URL → 400 BadRequestError with a clear message', async () => {
    await assert.rejects(
      client.chat.completions.create({
        model: 'gpt-4o',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'look' },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
            ],
          },
        ],
      }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.BadRequestError, String(err));
        assert.equal(err.status, 400);
        assert.match(err.message, /image/i);
        assert.match(err.message, /url|base64|data/i);
        return true;
      },
    );
  });

  test('n=2 → 400 BadRequestError naming n', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', n: 2, messages: [{ role: 'user', content: 'hi' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError, String(err));
      assert.match(err.message, /\bn\b/);
      return true;
    });
  });

  test('upstream 429 with one account → RateLimitError with retry-after', async () => {
    // Its own proxy: the 429 puts the only account into cooldown.
    const own = await startTestProxy();
    try {
      const c = new OpenAI({ baseURL: `${own.url}/v1`, apiKey: 'any', maxRetries: 0 });
      await assert.rejects(
        c.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: '[[mock:status 429 USER_REQUEST_RATE_EXCEEDED retry-after=3]]' }] }),
        (err: unknown) => {
          assert.ok(err instanceof OpenAI.RateLimitError, String(err));
          assert.equal(err.status, 429);
          assert.ok(Number(err.headers?.get('retry-after')) >= 1);
          return true;
        },
      );
    } finally {
      await own.close();
    }
  });
});

describe('openai misc routes', () => {
  test('models.list()', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.ok(ids.length > 3, ids.join(','));
    assert.ok(ids.some((id) => id.startsWith('claude-')));
  });

  test('unknown route → 404 NotFoundError in OpenAI shape', async () => {
    await assert.rejects(client.get('/does-not-exist'), (err: unknown) => {
      assert.ok(err instanceof OpenAI.NotFoundError, String(err));
      assert.equal(err.status, 404);
      assert.equal(typeof (err.error as { message?: unknown })?.message, 'string');
      return true;
    });
  });
});

describe('openai responses', () => {
  test('responses.create non-stream', async () => {
    const r = await client.responses.create({ model: 'gpt-4o', input: 'Hello [[mock:text Hi from Responses]]', instructions: 'Be nice.' });
    assert.equal(r.object, 'response');
    assert.equal(r.status, 'completed');
    assert.equal(r.output_text, 'Hi from Responses');
    assert.ok(r.usage && r.usage.input_tokens > 0 && r.usage.output_tokens > 0);
  });

  test('responses.create stream: events in order, the SDK parser sees output_text deltas and completed', async () => {
    const stream = await client.responses.create({
      model: 'gpt-4o',
      input: [{ role: 'user', content: '[[mock:text streaming responses works]]' }],
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    let completed: OpenAI.Responses.Response | undefined;
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'response.output_text.delta') text += ev.delta;
      if (ev.type === 'response.completed') completed = ev.response;
    }
    assert.equal(types[0], 'response.created');
    assert.equal(types[types.length - 1], 'response.completed');
    assert.ok(types.includes('response.output_item.added'));
    assert.ok(types.includes('response.output_text.done'));
    assert.equal(text, 'streaming responses works');
    assert.equal(
      completed?.output_text ??
        completed?.output.map((o) => (o.type === 'message' ? o.content.map((c) => (c.type === 'output_text' ? c.text : '')).join('') : '')).join(''),
      'streaming responses works',
    );
  });

  test('responses.stream() helper finalResponse', async () => {
    const final = await client.responses.stream({ model: 'gpt-4o', input: '[[mock:text helper final]]' }).finalResponse();
    assert.equal(final.output_text, 'helper final');
  });

  test('function tool round trip with function_call_output', async () => {
    const tools: OpenAI.Responses.Tool[] = [
      {
        type: 'function',
        name: 'get_weather',
        description: 'weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
        strict: true,
      },
    ];
    const first = await client.responses.create({ model: 'gpt-4o', tools, input: 'Weather? [[mock:tool get_weather {"city":"Rome"}]]' });
    const call = first.output.find((o) => o.type === 'function_call');
    assert.ok(call && call.type === 'function_call', JSON.stringify(first.output));
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.arguments), { city: 'Rome' });
    assert.ok(call.call_id);

    const second = await client.responses.create({
      model: 'gpt-4o',
      tools,
      input: [
        { role: 'user', content: 'Weather? [[mock:tool get_weather {"city":"Rome"}]]' },
        { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: 'function_call_output', call_id: call.call_id, output: '{"temp_c":25}' },
      ],
    });
    assert.equal(second.status, 'completed');
    assert.ok(second.output_text.length > 0, JSON.stringify(second.output));
  });

  test('function call streamed: arguments deltas and done', async () => {
    const tools: OpenAI.Responses.Tool[] = [
      { type: 'function', name: 'get_time', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false },
    ];
    const final = await client.responses
      .stream({ model: 'gpt-4o', tools, input: '[[mock:tool get_time {"city":"Lima"}]] [[mock:tool get_time {"city":"Quito"}]]' })
      .finalResponse();
    const calls = final.output.filter((o) => o.type === 'function_call');
    assert.deepEqual(
      calls.map((c) => (c.type === 'function_call' ? JSON.parse(c.arguments) : null)),
      [{ city: 'Lima' }, { city: 'Quito' }],
    );
  });

  test('previous_response_id → 400 BadRequestError', async () => {
    await assert.rejects(client.responses.create({ model: 'gpt-4o', input: 'hi', previous_response_id: 'resp_123' }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError, String(err));
      assert.match(err.message, /previous_response_id/);
      return true;
    });
  });
});
