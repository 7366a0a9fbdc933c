import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemPair, SYSTEM_ACK } from '../../../../src/core/conversation/rules/system-pair.ts';
import { draft, ruleLog, turn } from '../helpers.ts';

test('system-pair sends the system text as a first user/assistant pair', () => {
  const log = ruleLog();
  const d = systemPair(draft([turn('user', { text: 'hi' })], { system: 'You are terse.' }), log);
  assert.deepEqual(
    d.turns.map((t) => [t.role, t.text]),
    [
      ['user', 'You are terse.'],
      ['assistant', SYSTEM_ACK],
      ['user', 'hi'],
    ],
  );
  assert.deepEqual(log.names(), ['system-pair']);
});

test('system-pair adds nothing for a blank system text', () => {
  const input = draft([turn('user', { text: 'hi' })], { system: ' \n' });
  assert.equal(systemPair(input, ruleLog()), input);
});
