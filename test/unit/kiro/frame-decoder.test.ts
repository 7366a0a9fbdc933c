import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EventStreamDecoder, EventStreamError, decodeFrame, headerString, type EventStreamMessage } from '../../../src/core/kiro/frame-decoder.ts';
import { encodeFrame, encodeKiroEvent, encodeKiroError, encodeKiroException } from '../../../src/core/kiro/frame-encoder.ts';
import { toKiroEvent } from '../../../src/core/kiro/kiro-event.ts';

// Real kiro-cli 2.4.1 captures (see test/fixtures/kiro/README.md for provenance).
const fixtureDir = new URL('../../fixtures/kiro/', import.meta.url);
const decodedView = JSON.parse(readFileSync(new URL('kirocli-2.4.1_frames_decoded.json', fixtureDir), 'utf8')) as Record<
  string,
  { bytes: number; frames: { headers: [string, number, string][]; payload: string }[] }
>;
const captures = Object.keys(decodedView).map((name) => ({
  name,
  bytes: new Uint8Array(readFileSync(new URL(name, fixtureDir))),
  expected: decodedView[name]!.frames.map((f) => ({ headers: f.headers, payload: f.payload })),
}));

const td = new TextDecoder();
function summary(msgs: EventStreamMessage[]) {
  return msgs.map((m) => ({
    headers: [...m.headers].map(([k, v]) => [k, v.type === 'string' ? 7 : -1, v.value]),
    payload: td.decode(m.payload),
  }));
}

describe('event-stream decoder on real Kiro captures', () => {
  for (const cap of captures) {
    test(`${cap.name}: whole buffer decodes to the published frames`, () => {
      assert.equal(cap.bytes.length, decodedView[cap.name]!.bytes);
      const dec = new EventStreamDecoder();
      const msgs = dec.push(cap.bytes);
      dec.end();
      assert.deepEqual(summary(msgs), cap.expected);
    });

    test(`${cap.name}: every split point (2 chunks) gives the same frames`, () => {
      for (let i = 0; i <= cap.bytes.length; i++) {
        const dec = new EventStreamDecoder();
        const msgs = [...dec.push(cap.bytes.subarray(0, i)), ...dec.push(cap.bytes.subarray(i))];
        dec.end();
        assert.deepEqual(summary(msgs), cap.expected, `split at ${i}`);
      }
    });

    test(`${cap.name}: one byte at a time, and every pair of split points`, () => {
      const dec = new EventStreamDecoder();
      const msgs: EventStreamMessage[] = [];
      for (let i = 0; i < cap.bytes.length; i++) msgs.push(...dec.push(cap.bytes.subarray(i, i + 1)));
      dec.end();
      assert.deepEqual(summary(msgs), cap.expected);
      // three chunks: every (i, j) — a few tens of thousands of decodes, still fast
      for (let i = 0; i <= cap.bytes.length; i += 3) {
        for (let j = i; j <= cap.bytes.length; j += 7) {
          const d = new EventStreamDecoder();
          const got = [...d.push(cap.bytes.subarray(0, i)), ...d.push(cap.bytes.subarray(i, j)), ...d.push(cap.bytes.subarray(j))];
          d.end();
          assert.equal(got.length, cap.expected.length);
        }
      }
    });
  }

  test('captures become typed Kiro events', () => {
    const text = captures.find((c) => c.name.includes('turn1'))!;
    const events = new EventStreamDecoder().push(text.bytes).map(toKiroEvent);
    assert.deepEqual(events[0], { type: 'initialResponse' });
    assert.equal(events[1]!.type, 'assistantResponse');
    const joined = events.flatMap((e) => (e.type === 'assistantResponse' ? [e.content] : [])).join('');
    assert.equal(joined, '你好！我是 ');
    const tool = captures.find((c) => c.name.includes('tooluse'))!;
    const tevents = new EventStreamDecoder().push(tool.bytes).map(toKiroEvent);
    const tu = tevents.find((e) => e.type === 'toolUse');
    assert.ok(tu && tu.type === 'toolUse');
    assert.equal(tu.name, 'read');
    assert.match(tu.toolUseId, /^tooluse_/);
    assert.equal(tu.input, undefined);
  });
});

describe('event-stream integrity checks', () => {
  const frame = encodeKiroEvent('assistantResponseEvent', { content: 'hi', modelId: 'auto' });

  test('bad message CRC is rejected', () => {
    const bad = frame.slice();
    bad[bad.length - 6]! ^= 0x01; // flip a payload bit
    assert.throws(
      () => new EventStreamDecoder().push(bad),
      (e: unknown) => e instanceof EventStreamError && e.code === 'message_crc',
    );
  });

  test('bad prelude CRC is rejected before waiting for the body', () => {
    const bad = frame.slice();
    bad[9]! ^= 0xff;
    const dec = new EventStreamDecoder();
    assert.throws(
      () => dec.push(bad.subarray(0, 12)),
      (e: unknown) => e instanceof EventStreamError && e.code === 'prelude_crc',
    );
    // the decoder stays failed
    assert.throws(
      () => dec.push(new Uint8Array(1)),
      (e: unknown) => e instanceof EventStreamError && e.code === 'prelude_crc',
    );
  });

  test('oversize frame is rejected from its prelude alone', () => {
    const big = encodeKiroEvent('assistantResponseEvent', { content: 'x'.repeat(5000) });
    const dec = new EventStreamDecoder({ maxFrameBytes: 1024 });
    assert.throws(
      () => dec.push(big.subarray(0, 12)),
      (e: unknown) => e instanceof EventStreamError && e.code === 'frame_too_large',
    );
  });

  test('a stream ending inside a frame is an error at end()', () => {
    const dec = new EventStreamDecoder();
    assert.deepEqual(dec.push(frame.subarray(0, frame.length - 1)), []);
    assert.throws(
      () => dec.end(),
      (e: unknown) => e instanceof EventStreamError && e.code === 'truncated',
    );
  });

  test('frame too small and header lengths that do not fit are rejected', () => {
    const tiny = encodeFrame([], '');
    assert.equal(tiny.length, 16);
    assert.equal(decodeFrame(tiny).payload.length, 0);
    const bogus = frame.slice();
    new DataView(bogus.buffer).setUint32(4, 0xffff);
    assert.throws(() => decodeFrame(bogus), EventStreamError);
  });
});

