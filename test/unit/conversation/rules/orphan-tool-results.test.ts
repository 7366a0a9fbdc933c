import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orphanToolResults } from '../../../../src/core/conversation/rules/orphan-tool-results.ts';
import { draft, ruleLog, turn } from '../helpers.ts';

test('orphan-tool-results turns results without a matching call in the previous turn into text', () => {
  const log = ruleLog();
  const d = orphanToolResults(
    draft([
      turn('user', { toolResults: [{ toolUseId: 'gone', text: 'old output', isError: false, images: [] }] }),
      turn('assistant', { toolUses: [{ id: 'a', name: 'X', input: {} }] }),
      turn('user', {
        text: 'note',
        toolResults: [
          { toolUseId: 'a', text: 'fine', isError: false, images: [] },
          { toolUseId: 'b', text: 'stray', isError: true, images: [] },
        ],
      }),
    ]),
    log,
  );
  assert.deepEqual(d.turns[0]!.toolResults, []);
  assert.match(d.turns[0]!.text, /\[Tool result \(gone\)\]\nold output/);
  assert.deepEqual(
    d.turns[2]!.toolResults.map((r) => r.toolUseId),
    ['a'],
  );
  assert.equal(d.turns[2]!.text, '[Tool error (b)]\nstray\n\nnote');
  assert.deepEqual(log.names(), ['orphan-tool-results']);
});
