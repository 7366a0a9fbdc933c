import { test } from 'node:test';
import assert from 'node:assert/strict';
import { undeclaredToolPlaceholder, PLACEHOLDER_DESCRIPTION } from '../../../../src/core/conversation/rules/undeclared-tool-placeholder.ts';
import { draft, ruleLog, turn } from '../helpers.ts';

test('undeclared-tool-placeholder declares tools used in history but missing now', () => {
  const log = ruleLog();
  const d = undeclaredToolPlaceholder(
    draft(
      [
        turn('assistant', {
          toolUses: [
            { id: 'a', name: 'mcp__gone__search', input: {} },
            { id: 'b', name: 'Read', input: {} },
          ],
        }),
      ],
      {
        tools: [{ name: 'Read', description: 'r', schema: { type: 'object' } }],
      },
    ),
    log,
  );
  assert.deepEqual(
    d.tools.map((t) => t.name),
    ['Read', 'mcp__gone__search'],
  );
  assert.equal(d.tools[1]!.description, PLACEHOLDER_DESCRIPTION);
  assert.equal(d.tools[1]!.schema['type'], 'object');
  assert.deepEqual(log.names(), ['undeclared-tool-placeholder']);
});
