import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDirectives } from '../../../src/core/kiro-mock/directives.ts';
import { createRng } from '../../../src/core/kiro-mock/prng.ts';
import { buildStreamPlan } from '../../../src/core/kiro-mock/stream-plan.ts';
import { decodeChunks, eventTypes, textOf } from './decode.ts';

function plan(text: string) {
  const r = parseDirectives(text);
  assert.deepEqual(r.errors, []);
  assert.ok(r.step?.kind === 'stream');
  const p = buildStreamPlan(r.step, {
    rng: createRng(7),
    replyText: 'unused',
    modelId: 'claude-sonnet-4.5',
    bodyBytes: 100,
    maxInputTokens: 200_000,
    awsJson: false,
    metadataByDefault: false,
  });
  return decodeChunks(p.actions.flatMap((a) => (a.kind === 'bytes' ? [a.data] : [])));
}

test('text-events N streams exactly N text events with the repeated words and no default reply', () => {
  const { messages, events } = plan('[[mock:text-events 500 abcd]]');
  assert.equal(eventTypes(messages).filter((t) => t === 'assistantResponseEvent').length, 500);
  assert.equal(textOf(events), 'abcd'.repeat(500));
});

test('text-events without words uses a 32-character default', () => {
  const { events } = plan('[[mock:text-events 3]]');
  assert.equal(textOf(events).length, 96);
});

test('text-events rejects a missing or oversized count', () => {
  assert.match(parseDirectives('[[mock:text-events]]').errors.join(), /event count/);
  assert.match(parseDirectives('[[mock:text-events 100001]]').errors.join(), /event count/);
});
