import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createOutputLimiter, estimateTokensFromChars } from '../../../src/core/dialects/output-limits.ts';
import type { NeutralEvent } from '../../../src/core/conversation/types.ts';
import { usage } from './helpers.ts';

const text = (t: string): NeutralEvent => ({ type: 'text_delta', text: t });
const end: NeutralEvent = { type: 'end', stopReason: 'end_turn', usage: usage(10, 5) };
const texts = (evs: NeutralEvent[]) => evs.flatMap((e) => (e.type === 'text_delta' ? [e.text] : []));

describe('stop sequences', () => {
  test('a stop sequence split across three deltas; text before it is not delayed', () => {
    const l = createOutputLimiter({ stopSequences: ['END'] }, 42);
    assert.deepEqual(l.push(text('Hello E')), [text('Hello ')]);
    assert.deepEqual(l.push(text('N')), []);
    const last = l.push(text('D and more'));
    assert.deepEqual(last, [{ type: 'end', stopReason: 'stop_sequence', stopSequence: 'END', usage: { inputTokens: 42, outputTokens: 2 } }]);
    assert.equal(l.stopped(), true);
    assert.deepEqual(l.push(text('ignored')), []);
    assert.deepEqual(l.push(end), []);
  });

  test('text that cannot start a stop sequence passes at once; a false start is released', () => {
    const l = createOutputLimiter({ stopSequences: ['XYZ'] }, 0);
    assert.deepEqual(l.push(text('abc')), [text('abc')]);
    assert.deepEqual(l.push(text('abX')), [text('ab')]);
    assert.deepEqual(l.push(text('q')), [text('Xq')]);
    assert.deepEqual(l.push(text('XY')), []);
    assert.deepEqual(l.push(end), [text('XY'), end]);
    assert.equal(l.stopped(), false);
  });

  test('held text is flushed before a tool call; the earliest of several sequences wins', () => {
    const l = createOutputLimiter({ stopSequences: ['STOP', 'b c'] }, 0);
    const start: NeutralEvent = { type: 'tool_call_start', index: 0, id: 't', name: 'f' };
    assert.deepEqual(l.push(text('ST')), []);
    assert.deepEqual(l.push(start), [text('ST'), start]);
    const l2 = createOutputLimiter({ stopSequences: ['STOP', 'b c'] }, 0);
    const out = l2.push(text('a b cSTOP'));
    assert.deepEqual(texts(out), ['a ']);
    const last = out.at(-1);
    assert.ok(last?.type === 'end');
    assert.equal(last.stopSequence, 'b c');
  });

  test('property: emitted text is exactly the text before the first stop sequence, however it is chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[ab ]{0,6}$/), { maxLength: 12 }), fc.stringMatching(/^[ab]{1,3}$/), (chunks, stop) => {
        const l = createOutputLimiter({ stopSequences: [stop] }, 0);
        const out: NeutralEvent[] = [];
        for (const c of chunks) out.push(...l.push(text(c)));
        out.push(...l.push(end));
        const full = chunks.join('');
        const at = full.indexOf(stop);
        assert.equal(texts(out).join(''), at >= 0 ? full.slice(0, at) : full);
        const last = out.at(-1);
        assert.equal(last?.type, 'end');
        assert.equal(last?.type === 'end' && last.stopReason, at >= 0 ? 'stop_sequence' : 'end_turn');
      }),
    );
  });
});

describe('max tokens', () => {
  test('text is cut at the estimated budget and the answer ends with max_tokens', () => {
    const l = createOutputLimiter({ maxTokens: 3 }, 99);
    assert.deepEqual(l.push(text('abcdefgh')), [text('abcdefgh')]);
    assert.deepEqual(l.push(text('ijklmnop')), [text('ijkl'), { type: 'end', stopReason: 'max_tokens', usage: { inputTokens: 99, outputTokens: 3 } }]);
    assert.equal(l.stopped(), true);
    assert.equal(estimateTokensFromChars(12), 3);
  });

  test('thinking counts; a started tool call is never cut; the next one is not started once over budget', () => {
    const l = createOutputLimiter({ maxTokens: 2 }, 0);
    assert.deepEqual(l.push({ type: 'thinking_delta', text: 'hmm' }), [{ type: 'thinking_delta', text: 'hmm' }]);
    const start: NeutralEvent = { type: 'tool_call_start', index: 0, id: 't', name: 'f' };
    const delta: NeutralEvent = { type: 'tool_call_delta', index: 0, json: '{"a":"long value"}' };
    const stop: NeutralEvent = { type: 'tool_call_end', index: 0, input: { a: 'long value' } };
    assert.deepEqual(l.push(start), [start]);
    assert.deepEqual(l.push(delta), [delta]);
    assert.deepEqual(l.push(stop), [stop]);
    const out = l.push({ type: 'tool_call_start', index: 1, id: 'u', name: 'g' });
    assert.deepEqual(
      out.map((e) => e.type),
      ['end'],
    );
    assert.equal(out[0]?.type === 'end' && out[0].stopReason, 'max_tokens');
  });

  test('never splits a surrogate pair', () => {
    const l = createOutputLimiter({ maxTokens: 1 }, 0);
    const out = l.push(text('abc😀def'));
    assert.deepEqual(texts(out), ['abc']);
  });

  test('stop sequence and budget together: the budget cut wins when it comes first', () => {
    const l = createOutputLimiter({ maxTokens: 1, stopSequences: ['ZZ'] }, 0);
    const out = l.push(text('abcdefZZ'));
    assert.deepEqual(texts(out), ['abcd']);
    const last = out.at(-1);
    assert.ok(last?.type === 'end');
    assert.equal(last.stopReason, 'max_tokens');
  });

  test('no limits: everything passes through untouched, upstream end included', () => {
    const l = createOutputLimiter({}, 0);
    const evs: NeutralEvent[] = [text('a'), { type: 'thinking_delta', text: 'b' }, { type: 'thinking_signature', signature: 's' }, end];
    assert.deepEqual(
      evs.flatMap((e) => l.push(e)),
      evs,
    );
    assert.equal(l.stopped(), false);
  });
});
