import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStreamAssembler } from '../../../src/core/conversation/from-kiro/stream-assembler.ts';
import { KiroUpstreamError } from '../../../src/core/kiro/types.ts';
import { buildToolNameMap } from '../../../src/core/conversation/tool-names.ts';
import { estimateTokens } from '../../../src/core/conversation/estimate.ts';
import { fold, run, textEv, toolEv } from './stream-assembler-helpers.ts';

test('text deltas are forwarded immediately, one event per chunk', () => {
  const a = createStreamAssembler({ toolNames: buildToolNameMap([]), thinkingTags: false, estimatedInputTokens: 10, contextWindow: 200_000 });
  assert.deepEqual(a.push(textEv('Hello')), [{ type: 'text_delta', text: 'Hello' }]);
  assert.deepEqual(a.push({ type: 'code', content: ', world' }), [{ type: 'text_delta', text: ', world' }]);
  const end = a.finish();
  assert.equal(end.length, 1);
  assert.equal(end[0]!.type === 'end' && end[0]!.stopReason, 'end_turn');
  assert.deepEqual(a.finish(), [], 'finish is idempotent');
});

test('a fragmented tool call streams start → deltas → end with the parsed input', () => {
  const events = run([
    textEv('Let me read it.'),
    toolEv('tooluse_A', 'Read'),
    toolEv('tooluse_A', 'Read', ''),
    toolEv('tooluse_A', 'Read', '{"file_'),
    toolEv('tooluse_A', 'Read', 'path":"/a'),
    toolEv('tooluse_A', 'Read', '.ts"}'),
    toolEv('tooluse_A', 'Read', undefined, true),
  ]);
  const types = events.map((e) => e.type);
  assert.deepEqual(types, ['text_delta', 'tool_call_start', 'tool_call_delta', 'tool_call_delta', 'tool_call_delta', 'tool_call_end', 'end']);
  const f = fold(events);
  assert.deepEqual(f.calls, [{ id: 'tooluse_A', name: 'Read', json: '{"file_path":"/a.ts"}', input: { file_path: '/a.ts' } }]);
  assert.equal(f.end?.stopReason, 'tool_use');
});

test('interleaved tools, empty input, duplicates after stop and nameless events', () => {
  const f = fold(
    run([
      toolEv('t1', 'Read', '{"a":'),
      toolEv('t2', 'get_weather', '{"city":"Oslo"}'),
      toolEv('t1', 'Read', '1}', true),
      toolEv('t2', 'get_weather', undefined, true),
      toolEv('t1', 'Read', '{"a":1}', true), // duplicate of a finished id
      toolEv('t3', '', '{"x":1}', true), // never named: dropped
      toolEv('t4', 'Read', undefined, true), // no input at all
    ]),
  );
  assert.deepEqual(
    f.calls.map((c) => [c.id, c.name, c.input]),
    [
      ['t1', 'Read', { a: 1 }],
      ['t2', 'get_weather', { city: 'Oslo' }],
      ['t4', 'Read', {}],
    ],
  );
});

test('a nameless first fragment is kept when the name arrives later', () => {
  const f = fold(run([toolEv('t1', '', '{"a"'), toolEv('t1', 'Read', ':2}', true)]));
  assert.deepEqual(
    f.calls.map((c) => [c.name, c.input]),
    [['Read', { a: 2 }]],
  );
});

