import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fold, run, textEv } from './stream-assembler-helpers.ts';

test('a text-embedded [Called NAME with args: {...}] becomes a tool call', () => {
  const f = fold(run([textEv('Checking. [Called get_weather with args: {"city":"London","note":"a } in [a] string"}] done')]));
  assert.equal(f.text, 'Checking.  done');
  assert.deepEqual(f.calls, [
    {
      id: 'tooluse_recovered_0',
      name: 'get_weather',
      json: '{"city":"London","note":"a } in [a] string"}',
      input: { city: 'London', note: 'a } in [a] string' },
    },
  ]);
  assert.equal(f.end?.stopReason, 'tool_use');
});

test('bracket calls split across deltas at every position are still recovered', () => {
  const raw = 'A [Called Read with args: {"file_path":"/x"}] B';
  for (let i = 1; i < raw.length; i++) {
    const f = fold(run([textEv(raw.slice(0, i)), textEv(raw.slice(i))]));
    assert.equal(f.text, 'A  B', `split at ${i}`);
    assert.deepEqual(
      f.calls.map((c) => c.input),
      [{ file_path: '/x' }],
      `split at ${i}`,
    );
  }
});

test('undeclared names, broken JSON and ordinary brackets stay text', () => {
  for (const raw of [
    '[Called rm_rf with args: {"path":"/"}]',
    '[Called Read with args: {"a":1]',
    '[Called Read with args: not json]',
    'array[0] and [link](x) and [Call me]',
  ]) {
    const f = fold(run([textEv(raw)]));
    assert.equal(f.text, raw, raw);
    assert.equal(f.calls.length, 0, raw);
  }
});

test('text before a possible bracket call is not held back', () => {
  const events = run([textEv('Hello [Cal')]);
  assert.deepEqual(events[0], { type: 'text_delta', text: 'Hello ' });
  assert.equal(fold(events).text, 'Hello [Cal');
});
