// IEEE CRC-32 (zlib's), as AWS event-stream frames use for the prelude and the message. Every
// CRC here is Node's own zlib.crc32 (Node >= 20.15 / 22.2; the VS Code extension host is Node
// 22), except the one that runs per frame on 8 bytes: the prelude check. For 8 bytes a call into
// zlib (plus the subarray it needs) costs ~130 ns against ~16 ns for this table loop, which makes
// the whole decoder 12 % slower (212 → 186 MB per CPU-second, BENCHMARKS.md "Dependencies and
// platform twins"). The table loop is checked against zlib.crc32 by test/unit/kiro/crc32.test.ts.
import { crc32 } from 'node:zlib';

export { crc32 };

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of the few bytes `data[start, end)` (an event-stream prelude), without a subarray. */
export function crc32Range(data: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
