import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonErrorOffset } from '../../../src/core/server/json-error-position.ts';

test('valid JSON has no error offset', () => {
  for (const t of ['{}', '[]', ' {"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n"]} ', '"s"', '0', '{"a":{"b":[]}}']) assert.equal(jsonErrorOffset(t), -1, t);
});

test('finds the offset of the first syntax error', () => {
  const cases: [string, number][] = [
    ['{"a":1,}', 7],
    ['[1,2', 4],
    ['{"a" 1}', 5],
    ['{"a":tru}', 8],
    ['[01]', 2],
    ['{"a":"\\x"}', 7],
    ['{} {}', 3],
    ['', 0],
    ['{"a":"line\nbreak"}', 10],
  ];
  for (const [t, at] of cases) {
    assert.equal(jsonErrorOffset(t), at, JSON.stringify(t));
    assert.throws(() => JSON.parse(t));
  }
});
