import { test } from 'node:test';
import assert from 'node:assert/strict';
import { thinkingTags } from '../../../../src/core/conversation/rules/thinking-tags.ts';
import { nativeThinkingFields } from '../../../../src/core/conversation/rules/thinking-native.ts';
import { draft, ruleLog } from '../helpers.ts';

test('thinking-tags puts enabled/budget tags before the system text', () => {
  const log = ruleLog();
  const d = thinkingTags(draft([], { system: 'Sys', thinking: { type: 'enabled', budgetTokens: 31999 } }), log);
  assert.equal(d.system, '<thinking_mode>enabled</thinking_mode><max_thinking_length>31999</max_thinking_length>\n\nSys');
  assert.deepEqual(log.names(), ['thinking-tags']);
});

test('thinking-tags asks for adaptive thinking with an effort', () => {
  const d = thinkingTags(draft([], { thinking: { type: 'adaptive', effort: 'high' } }), ruleLog());
  assert.equal(d.system, '<thinking_mode>adaptive</thinking_mode><thinking_effort>high</thinking_effort>');
});

test('thinking-tags does nothing without a thinking request; native mode uses model fields', () => {
  const input = draft([], { system: 'Sys' });
  assert.equal(thinkingTags(input, ruleLog()), input);
  assert.deepEqual(nativeThinkingFields({ type: 'adaptive', effort: 'max' }), {
    thinking: { type: 'adaptive', display: 'summarized' },
    output_config: { effort: 'max' },
  });
});
