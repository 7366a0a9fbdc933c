import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toObjectInput, wrapToolInput } from '../../../../src/core/conversation/rules/wrap-tool-input.ts';
import { draft, ruleLog, turn } from '../helpers.ts';

test('wrap-tool-input parses JSON strings and wraps other values', () => {
  assert.deepEqual(toObjectInput('{"a":1}'), { a: 1 });
  assert.deepEqual(toObjectInput(''), {});
  assert.deepEqual(toObjectInput(null), {});
  assert.deepEqual(toObjectInput([1, 2]), { value: [1, 2] });
  assert.deepEqual(toObjectInput('ls -la'), { value: 'ls -la' });
  assert.deepEqual(toObjectInput(42), { value: 42 });
});

test('wrap-tool-input fires only for non-object inputs', () => {
  const log = ruleLog();
  const d = wrapToolInput(
    draft([
      turn('assistant', {
        toolUses: [
          { id: 'a', name: 'X', input: { ok: true } },
          { id: 'b', name: 'X', input: '[1]' },
        ],
      }),
    ]),
    log,
  );
  assert.deepEqual(
    d.turns[0]!.toolUses.map((u) => u.input),
    [{ ok: true }, { value: '[1]' }],
  );
  assert.deepEqual(log.names(), ['wrap-tool-input']);
});
