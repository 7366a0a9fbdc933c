import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dedupeToolDeclarations } from '../../../../src/core/conversation/rules/dedupe-tool-declarations.ts';
import { draft, ruleLog } from '../helpers.ts';

test('dedupe-tool-declarations keeps the first of two same-named tools', () => {
  const log = ruleLog();
  const d = dedupeToolDeclarations(
    draft([], {
      tools: [
        { name: 'Read', description: 'first', schema: {} },
        { name: 'Read', description: 'second', schema: {} },
      ],
    }),
    log,
  );
  assert.deepEqual(
    d.tools.map((t) => t.description),
    ['first'],
  );
  assert.deepEqual(log.names(), ['dedupe-tool-declarations']);
});