describe('header value types', () => {
  test('all ten types round-trip', () => {
    const ts = new Date(1_700_000_000_123);
    const bytes = Uint8Array.of(1, 2, 3, 255);
    const f = encodeFrame(
      [
        ['t', { type: 'bool', value: true }],
        ['f', { type: 'bool', value: false }],
        ['i8', { type: 'int8', value: -5 }],
        ['i16', { type: 'int16', value: -300 }],
        ['i32', { type: 'int32', value: 70000 }],
        ['i64', { type: 'int64', value: -(2n ** 40n) }],
        ['b', { type: 'bytes', value: bytes }],
        ['s', 'héllo'],
        ['ts', { type: 'timestamp', value: ts }],
        ['u', { type: 'uuid', value: '0b4445e1-f5be-49e1-87ce-62bbc28ad705' }],
      ],
      '{}',
    );
    const m = decodeFrame(f);
    assert.deepEqual(m.headers.get('t'), { type: 'bool', value: true });
    assert.deepEqual(m.headers.get('f'), { type: 'bool', value: false });
    assert.deepEqual(m.headers.get('i8'), { type: 'int8', value: -5 });
    assert.deepEqual(m.headers.get('i16'), { type: 'int16', value: -300 });
    assert.deepEqual(m.headers.get('i32'), { type: 'int32', value: 70000 });
    assert.deepEqual(m.headers.get('i64'), { type: 'int64', value: -(2n ** 40n) });
    assert.deepEqual(m.headers.get('b'), { type: 'bytes', value: bytes });
    assert.equal(headerString(m, 's'), 'héllo');
    assert.deepEqual(m.headers.get('ts'), { type: 'timestamp', value: ts });
    assert.deepEqual(m.headers.get('u'), { type: 'uuid', value: '0b4445e1-f5be-49e1-87ce-62bbc28ad705' });
  });
});

describe('typed events', () => {
  const one = (f: Uint8Array) => toKiroEvent(decodeFrame(f));

  test('exception and error frames', () => {
    assert.deepEqual(one(encodeKiroException('ContentLengthExceededException', { message: 'too long' })), {
      type: 'exception',
      exceptionType: 'ContentLengthExceededException',
      message: 'too long',
    });
    assert.deepEqual(one(encodeKiroError('InternalError', 'boom')), { type: 'error', code: 'InternalError', message: 'boom' });
  });

  test('unknown event types are surfaced as unknown (to be ignored)', () => {
    assert.deepEqual(one(encodeKiroEvent('somethingNewEvent', { a: 1 })), { type: 'unknown', eventType: 'somethingNewEvent' });
    assert.deepEqual(one(encodeKiroEvent('supplementaryWebLinksEvent', { supplementaryWebLinks: [] })), {
      type: 'unknown',
      eventType: 'supplementaryWebLinksEvent',
    });
  });

  test('tool use fragments, object input, metering, context usage, metadata, reasoning', () => {
    assert.deepEqual(one(encodeKiroEvent('toolUseEvent', { input: '{"a":', name: 'read', toolUseId: 'tooluse_1' })), {
      type: 'toolUse',
      toolUseId: 'tooluse_1',
      name: 'read',
      input: '{"a":',
    });
    assert.deepEqual(one(encodeKiroEvent('toolUseEvent', { input: { a: 1 }, name: 'r', stop: true, toolUseId: 't' })), {
      type: 'toolUse',
      toolUseId: 't',
      name: 'r',
      input: '{"a":1}',
      stop: true,
    });
    assert.deepEqual(one(encodeKiroEvent('meteringEvent', { unit: 'credit', unitPlural: 'credits', usage: 0.0273 })), {
      type: 'metering',
      unit: 'credit',
      unitPlural: 'credits',
      usage: 0.0273,
    });
    assert.deepEqual(one(encodeKiroEvent('contextUsageEvent', { contextUsagePercentage: 12.34 })), {
      type: 'contextUsage',
      contextUsagePercentage: 12.34,
    });
    assert.deepEqual(one(encodeKiroEvent('metadataEvent', { tokenUsage: { outputTokens: 5, uncachedInputTokens: 10 } })), {
      type: 'metadata',
      tokenUsage: { outputTokens: 5, uncachedInputTokens: 10 },
    });
    assert.deepEqual(one(encodeKiroEvent('reasoningContentEvent', { signature: 's', text: 'hmm' })), {
      type: 'reasoning',
      text: 'hmm',
      signature: 's',
    });
    // nested member form
    assert.deepEqual(one(encodeKiroEvent('assistantResponseEvent', { assistantResponseEvent: { content: 'x' } })), {
      type: 'assistantResponse',
      content: 'x',
    });
  });

  test('encoder writes alphabetical payload keys and the real header order', () => {
    const m = decodeFrame(encodeKiroEvent('toolUseEvent', { toolUseId: 't', name: 'n', input: 'i' }));
    assert.equal(td.decode(m.payload), '{"input":"i","name":"n","toolUseId":"t"}');
    assert.deepEqual([...m.headers.keys()], [':event-type', ':content-type', ':message-type']);
  });
});
