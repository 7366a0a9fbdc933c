import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateRequestTokens, estimateTokens } from '../../../src/core/conversation/estimate.ts';
import { assistant, image, request, tool, use, user } from './helpers.ts';

test('estimateTokens: ~4 Latin chars per token, CJK about one per char', () => {
  assert.equal(estimateTokens(''), 0);
  assert.equal(estimateTokens('abcd'.repeat(100)), 100);
  const cjk = estimateTokens('漢字'.repeat(50));
  assert.ok(cjk >= 100 && cjk <= 120, String(cjk));
});

test('estimateRequestTokens counts system, messages, tool calls, images and tools', () => {
  const base = estimateRequestTokens(request([user('hello')]));
  const bigger = estimateRequestTokens(
    request([user('hello', image()), assistant(use('a', 'Read', { path: '/x' }))], { system: 'S'.repeat(400), tools: [tool('Read', 'd'.repeat(4000))] }),
  );
  assert.ok(base > 0);
  assert.ok(bigger > base + 100 + 1000 + 1000, String(bigger));
});
