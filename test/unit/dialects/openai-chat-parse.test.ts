import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { openAIChatDialect } from '../../../src/core/dialects/openai-chat/index.ts';
import { ctx, rejects } from './helpers.ts';

const parse = (body: unknown) => openAIChatDialect.parseRequest(body, ctx());
const PNG = 'data:image/png;base64,iVBORw0KGgo=';

describe('openai-chat parseRequest', () => {
  test('system and developer messages join into the system text with blank lines', () => {
    const req = parse({
      model: 'gpt-x',
      messages: [
        { role: 'system', content: 'You are terse.' },
        {
          role: 'developer',
          content: [
            { type: 'text', text: 'Dev A' },
            { type: 'text', text: 'Dev B' },
          ],
        },
        { role: 'user', content: 'hi' },
      ],
    });
    assert.equal(req.system, 'You are terse.\n\nDev A\nDev B');
    assert.deepEqual(req.messages, [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
    assert.equal(req.dialect, 'openai-chat');
    assert.equal(req.stream, false);
  });

  test('user parts: text and base64 image', () => {
    const req = parse({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this' },
            { type: 'image_url', image_url: { url: PNG, detail: 'high' } },
          ],
        },
      ],
    });
    assert.deepEqual(req.messages[0]!.content, [
      { type: 'text', text: 'what is this' },
      { type: 'image', mediaType: 'image/png', data: 'iVBORw0KGgo=' },
    ]);
  });

  test('http image URLs are refused with param messages[i].content[j].image_url', () => {
    const err = rejects(
      () =>
        parse({
          model: 'm',
          messages: [
            { role: 'user', content: 'a' },
            {
              role: 'user',
              content: [
                { type: 'text', text: 'x' },
                { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
              ],
            },
          ],
        }),
      { status: 400, param: 'messages[1].content[1].image_url', message: /http\(s\) image URLs are not supported/ },
    );
    assert.equal(err.kind, 'invalid_request');
  });

  test('assistant tool_calls (arguments parsed) and consecutive tool messages → one user turn', () => {
    const req = parse({
      model: 'm',
      messages: [
        { role: 'user', content: 'weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        {
          role: 'tool',
          tool_call_id: 'call_2',
          content: [
            { type: 'text', text: 'rain' },
            { type: 'image_url', image_url: { url: PNG } },
          ],
        },
        { role: 'user', content: 'thanks' },
      ],
    });
    assert.deepEqual(req.messages[1], {
      role: 'assistant',
      content: [
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_2', name: 'get_weather', input: {} },
      ],
    });
    assert.deepEqual(req.messages[2], {
      role: 'user',
      content: [
        { type: 'tool_result', toolUseId: 'call_1', content: 'sunny', isError: false },
        { type: 'tool_result', toolUseId: 'call_2', content: 'rain', isError: false, images: [{ mediaType: 'image/png', data: 'iVBORw0KGgo=' }] },
      ],
    });
    assert.deepEqual(req.messages[3], { role: 'user', content: [{ type: 'text', text: 'thanks' }] });
  });

  test('invalid tool-call arguments name the message index', () => {
    rejects(
      () =>
        parse({
          model: 'm',
          messages: [
            { role: 'user', content: 'x' },
            { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }] },
          ],
        }),
      {
        status: 400,
        param: 'messages[1].tool_calls[0].function.arguments',
        message: /^messages\[1\]\.tool_calls\[0\]\.function\.arguments: is not valid JSON/,
      },
    );
  });

  test('tools nested and flat; tool_choice forms', () => {
    const req = parse({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      tools: [
        { type: 'function', function: { name: 'a', description: 'A', parameters: { type: 'object', properties: { q: { type: 'string' } } }, strict: true } },
        { name: 'b', description: 'B', parameters: { type: 'object' } },
        { type: 'function', function: { name: 'c' } },
      ],
      tool_choice: { type: 'function', function: { name: 'a' } },
      parallel_tool_calls: false,
    });
    assert.deepEqual(
      req.tools.map((t) => [t.name, t.description]),
      [
        ['a', 'A'],
        ['b', 'B'],
        ['c', ''],
      ],
    );
    assert.deepEqual(req.tools[2]!.inputSchema, { type: 'object', properties: {} });
    assert.deepEqual(req.toolChoice, { type: 'tool', name: 'a' });
    const choice = (tool_choice: unknown) => parse({ model: 'm', messages: [{ role: 'user', content: 'x' }], tool_choice }).toolChoice;
    assert.deepEqual(choice('auto'), { type: 'auto' });
    assert.deepEqual(choice('none'), { type: 'none' });
    assert.deepEqual(choice('required'), { type: 'any' });
    assert.equal(choice(undefined), undefined);
    const custom = parse({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'custom', custom: { name: 'x' } }] });
    assert.deepEqual([custom.tools, custom.ignoredTools], [[], ['x (custom)']]);
  });

  test('n > 1 refused; stop, max tokens, reasoning effort, stream options; sampling knobs ignored', () => {
    rejects(() => parse({ model: 'm', n: 2, messages: [{ role: 'user', content: 'x' }] }), { status: 400, param: 'n', code: 'n_unsupported' });
    const req = parse({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      n: 1,
      stop: 'END',
      max_tokens: 50,
      max_completion_tokens: 70,
      reasoning_effort: 'medium',
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      top_p: 0.9,
      seed: 1,
      user: 'u1',
      metadata: { a: 'b' },
      prompt_cache_key: 'conv-1',
    });
    assert.deepEqual(req.stopSequences, ['END']);
    assert.equal(req.maxTokens, 70);
    assert.deepEqual(req.thinking, { type: 'adaptive', effort: 'medium' });
    assert.equal(req.stream, true);
    assert.equal(req.includeUsage, true);
    assert.equal(req.sessionId, 'conv-1');
    const r2 = parse({ model: 'm', messages: [{ role: 'user', content: 'x' }], stop: ['a', 'b'], max_tokens: 9, reasoning_effort: 'none' });
    assert.deepEqual(r2.stopSequences, ['a', 'b']);
    assert.equal(r2.maxTokens, 9);
    assert.equal(r2.thinking, undefined);
    rejects(() => parse({ model: 'm', messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'huge' }), { param: 'reasoning_effort' });
  });

  test('assistant reasoning_content echoed back becomes prior thinking', () => {
    const req = parse({
      model: 'm',
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: 'y', reasoning_content: 'because' },
      ],
    });
    assert.deepEqual(req.messages[1]!.content, [
      { type: 'thinking', text: 'because' },
      { type: 'text', text: 'y' },
    ]);
  });

  test('bad input is always a clean 400', () => {
    const bad: unknown[] = [
      null,
      [],
      'x',
      {},
      { model: 'm', messages: [] },
      { model: 'm', messages: [5] },
      { model: 'm', messages: [{ role: 'user' }] },
      { model: 'm', messages: [{ role: 'robot', content: 'x' }] },
      { model: 'm', messages: [{ role: 'function', name: 'f', content: 'x' }] },
      { model: 'm', messages: [{ role: 'tool', content: 'x' }] },
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] },
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x' } }] }] },
      { model: 'm', messages: [{ role: 'user', content: 'x' }], tool_choice: 'sometimes' },
    ];
    for (const body of bad) rejects(() => parse(body), { status: 400 });
  });
});
