// The event-stream CRCs: zlib.crc32 for messages, a table loop for 8-byte preludes; the loop
// must agree with zlib on every input, or a valid Kiro frame would be refused (or a corrupt one
// let through).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { crc32, crc32Range } from '../../../src/core/kiro/crc32.ts';

test('crc32 is zlib.crc32, continuing from a previous value', () => {
  const data = new TextEncoder().encode('123456789');
  assert.equal(crc32(data), 0xcbf43926); // the CRC-32/ISO-HDLC check value
  assert.equal(crc32(data.subarray(4), crc32(data.subarray(0, 4))), 0xcbf43926);
  assert.equal(crc32, zlib.crc32);
});

test('crc32Range agrees with zlib.crc32 on any bytes and any range', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), fc.nat(), (bytes, a, b) => {
      const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
      const end = start + (bytes.length - start === 0 ? 0 : b % (bytes.length - start + 1));
      assert.equal(crc32Range(bytes, start, end), zlib.crc32(bytes.subarray(start, end)));
    }),
    { numRuns: 2000 },
  );
});

test('the preludes and messages of real Kiro frames check out', () => {
  const body = readFileSync(new URL('../../fixtures/kiro/kirocli-2.4.1_turn1_text.bin', import.meta.url));
  let frames = 0;
  for (let off = 0; off < body.length; frames++) {
    const total = body.readUInt32BE(off);
    assert.equal(crc32Range(body, off, off + 8), body.readUInt32BE(off + 8), `prelude CRC of frame ${frames}`);
    assert.equal(crc32(body.subarray(off, off + total - 4)), body.readUInt32BE(off + total - 4), `message CRC of frame ${frames}`);
    off += total;
  }
  assert.equal(frames, 3);
});
