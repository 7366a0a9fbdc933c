import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyToolDescription } from '../../../../src/core/conversation/rules/empty-tool-description.ts';
import { draft, ruleLog } from '../helpers.ts';

test('empty-tool-description fills a blank description with "Tool: name"', () => {
  const log = ruleLog();
  const d = emptyToolDescription(draft([], { tools: [{ name: 'Glob', description: ' ', schema: {} }] }), log);
  assert.equal(d.tools[0]!.description, 'Tool: Glob');
  assert.deepEqual(log.names(), ['empty-tool-description']);
});
