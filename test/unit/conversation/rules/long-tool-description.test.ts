import { test } from 'node:test';
import assert from 'node:assert/strict';
import { longToolDescription, pointerDescription } from '../../../../src/core/conversation/rules/long-tool-description.ts';
import { draft, ruleLog } from '../helpers.ts';

test('long-tool-description moves over-long descriptions into the system text', () => {
  const log = ruleLog();
  const long = 'W'.repeat(18_780);
  const d = longToolDescription(
    draft([], {
      system: 'Be brief.',
      tools: [
        { name: 'Workflow', description: long, schema: {} },
        { name: 'Read', description: 'short', schema: {} },
      ],
    }),
    log,
  );
  assert.equal(d.tools[0]!.description, pointerDescription('Workflow'));
  assert.equal(d.tools[1]!.description, 'short');
  assert.equal(d.system, `Be brief.\n\n## Tool: Workflow\n\n${long}`);
  assert.deepEqual(log.names(), ['long-tool-description']);
});

test('long-tool-description honours a custom limit and keeps descriptions at the limit', () => {
  const d = draft([], { tools: [{ name: 'A', description: 'x'.repeat(100), schema: {} }] });
  assert.equal(longToolDescription(d, ruleLog(), 100), d);
  assert.notEqual(longToolDescription(d, ruleLog(), 99), d);
});
