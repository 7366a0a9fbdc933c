// jsonDepthExceeds jumps over strings with indexOf; it must agree with the plain
// char-by-char scan on every input, including broken and hostile ones.
import { test } from 'node:test';
import fc from 'fast-check';
import { jsonDepthExceeds } from '../../../src/core/server/body.ts';

function reference(text: string, maxDepth: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return -1;
}

test('agrees with a char-by-char scan on arbitrary bracket/quote/backslash soup', () => {
  const soup = fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', ',', ':'), maxLength: 200 });
  fc.assert(
    fc.property(soup, fc.integer({ min: 0, max: 8 }), (s, max) => jsonDepthExceeds(s, max) === reference(s, max)),
    { numRuns: 3000 },
  );
});

test('agrees on real JSON texts', () => {
  fc.assert(
    fc.property(fc.json({ maxDepth: 12 }), fc.integer({ min: 1, max: 10 }), (s, max) => jsonDepthExceeds(s, max) === reference(s, max)),
    { numRuns: 1000 },
  );
});
