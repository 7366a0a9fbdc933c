import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unansweredToolUses, UNANSWERED_TEXT } from '../../../../src/core/conversation/rules/unanswered-tool-uses.ts';
import { draft, ruleLog, turn } from '../helpers.ts';

test('unanswered-tool-uses answers missing calls with an error result', () => {
  const log = ruleLog();
  const d = unansweredToolUses(
    draft([
      turn('user', { text: 'go' }),
      turn('assistant', {
        toolUses: [
          { id: 'a', name: 'X', input: {} },
          { id: 'b', name: 'X', input: {} },
        ],
      }),
      turn('user', { text: 'stop, do something else', toolResults: [{ toolUseId: 'a', text: 'ok', isError: false, images: [] }] }),
    ]),
    log,
  );
  assert.deepEqual(
    d.turns[2]!.toolResults.map((r) => [r.toolUseId, r.text, r.isError]),
    [
      ['a', 'ok', false],
      ['b', UNANSWERED_TEXT, true],
    ],
  );
  assert.deepEqual(log.names(), ['unanswered-tool-uses']);
});
