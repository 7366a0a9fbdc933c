import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dedupeToolIds } from '../../../../src/core/conversation/rules/dedupe-tool-ids.ts';
import { draft, ruleLog, turn } from '../helpers.ts';

const res = (id: string, text = 'r') => ({ toolUseId: id, text, isError: false, images: [] });

test('dedupe-tool-ids renames a repeated id and re-points its result', () => {
  const log = ruleLog();
  const d = dedupeToolIds(
    draft([
      turn('user', { text: 'go' }),
      turn('assistant', { toolUses: [{ id: 'dup', name: 'X', input: {} }] }),
      turn('user', { toolResults: [res('dup', 'first')] }),
      turn('assistant', { toolUses: [{ id: 'dup', name: 'X', input: {} }] }),
      turn('user', { toolResults: [res('dup', 'second')] }),
    ]),
    log,
  );
  assert.equal(d.turns[1]!.toolUses[0]!.id, 'dup');
  assert.equal(d.turns[3]!.toolUses[0]!.id, 'dup_2');
  assert.equal(d.turns[4]!.toolResults[0]!.toolUseId, 'dup_2');
  assert.deepEqual(log.names(), ['dedupe-tool-ids']);
});

test('dedupe-tool-ids splits parallel calls sharing an id and drops extra results', () => {
  const d = dedupeToolIds(
    draft([
      turn('user', { text: 'go' }),
      turn('assistant', {
        toolUses: [
          { id: 'p', name: 'X', input: { n: 1 } },
          { id: 'p', name: 'X', input: { n: 2 } },
          { id: '', name: 'X', input: {} },
        ],
      }),
      turn('user', { toolResults: [res('p', 'one'), res('p', 'two'), res('p', 'three'), res('', 'empty')] }),
    ]),
    ruleLog(),
  );
  const ids = d.turns[1]!.toolUses.map((u) => u.id);
  assert.equal(new Set(ids).size, 3);
  assert.ok(ids.every((id) => id !== ''));
  assert.deepEqual(
    d.turns[2]!.toolResults.map((r) => [r.toolUseId, r.text]),
    [
      [ids[0], 'one'],
      [ids[1], 'two'],
      [ids[2], 'empty'],
    ],
  );
});
