// Kiro may interleave the toolUseEvents of two calls (A start, B start, A input, B input…). The
// stream assembler serialises them so every dialect writes sequential blocks; here the mock sends
// exactly that through the real server and the official SDKs parse the result.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startProxyWithMock, readSse, type ProxyWithMock } from '../../helpers/proxy.ts';
import type { MockStep } from '../../../src/core/kiro-mock/index.ts';
import { createStreamAssembler } from '../../../src/core/conversation/from-kiro/stream-assembler.ts';
import { buildToolNameMap } from '../../../src/core/conversation/tool-names.ts';
import type { KiroEvent } from '../../../src/core/kiro/kiro-event.ts';
import type { NeutralEvent } from '../../../src/core/conversation/types.ts';

const ev = (toolUseId: string, name: string, input?: string, stop?: boolean) => ({
  type: 'event' as const,
  eventType: 'toolUseEvent',
  payload: { toolUseId, name, ...(input !== undefined ? { input } : {}), ...(stop ? { stop: true } : {}) },
});

/** A: {"city":"Paris"}, B: {"city":"Tokyo"}, fragments interleaved, B stops first. */
const interleaved = (): MockStep => ({
  kind: 'stream',
  parts: [
    { type: 'text', text: 'Checking both.' },
    ev('tooluse_A', 'get_weather'),
    ev('tooluse_B', 'get_time'),
    ev('tooluse_A', 'get_weather', '{"city":'),
    ev('tooluse_B', 'get_time', '{"city":"Tok'),
    ev('tooluse_B', 'get_time', 'yo"}'),
    ev('tooluse_B', 'get_time', undefined, true),
    ev('tooluse_A', 'get_weather', '"Paris"}'),
    ev('tooluse_A', 'get_weather', undefined, true),
  ],
});

let h: ProxyWithMock;
before(async () => {
  h = await startProxyWithMock();
});
after(async () => {
  await h?.close();
});

