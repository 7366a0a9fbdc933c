import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namelessToolUse } from '../../../../src/core/conversation/rules/nameless-tool-use.ts';
import { draft, ruleLog, turn } from '../helpers.ts';

test('nameless-tool-use keeps calls without a name as text', () => {
  const log = ruleLog();
  const d = namelessToolUse(
    draft([
      turn('assistant', {
        text: 'ok',
        toolUses: [
          { id: 'a', name: ' ', input: {} },
          { id: 'b', name: 'Read', input: {} },
        ],
      }),
    ]),
    log,
  );
  assert.deepEqual(
    d.turns[0]!.toolUses.map((u) => u.id),
    ['b'],
  );
  assert.equal(d.turns[0]!.text, 'ok\n\n[Tool call: unnamed (a)]\n{}');
  assert.deepEqual(log.names(), ['nameless-tool-use']);
});
