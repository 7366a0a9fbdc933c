import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateKiroBodyTokens, estimateRequestTokens, estimateTokens } from '../../../src/core/conversation/estimate.ts';
import { countInputTokens, inputTokensOf } from '../../../src/core/conversation/estimate-input.ts';
import { normalise } from '../../../src/core/conversation/normalise.ts';
import { assistant, image, request, tool, use, user, result } from './helpers.ts';

test('estimateTokens: empty is 0, anything else at least 1; wide scripts cost more per char than Latin', () => {
  assert.equal(estimateTokens(''), 0);
  assert.equal(estimateTokens('x'), 1);
  const latin = estimateTokens('the quick brown fox jumps over the lazy dog '.repeat(20));
  assert.ok(latin > 150 && latin < 260, String(latin));
  const cjk = estimateTokens('漢字'.repeat(50));
  assert.ok(cjk >= 90 && cjk <= 120, String(cjk));
});

test('estimateRequestTokens counts system, messages, tool calls, images and tools', () => {
  const base = estimateRequestTokens(request([user('hello')]));
  const bigger = estimateRequestTokens(
    request([user('hello', image()), assistant(use('a', 'Read', { path: '/x' }))], {
      system: 'Some system words here. '.repeat(20),
      tools: [tool('Read', 'Reads one file from disk. '.repeat(40))],
    }),
  );
  assert.ok(base > 0);
  assert.ok(bigger > base + 100 + 1_600 + 150, String(bigger));
});

test('the Kiro body estimate ignores the random conversation/continuation ids', () => {
  const req = request([user('hello there'), assistant(use('t1', 'Read', { p: 1 })), user(result('t1', 'file text'))], {
    tools: [tool('Read')],
    system: 'be brief',
  });
  const a = normalise(req, { modelId: 'claude-sonnet-4.5', conversationId: crypto.randomUUID() });
  const b = normalise(req, { modelId: 'claude-sonnet-4.5', conversationId: crypto.randomUUID() });
  assert.notEqual(a.body.conversationState.conversationId, b.body.conversationState.conversationId);
  assert.equal(estimateKiroBodyTokens(a.body), estimateKiroBodyTokens(b.body));
});

test('count_tokens and the pipeline share one computation (same model resolution and thinking default)', () => {
  const req = request([user('hello there')], { system: 'be brief', model: 'claude-sonnet-4-5-thinking' });
  // What completion.ts does: resolve, default thinking for -thinking models, normalise, estimate.
  const piped = inputTokensOf(
    normalise({ ...req, thinking: { type: 'enabled', budgetTokens: 16_000 } }, { modelId: 'claude-sonnet-4.5', conversationId: crypto.randomUUID() }),
  );
  assert.equal(countInputTokens(req, {}), piped);
  // Thinking adds the tag instructions to the system text: a different, larger count.
  assert.ok(countInputTokens({ ...req, model: 'claude-sonnet-4-5' }, {}) < piped);
});