const anthropicTools: Anthropic.Tool[] = [
  { name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
  { name: 'get_time', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
];

describe('interleaved Kiro tool calls', () => {
  test('assembler: start/deltas/end of one call finish before the next starts', () => {
    const a = createStreamAssembler({
      toolNames: buildToolNameMap(['get_weather', 'get_time']),
      thinkingTags: false,
      estimatedInputTokens: 10,
      contextWindow: 200_000,
    });
    const t = (id: string, name: string, input?: string, stop?: boolean): KiroEvent => ({
      type: 'toolUse',
      toolUseId: id,
      name,
      ...(input !== undefined ? { input } : {}),
      ...(stop ? { stop: true } : {}),
    });
    const out: NeutralEvent[] = [
      ...a.push(t('A', 'get_weather')),
      ...a.push(t('B', 'get_time')),
      ...a.push(t('C', 'get_time', '{"city":"Lima"}', true)),
      ...a.push(t('A', 'get_weather', '{"city":')),
      ...a.push(t('B', 'get_time', '{"city":"Tokyo"}')),
      ...a.push(t('A', 'get_weather', '"Paris"}', true)),
      ...a.push(t('B', 'get_time', undefined, true)),
      ...a.push(t('C', 'get_time', '{"dup":1}', true)),
      ...a.finish(),
    ];
    const seq = out.filter((e) => e.type.startsWith('tool_call')).map((e) => `${e.type.replace('tool_call_', '')}:${'index' in e ? e.index : ''}`);
    assert.deepEqual(seq, ['start:0', 'delta:0', 'delta:0', 'end:0', 'start:1', 'delta:1', 'end:1', 'start:2', 'delta:2', 'end:2']);
    const starts = out.filter((e): e is Extract<NeutralEvent, { type: 'tool_call_start' }> => e.type === 'tool_call_start').map((e) => e.id);
    assert.deepEqual(starts, ['A', 'B', 'C']);
    const ends = out.filter((e): e is Extract<NeutralEvent, { type: 'tool_call_end' }> => e.type === 'tool_call_end').map((e) => e.input);
    assert.deepEqual(ends, [{ city: 'Paris' }, { city: 'Tokyo' }, { city: 'Lima' }]);
    assert.equal(out.at(-1)?.type, 'end');
  });

  test('anthropic stream: sequential content blocks, both inputs intact', async () => {
    h.mock.enqueue(interleaved());
    const res = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'claude-sonnet-4-6',
        max_tokens: 1000,
        stream: true,
        tools: anthropicTools,
        messages: [{ role: 'user', content: 'both' }],
      }),
    });
    assert.equal(res.status, 200);
    const events = (await readSse(res)).filter((e) => e.event?.startsWith('content_block')).map((e) => JSON.parse(e.data) as { type: string; index: number });
    // No delta or stop for a block after another block started.
    let current = -1;
    for (const e of events) {
      if (e.type === 'content_block_start') {
        assert.equal(e.index, current + 1);
        current = e.index;
      } else assert.equal(e.index, current, `${e.type} for block ${e.index} while block ${current} is open`);
    }

    h.mock.enqueue(interleaved());
    const client = new Anthropic({ baseURL: h.url, apiKey: 'x', maxRetries: 0 });
    const msg = await client.messages
      .stream({ model: 'claude-sonnet-4-6', max_tokens: 1000, tools: anthropicTools, messages: [{ role: 'user', content: 'both' }] })
      .finalMessage();
    assert.deepEqual(
      msg.content.map((b) => (b.type === 'tool_use' ? [b.id, b.name, b.input] : [b.type])),
      [['text'], ['tooluse_A', 'get_weather', { city: 'Paris' }], ['tooluse_B', 'get_time', { city: 'Tokyo' }]],
    );
    assert.equal(msg.stop_reason, 'tool_use');
  });

  test('responses stream: one output item at a time, both function calls intact', async () => {
    h.mock.enqueue(interleaved());
    const client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const tools: OpenAI.Responses.Tool[] = [
      { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false },
      { type: 'function', name: 'get_time', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false },
    ];
    const stream = await client.responses.create({ model: 'gpt-4o', tools, input: 'both', stream: true });
    let openItem: number | undefined;
    let final: OpenAI.Responses.Response | undefined;
    for await (const e of stream) {
      if (e.type === 'response.output_item.added') {
        assert.equal(openItem, undefined, 'an item was added while another is open');
        openItem = e.output_index;
      } else if (e.type === 'response.output_item.done') {
        assert.equal(e.output_index, openItem);
        openItem = undefined;
      } else if (e.type === 'response.function_call_arguments.delta') assert.equal(e.output_index, openItem);
      if (e.type === 'response.completed') final = e.response;
    }
    const calls = final!.output.filter((o) => o.type === 'function_call');
    assert.deepEqual(
      calls.map((c) => (c.type === 'function_call' ? [c.call_id, c.name, JSON.parse(c.arguments)] : [])),
      [
        ['tooluse_A', 'get_weather', { city: 'Paris' }],
        ['tooluse_B', 'get_time', { city: 'Tokyo' }],
      ],
    );
  });

  test('chat completions stream: the SDK assembles both calls', async () => {
    h.mock.enqueue(interleaved());
    const client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const final = await client.chat.completions
      .stream({
        model: 'gpt-4o',
        tools: anthropicTools.map((t) => ({ type: 'function' as const, function: { name: t.name, parameters: t.input_schema } })),
        messages: [{ role: 'user', content: 'both' }],
      })
      .finalChatCompletion();
    const calls = final.choices[0]!.message.tool_calls ?? [];
    assert.deepEqual(
      calls.map((c) => (c.type === 'function' ? [c.id, c.function.name, JSON.parse(c.function.arguments)] : [])),
      [
        ['tooluse_A', 'get_weather', { city: 'Paris' }],
        ['tooluse_B', 'get_time', { city: 'Tokyo' }],
      ],
    );
    assert.deepEqual(h.rejected(), []);
  });
});
