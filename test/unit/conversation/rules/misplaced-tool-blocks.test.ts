import { test } from 'node:test';
import assert from 'node:assert/strict';
import { misplacedToolBlocks } from '../../../../src/core/conversation/rules/misplaced-tool-blocks.ts';
import { draft, ruleLog, turn } from '../helpers.ts';

test('misplaced-tool-blocks turns tool calls in user turns and results in assistant turns into text', () => {
  const log = ruleLog();
  const d = misplacedToolBlocks(
    draft([
      turn('user', { text: 'hi', toolUses: [{ id: 'u1', name: 'Read', input: { a: 1 } }] }),
      turn('assistant', { toolResults: [{ toolUseId: 'r1', text: 'data', isError: false, images: [] }] }),
    ]),
    log,
  );
  assert.deepEqual(d.turns[0]!.toolUses, []);
  assert.match(d.turns[0]!.text, /^hi\n\n\[Tool call: Read \(u1\)\]\n\{"a":1\}$/);
  assert.deepEqual(d.turns[1]!.toolResults, []);
  assert.match(d.turns[1]!.text, /\[Tool result \(r1\)\]\ndata/);
  assert.deepEqual(log.names(), ['misplaced-tool-blocks']);
});
