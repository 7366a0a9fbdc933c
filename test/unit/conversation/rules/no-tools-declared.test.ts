import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noToolsDeclared } from '../../../../src/core/conversation/rules/no-tools-declared.ts';
import { draft, ruleLog, turn } from '../helpers.ts';

const history = [
  turn('user', { text: 'list files' }),
  turn('assistant', { toolUses: [{ id: 't1', name: 'Bash', input: { command: 'ls' } }] }),
  turn('user', { toolResults: [{ toolUseId: 't1', text: 'a.txt', isError: false, images: [] }] }),
];

test('no-tools-declared turns tool history into text when the request has no tools', () => {
  const log = ruleLog();
  const d = noToolsDeclared(draft(history), log);
  assert.ok(d.turns.every((t) => t.toolUses.length === 0 && t.toolResults.length === 0));
  assert.match(d.turns[1]!.text, /\[Tool call: Bash \(t1\)\]\n\{"command":"ls"\}/);
  assert.match(d.turns[2]!.text, /\[Tool result \(t1\)\]\na\.txt/);
  assert.deepEqual(log.names(), ['no-tools-declared']);
});

test('no-tools-declared does nothing when tools are declared', () => {
  const input = draft(history, { tools: [{ name: 'Bash', description: 'd', schema: {} }] });
  assert.equal(noToolsDeclared(input, ruleLog()), input);
});
