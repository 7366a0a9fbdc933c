import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toolResultImages } from '../../../../src/core/conversation/rules/tool-result-images.ts';
import { draft, ruleLog, turn } from '../helpers.ts';

test('tool-result-images moves screenshots onto the user message', () => {
  const log = ruleLog();
  const img = { format: 'png' as const, bytes: 'QUJD' };
  const d = toolResultImages(draft([turn('user', { toolResults: [{ toolUseId: 't1', text: 'shot', isError: false, images: [img] }] })]), log);
  assert.deepEqual(d.turns[0]!.images, [img]);
  assert.deepEqual(d.turns[0]!.toolResults[0]!.images, []);
  assert.deepEqual(log.names(), ['tool-result-images']);
});
