import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { headerString } from '../../../src/core/kiro/frame-decoder.ts';
import { createRng } from '../../../src/core/kiro-mock/prng.ts';
import { resolveStep, type MockStep } from '../../../src/core/kiro-mock/script.ts';
import { buildStreamPlan, splitText, type PlanContext } from '../../../src/core/kiro-mock/stream-plan.ts';
import { decodeChunks, eventTypes, textOf, toolCallsOf } from './decode.ts';

const ctx = (over: Partial<PlanContext> = {}): PlanContext => ({
  rng: createRng(42),
  replyText: 'Mock Kiro reply to: hello there, how are you doing today?',
  modelId: 'claude-sonnet-4.5',
  bodyBytes: 8000,
  maxInputTokens: 200_000,
  awsJson: false,
  metadataByDefault: false,
  ...over,
});

function run(step: MockStep, over: Partial<PlanContext> = {}) {
  const plan = buildStreamPlan(resolveStep(step) as Extract<ReturnType<typeof resolveStep>, { kind: 'stream' }>, ctx(over));
  const bytes = plan.actions.flatMap((a) => (a.kind === 'bytes' ? [a.data] : []));
  return { plan, ...decodeChunks(bytes) };
}

describe('stream plan', () => {
  test('default reply: several text events with modelId, then metering and context usage', () => {
    const { messages, events } = run({ kind: 'stream', parts: [{ type: 'reply' }] });
    const types = eventTypes(messages);
    assert.ok(types.filter((t) => t === 'assistantResponseEvent').length >= 2);
    assert.deepEqual(types.slice(-2), ['meteringEvent', 'contextUsageEvent']);
    assert.equal(textOf(events), 'Mock Kiro reply to: hello there, how are you doing today?');
    for (const e of events) if (e.type === 'assistantResponse') assert.equal(e.modelId, 'claude-sonnet-4.5');
    const metering = events.find((e) => e.type === 'metering');
    assert.deepEqual(metering && { unit: metering.unit, unitPlural: metering.unitPlural }, { unit: 'credit', unitPlural: 'credits' });
    const ctxUsage = events.find((e) => e.type === 'contextUsage');
    assert.equal(ctxUsage?.type === 'contextUsage' && ctxUsage.contextUsagePercentage, 1); // 8000 B / 4 / 200k
  });

  test('real header order and alphabetical payload keys', () => {
    const { messages } = run({ kind: 'text', text: 'abc' });
    const first = messages[0]!;
    assert.deepEqual([...first.headers.keys()], [':event-type', ':content-type', ':message-type']);
    assert.match(new TextDecoder().decode(first.payload), /^\{"content":".*","modelId":"claude-sonnet-4.5"\}$/);
    const metering = messages.find((m) => headerString(m, ':event-type') === 'meteringEvent')!;
    assert.match(new TextDecoder().decode(metering.payload), /^\{"unit":"credit","unitPlural":"credits","usage":[\d.]+\}$/);
  });

  test('awsJson streams start with initial-response in application/x-amz-json-1.0', () => {
    const { messages, events } = run({ kind: 'text', text: 'hi' }, { awsJson: true });
    assert.equal(headerString(messages[0]!, ':event-type'), 'initial-response');
    assert.equal(headerString(messages[0]!, ':content-type'), 'application/x-amz-json-1.0');
    assert.equal(new TextDecoder().decode(messages[0]!.payload), '{"conversationId":""}');
    assert.equal(events[0]!.type, 'initialResponse');
  });

  test('tool use: name-only event, input fragments, stop; assembles to the input', () => {
    const input = { file_path: '/tmp/x', content: 'hi' };
    const { events } = run({ kind: 'tool_use', name: 'Write', input, text: 'Writing.' });
    const tools = events.filter((e) => e.type === 'toolUse');
    assert.equal(tools[0]!.type === 'toolUse' && tools[0]!.input, undefined);
    assert.ok(tools.length >= 4);
    const [call] = toolCallsOf(events);
    assert.match(call!.toolUseId, /^tooluse_[A-Za-z0-9]{22}$/);
    assert.deepEqual(JSON.parse(call!.input), input);
    assert.equal(call!.stopped, true);
    assert.equal(textOf(events), 'Writing.');
  });

  test('several tools, duplicates and truncation', () => {
    const { events } = run({
      kind: 'tool_uses',
      tools: [
        { name: 'Read', input: { path: 'a' }, duplicate: true },
        { name: 'Edit', input: { path: 'b', text: 'long text here' }, truncated: true, toolUseId: 'tooluse_fixed' },
      ],
    });
    const calls = toolCallsOf(events);
    assert.equal(calls.length, 3);
    assert.equal(calls[0]!.toolUseId, calls[1]!.toolUseId);
    assert.equal(calls[2]!.toolUseId, 'tooluse_fixed');
    assert.throws(() => JSON.parse(calls[2]!.input));
  });

  test('bracket tool text, thinking tags, reasoning with signature, metadata', () => {
    assert.equal(
      textOf(run({ kind: 'bracket_tool', name: 'get_weather', input: { city: 'London' } }).events),
      '[Called get_weather with args: {"city":"London"}]',
    );
    assert.equal(textOf(run({ kind: 'thinking_tags', thinking: 'hmm', text: 'Answer.' }).events), '<thinking>hmm</thinking>\n\nAnswer.');
    const r = run({ kind: 'reasoning', reasoning: 'Let me reason about it.', metadata: true });
    const reasoning = r.events.filter((e) => e.type === 'reasoning');
    assert.equal(reasoning.map((e) => (e.type === 'reasoning' ? (e.text ?? '') : '')).join(''), 'Let me reason about it.');
    assert.ok(reasoning.at(-1)?.type === 'reasoning' && reasoning.at(-1)!.signature);
    const meta = r.events.find((e) => e.type === 'metadata');
    assert.ok(meta?.type === 'metadata' && meta.tokenUsage?.uncachedInputTokens === 2000);
  });

  test('exception and error frames end the stream without metering', () => {
    const ex = run({ kind: 'exception', exceptionType: 'ContentLengthExceededException', text: 'partial' });
    assert.deepEqual(eventTypes(ex.messages).slice(-1), ['ContentLengthExceededException']);
    assert.equal(ex.events.at(-1)!.type, 'exception');
    const er = run({ kind: 'error_frame', code: 'InternalError', message: 'boom' });
    assert.deepEqual(er.events, [{ type: 'error', code: 'InternalError', message: 'boom' }]);
  });

  test('empty stream has only metering and context usage; destroy marks the plan', () => {
    const empty = run({ kind: 'empty' });
    assert.deepEqual(eventTypes(empty.messages), ['meteringEvent', 'contextUsageEvent']);
    const d = run({ kind: 'destroy' });
    assert.equal(d.plan.destroyed, true);
    assert.equal(d.plan.actions.at(-1)!.kind, 'destroy');
  });

  test('splitText keeps every code point and is deterministic per seed', () => {
    const s = 'héllo 👋 wörld — 你好';
    const a = splitText(s, 5, createRng(7));
    assert.equal(a.join(''), s);
    assert.equal(a.length, 5);
    assert.deepEqual(a, splitText(s, 5, createRng(7)));
  });
});
