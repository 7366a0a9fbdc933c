import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalise } from '../../../src/core/conversation/normalise.ts';
import { assertKiroAccepts, MODEL } from './strict-check.ts';
import { request, result, tool, use, user, assistant } from './helpers.ts';

// Guards the corpus/fuzz tests against passing vacuously: the checker must catch broken bodies.
test('the strict check rejects bodies that break Kiro invariants', () => {
  const good = normalise(request([user('go'), assistant(use('a', 'X')), user(result('a'))], { tools: [tool('X')] }), {
    modelId: MODEL,
    conversationId: 'c',
  }).body;
  assertKiroAccepts(good, 'good');
  const emptyContent = structuredClone(good);
  emptyContent.conversationState.currentMessage.userInputMessage.content = ' ';
  assert.throws(() => assertKiroAccepts(emptyContent));
  const noTools = structuredClone(good);
  delete noTools.conversationState.currentMessage.userInputMessage.userInputMessageContext!.tools;
  assert.throws(() => assertKiroAccepts(noTools));
  const unanswered = structuredClone(good);
  delete unanswered.conversationState.currentMessage.userInputMessage.userInputMessageContext!.toolResults;
  assert.throws(() => assertKiroAccepts(unanswered));
});
