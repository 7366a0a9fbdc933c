// A long Kiro answer as the mock encodes it, for the in-process benchmarks (translate.ts,
// event-stream-decoders.ts): deterministic, so every run and every arm decodes the same bytes.
import { encodeKiroEvent } from '../../src/core/kiro/frame-encoder.ts';

const WORDS = 'Sure, here is the refactored function. It keeps the original behaviour but avoids the extra copy of the buffer and handles errors'.split(' ');

/** A realistic answer: text deltas of 1–8 words, with a tool call every 2,000 events. */
export function frames(count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let x = 12345;
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    if (i % 2000 === 1999) {
      const id = `tooluse_${i}`;
      out.push(encodeKiroEvent('toolUseEvent', { name: 'Read', toolUseId: id }));
      out.push(encodeKiroEvent('toolUseEvent', { input: '{"file_path":"/work/src/', name: 'Read', toolUseId: id }));
      out.push(encodeKiroEvent('toolUseEvent', { input: `module-${i}.ts"}`, name: 'Read', toolUseId: id }));
      out.push(encodeKiroEvent('toolUseEvent', { name: 'Read', stop: true, toolUseId: id }));
      continue;
    }
    const n = 1 + (x % 8);
    const words = Array.from({ length: n }, (_, k) => WORDS[(x >>> (k * 3)) % WORDS.length]).join(' ');
    out.push(encodeKiroEvent('assistantResponseEvent', { content: words + ' ', modelId: 'claude-sonnet-4.5' }));
  }
  out.push(encodeKiroEvent('meteringEvent', { unit: 'credit', unitPlural: 'credits', usage: 0.5 }));
  out.push(encodeKiroEvent('contextUsageEvent', { contextUsagePercentage: 12.5 }));
  return out;
}

/** The concatenated frames cut into reads of `size` bytes. */
export function chunk(all: Uint8Array[], size: number): Uint8Array[] {
  const buf = Buffer.concat(all);
  const out: Uint8Array[] = [];
  for (let off = 0; off < buf.length; off += size) out.push(buf.subarray(off, off + size));
  return out;
}