test('truncated tool JSON becomes {} with a warning; a tool never stopped is closed at finish', () => {
  const warnings: string[] = [];
  const logger = { trace() {}, debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
  const f = fold(run([toolEv('t1', 'Read', '{"content":"very long', true), toolEv('t2', 'Read', '{"b":3}')], { logger }));
  assert.deepEqual(
    f.calls.map((c) => c.input),
    [{}, { b: 3 }],
  );
  assert.equal(warnings.length, 2);
  assert.equal(f.end?.stopReason, 'tool_use');
});

test('Kiro tool names are mapped back to the client names', () => {
  const long = 'mcp__claude_ai_Atlassian_Rovo__getConfluencePageFooterCommentsWithReplies';
  const toolNames = buildToolNameMap([long]);
  const alias = toolNames.toKiro.get(long)!;
  assert.notEqual(alias, long);
  const f = fold(run([toolEv('t1', alias, '{}', true)], { toolNames }));
  assert.equal(f.calls[0]!.name, long);
});

test('reasoning events become thinking deltas and signatures', () => {
  const events = run([
    { type: 'reasoning', text: 'Let me think' },
    { type: 'reasoning', text: ' harder.' },
    { type: 'reasoning', signature: 'sig-1' },
    { type: 'reasoning', redactedContent: 'b64' },
    textEv('Answer'),
  ]);
  assert.deepEqual(events.slice(0, 4), [
    { type: 'thinking_delta', text: 'Let me think' },
    { type: 'thinking_delta', text: ' harder.' },
    { type: 'thinking_signature', signature: 'sig-1' },
    { type: 'text_delta', text: 'Answer' },
  ]);
});

test('usage: metadata tokenUsage is authoritative (input = uncached + cache read)', () => {
  const f = fold(
    run([
      textEv('hi'),
      { type: 'metering', unit: 'credit', usage: 0.02 },
      { type: 'metering', unit: 'credit', usage: 0.01 },
      { type: 'contextUsage', contextUsagePercentage: 50 },
      { type: 'metadata', tokenUsage: { uncachedInputTokens: 1200, cacheReadInputTokens: 800, outputTokens: 42 } },
    ]),
  );
  assert.equal(f.end?.usage.inputTokens, 2000);
  assert.equal(f.end?.usage.outputTokens, 42);
  assert.ok(Math.abs((f.end?.usage.credits ?? 0) - 0.03) < 1e-9);
});

test('usage: contextUsagePercentage reconciles input tokens (window × % − output)', () => {
  const f = fold(run([textEv('abcd'.repeat(25)), { type: 'contextUsage', contextUsagePercentage: 10 }], { contextWindow: 200_000 }));
  const out = estimateTokens('abcd'.repeat(25));
  assert.equal(f.end?.usage.outputTokens, out);
  assert.equal(f.end?.usage.inputTokens, 20_000 - out);
  assert.equal(f.end?.usage.credits, undefined);
});

test('usage: falls back to the pre-send estimate', () => {
  const f = fold(run([textEv('x')], { estimatedInputTokens: 777 }));
  assert.equal(f.end?.usage.inputTokens, 777);
});

test('stop reasons: context ≥ 100% → context_window_exceeded; output limit exception → max_tokens', () => {
  assert.equal(fold(run([textEv('x'), { type: 'contextUsage', contextUsagePercentage: 100 }])).end?.stopReason, 'context_window_exceeded');
  const f = fold(
    run([
      textEv('partial'),
      toolEv('t1', 'Read', '{"a":1}', true),
      { type: 'exception', exceptionType: 'ContentLengthExceededException', message: 'too long' },
    ]),
  );
  assert.equal(f.end?.stopReason, 'max_tokens');
  assert.equal(f.text, 'partial');
});

test('other exceptions, error frames and invalid state throw KiroUpstreamError', () => {
  const a = () => createStreamAssembler({ toolNames: buildToolNameMap([]), thinkingTags: false, estimatedInputTokens: 0, contextWindow: 1 });
  assert.throws(
    () => a().push({ type: 'exception', exceptionType: 'ThrottlingException', message: 'slow down' }),
    (e: unknown) => e instanceof KiroUpstreamError && e.cls === 'throttled' && e.status === 429 && e.message === 'slow down',
  );
  assert.throws(
    () => a().push({ type: 'exception', exceptionType: 'InternalServerException', message: 'boom' }),
    (e: unknown) => e instanceof KiroUpstreamError && e.cls === 'server',
  );
  assert.throws(() => a().push({ type: 'error', code: 'InternalFailure', message: 'x' }), KiroUpstreamError);
  assert.throws(
    () => a().push({ type: 'invalidState', reason: 'INVALID_TASK_ASSIST_PLAN', message: 'bad' }),
    (e: unknown) => e instanceof KiroUpstreamError && e.reason === 'INVALID_TASK_ASSIST_PLAN',
  );
});

test('unknown, initial-response and messageStop events are ignored', () => {
  const events = run([{ type: 'initialResponse' }, { type: 'unknown', eventType: 'followupPromptEvent' }, textEv('ok'), { type: 'messageStop' }]);
  assert.deepEqual(
    events.map((e) => e.type),
    ['text_delta', 'end'],
  );
});
