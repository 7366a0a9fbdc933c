import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leadingUser, LEADING_USER_TEXT } from '../../../../src/core/conversation/rules/leading-user.ts';
import { draft, ruleLog, turn } from '../helpers.ts';

test('leading-user puts a user turn before an opening assistant turn', () => {
  const log = ruleLog();
  const d = leadingUser(draft([turn('assistant', { text: 'Hello!' }), turn('user', { text: 'hi' })]), log);
  assert.deepEqual(
    d.turns.map((t) => [t.role, t.text]),
    [
      ['user', LEADING_USER_TEXT],
      ['assistant', 'Hello!'],
      ['user', 'hi'],
    ],
  );
  assert.deepEqual(log.names(), ['leading-user']);
});
