// The event-stream decoder on arbitrary bytes and mutated real frames, split at any byte:
// whole messages or an EventStreamError, never another exception, never a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkDecoder, decoderInput, fuzzRuns } from './properties.ts';
import { EventStreamDecoder, EventStreamError } from '../../../src/core/kiro/frame-decoder.ts';
import { encodeKiroEvent } from '../../../src/core/kiro/frame-encoder.ts';

test('decoder: arbitrary and mutated byte streams never crash', { timeout: 60_000 }, () => {
  fc.assert(
    fc.property(decoderInput, (input) => {
      checkDecoder(input);
    }),
    { numRuns: fuzzRuns(2000) },
  );
});

test('decoder: a frame claiming a huge length fails fast instead of waiting for it', () => {
  const frame = encodeKiroEvent('assistantResponseEvent', { content: 'x' });
  const dec = new EventStreamDecoder({ maxFrameBytes: 1024 });
  const evil = frame.slice();
  new DataView(evil.buffer).setUint32(0, 0x7fffffff);
  assert.throws(
    () => dec.push(evil),
    (err: unknown) => err instanceof EventStreamError,
  );
});

test('decoder: valid streams split anyhow decode to the same messages', () => {
  const frames = [encodeKiroEvent('assistantResponseEvent', { content: 'a' }), encodeKiroEvent('assistantResponseEvent', { content: 'bc' })];
  const all = new Uint8Array(frames[0]!.length + frames[1]!.length);
  all.set(frames[0]!);
  all.set(frames[1]!, frames[0]!.length);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }), (splits) => {
      assert.equal(checkDecoder({ bytes: all, splits }), 2);
    }),
    { numRuns: 300 },
  );
});
