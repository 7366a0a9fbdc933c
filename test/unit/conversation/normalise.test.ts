import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalise } from '../../../src/core/conversation/normalise.ts';
import { ProxyError } from '../../../src/core/errors.ts';
import { assistant, captureLogger, image, request, result, tool, use, user } from './helpers.ts';
import { assertKiroAccepts, MODEL } from './strict-check.ts';

const opts = { modelId: MODEL, conversationId: 'conv-42' };

test('a single user message becomes the current message, history omitted', () => {
  const { body, rules } = normalise(request([user('Hello')]), opts);
  assert.deepEqual(body.conversationState.currentMessage, { userInputMessage: { content: 'Hello', modelId: MODEL, origin: 'AI_EDITOR' } });
  assert.equal(body.conversationState.history, undefined);
  assert.equal(body.conversationState.conversationId, 'conv-42');
  assert.equal(body.conversationState.chatTriggerType, 'MANUAL');
  assert.equal(body.conversationState.agentTaskType, 'vibe');
  assert.match(body.conversationState.agentContinuationId!, /^[0-9a-f-]{36}$/);
  assert.equal(body.profileArn, undefined);
  assert.deepEqual(rules, []);
});

test('each call gets a fresh agentContinuationId', () => {
  const a = normalise(request([user('x')]), opts).body.conversationState.agentContinuationId;
  const b = normalise(request([user('x')]), opts).body.conversationState.agentContinuationId;
  assert.notEqual(a, b);
});

test('a tool round trip maps onto toolUses / toolResults with status and tools on the current message', () => {
  const { body } = normalise(
    request([user('Weather?'), assistant('Checking.', use('t1', 'get_weather', { city: 'Paris' })), user(result('t1', 'sunny'), result('t1x', 'x'))], {
      tools: [tool('get_weather')],
    }),
    opts,
  );
  const cs = body.conversationState;
  assert.deepEqual(cs.history?.[1], {
    assistantResponseMessage: { content: 'Checking.', toolUses: [{ toolUseId: 't1', name: 'get_weather', input: { city: 'Paris' } }] },
  });
  const ctx = cs.currentMessage.userInputMessage.userInputMessageContext!;
  assert.deepEqual(ctx.toolResults, [{ toolUseId: 't1', content: [{ text: 'sunny' }], status: 'success' }]);
  assert.equal(ctx.tools?.[0]?.toolSpecification.name, 'get_weather');
  assertKiroAccepts(body, 'round trip');
});

test('unsupported images are refused with a 400 naming the type', () => {
  assert.throws(
    () => normalise(request([user('look', image('image/bmp'))]), opts),
    (e: unknown) => e instanceof ProxyError && e.status === 400 && e.message.includes('image/bmp'),
  );
});

test('native thinking mode sends additionalModelRequestFields instead of tags', () => {
  const { body, rules } = normalise(request([user('hi')], { thinking: { type: 'adaptive', effort: 'high' } }), { ...opts, thinkingMode: 'native' });
  assert.deepEqual(body.additionalModelRequestFields, { thinking: { type: 'adaptive', display: 'summarized' }, output_config: { effort: 'high' } });
  assert.ok(!rules.includes('thinking-tags'));
  assert.equal(body.conversationState.history, undefined);
});

test('thinking off sends neither tags nor fields', () => {
  const { body } = normalise(request([user('hi')], { thinking: { type: 'enabled', budgetTokens: 1000 } }), { ...opts, thinkingMode: 'off' });
  assert.equal(body.additionalModelRequestFields, undefined);
  assert.equal(body.conversationState.history, undefined);
});

test('every fired rule logs one debug line naming it', () => {
  const logger = captureLogger();
  const { rules } = normalise(request([assistant('hi'), user('')], { system: 'S' }), { ...opts, logger });
  assert.ok(rules.length > 0);
  for (const r of rules)
    assert.ok(
      logger.lines.some((l) => l.level === 'debug' && l.msg.startsWith(`normaliser rule ${r}: `)),
      r,
    );
});

test('a custom maxDescriptionChars is honoured', () => {
  const { body, rules } = normalise(request([user('go')], { tools: [tool('A', 'x'.repeat(500))] }), { ...opts, maxDescriptionChars: 100 });
  assert.ok(rules.includes('long-tool-description'));
  const first = body.conversationState.history![0]!;
  assert.ok('userInputMessage' in first && first.userInputMessage.content.includes('## Tool: A'));
});
