import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prefill, PREFILL_TEXT } from '../../../../src/core/conversation/rules/prefill.ts';
import { draft, ruleLog, turn } from '../helpers.ts';

test('prefill keeps the trailing assistant turn in history and asks to continue', () => {
  const log = ruleLog();
  const d = prefill(draft([turn('user', { text: 'Write JSON' }), turn('assistant', { text: '{"a":' })]), log);
  assert.deepEqual(
    d.turns.map((t) => [t.role, t.text]),
    [
      ['user', 'Write JSON'],
      ['assistant', '{"a":'],
      ['user', PREFILL_TEXT],
    ],
  );
  assert.deepEqual(log.names(), ['prefill']);
});

test('prefill gives a request without messages one user turn', () => {
  const d = prefill(draft([]), ruleLog());
  assert.deepEqual(
    d.turns.map((t) => t.role),
    ['user'],
  );
});
