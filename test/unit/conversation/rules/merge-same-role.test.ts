import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeSameRole } from '../../../../src/core/conversation/rules/merge-same-role.ts';
import { draft, ruleLog, turn } from '../helpers.ts';

test('merge-same-role joins consecutive turns of one role, keeping every block', () => {
  const log = ruleLog();
  const d = mergeSameRole(
    draft([
      turn('user', { toolResults: [{ toolUseId: 'a', text: 'r', isError: false, images: [] }] }),
      turn('user', { text: 'and also' }),
      turn('assistant', { text: 'one', toolUses: [{ id: 'x', name: 'X', input: {} }] }),
      turn('assistant', { text: 'two', toolUses: [{ id: 'y', name: 'X', input: {} }] }),
    ]),
    log,
  );
  assert.equal(d.turns.length, 2);
  assert.equal(d.turns[0]!.text, 'and also');
  assert.equal(d.turns[0]!.toolResults.length, 1);
  assert.equal(d.turns[1]!.text, 'one\n\ntwo');
  assert.deepEqual(
    d.turns[1]!.toolUses.map((u) => u.id),
    ['x', 'y'],
  );
  assert.deepEqual(log.names(), ['merge-same-role']);
});
