import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyContentPlaceholders, PLACEHOLDERS } from '../../../../src/core/conversation/rules/empty-content-placeholders.ts';
import { draft, ruleLog, turn } from '../helpers.ts';

test('empty-content-placeholders fills every kind of empty content', () => {
  const log = ruleLog();
  const d = emptyContentPlaceholders(
    draft([
      turn('user', { text: '' }),
      turn('assistant', { toolUses: [{ id: 'a', name: 'X', input: {} }] }),
      turn('user', { toolResults: [{ toolUseId: 'a', text: '', isError: false, images: [] }] }),
      turn('assistant', { text: ' ' }),
      turn('user', { images: [{ format: 'png', bytes: 'QUJD' }] }),
      turn('assistant', { text: 'ok' }),
      turn('user', {}),
    ]),
    log,
  );
  assert.deepEqual(
    d.turns.map((t) => t.text),
    [
      PLACEHOLDERS.user,
      PLACEHOLDERS.assistantToolsOnly,
      PLACEHOLDERS.toolResultsOnly,
      PLACEHOLDERS.assistant,
      PLACEHOLDERS.imagesOnly,
      'ok',
      PLACEHOLDERS.current,
    ],
  );
  assert.equal(d.turns[2]!.toolResults[0]!.text, PLACEHOLDERS.toolResult);
  assert.deepEqual(log.names(), ['empty-content-placeholders']);
});
