import { test } from 'node:test';
import assert from 'node:assert/strict';
import { thinkingHistory } from '../../../../src/core/conversation/rules/thinking-history.ts';
import { draft, ruleLog, turn } from '../helpers.ts';

test('thinking-history re-sends prior thinking as tags before the text', () => {
  const log = ruleLog();
  const d = thinkingHistory(
    draft([turn('assistant', { thinking: 'plan', text: 'answer' }), turn('assistant', { thinking: 'only', toolUses: [{ id: 'a', name: 'X', input: {} }] })]),
    log,
  );
  assert.equal(d.turns[0]!.text, '<thinking>plan</thinking>\n\nanswer');
  assert.equal(d.turns[1]!.text, '<thinking>only</thinking>');
  assert.equal(d.turns[0]!.thinking, '');
  assert.deepEqual(log.names(), ['thinking-history']);
});
