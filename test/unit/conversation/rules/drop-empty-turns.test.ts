import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropEmptyTurns } from '../../../../src/core/conversation/rules/drop-empty-turns.ts';
import { draft, ruleLog, turn } from '../helpers.ts';

test('drop-empty-turns removes messages with nothing in them', () => {
  const log = ruleLog();
  const d = dropEmptyTurns(draft([turn('user', { text: 'a' }), turn('assistant', { text: '  ' }), turn('user', { text: 'b' })]), log);
  assert.deepEqual(
    d.turns.map((t) => t.text),
    ['a', 'b'],
  );
  assert.deepEqual(log.names(), ['drop-empty-turns']);
});

test('drop-empty-turns keeps a turn that only has a tool call or an image', () => {
  const log = ruleLog();
  const input = draft([turn('assistant', { toolUses: [{ id: 'a', name: 'X', input: {} }] }), turn('user', { images: [{ format: 'png', bytes: 'QUJD' }] })]);
  assert.equal(dropEmptyTurns(input, log), input);
});
