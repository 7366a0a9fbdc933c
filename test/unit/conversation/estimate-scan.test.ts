// The table-driven scan in estimate.ts against the direct count it replaced: per code unit, a
// switch on the character class and one counter per feature, the weighted sum taken at the end.
// Both must give the same estimate for any text (the stated tolerance against cl100k is about
// the direct count), pieces of a text fed to a token counter (a stream's output) must count as
// the joined text, and texts longer than one of the scan's int32 blocks must not drift.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { estimateKiroBodyTokens, createTokenCounter, estimateTokens, kiroBodyOverhead, kiroBodyTexts } from '../../../src/core/conversation/estimate.ts';
import { normalise } from '../../../src/core/conversation/normalise.ts';
import { TOKEN_CORPUS } from '../../fixtures/tokens/corpus.ts';
import { claudeCodeRequest } from '../../fixtures/tokens/claude-code-request.ts';

/** The direct count: unrounded tokens of one text, weights as fitted (see estimate.ts). */
function directTokens(text: string): number {
  let words = 0;
  let spacedWords = 0;
  let longLetters = 0;
  let run = 0;
  let digits = 0;
  let punct = 0;
  let punctRuns = 0;
  let spaces = 0;
  let spaceRepeats = 0;
  let breaks = 0;
  let cjk = 0;
  let alphaExt = 0;
  let other = 0;
  let prev = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let cls: string;
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
      cls = 'letter';
      if (prev !== 'letter') {
        words++;
        if (prev === 'space') spacedWords++;
        run = 0;
      }
      if (++run > 6) longLetters++;
    } else if (c >= 48 && c <= 57) {
      cls = 'digit';
      digits++;
    } else if (c === 32) {
      cls = 'space';
      spaces++;
      if (prev === 'space') spaceRepeats++;
    } else if (c === 10 || c === 9 || c === 13) {
      cls = 'break';
      breaks++;
    } else if (c < 128) {
      cls = 'punct';
      punct++;
      if (prev !== 'punct') punctRuns++;
    } else {
      cls = '';
      if (c <= 0x052f) alphaExt++;
      else if (isCjk(c)) cjk++;
      else other++;
    }
    prev = cls;
  }
  return (
    words * 0.3043 +
    spacedWords * 0.1 +
    longLetters * 0.1741 +
    digits * 0.7513 +
    punct * 0.0751 +
    punctRuns * 1.1518 +
    spaces * 0.4832 +
    spaceRepeats * -0.4845 +
    breaks * 0.4263 +
    cjk * 1.0 +
    alphaExt * 0.5 +
    other * 1.01
  );
}

function isCjk(c: number): boolean {
  return (
    (c >= 0x3040 && c <= 0x30ff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xac00 && c <= 0xd7af) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xff00 && c <= 0xffef)
  );
}

const directEstimate = (text: string): number => (text.length === 0 ? 0 : Math.max(1, Math.ceil(directTokens(text))));

/**
 * The direct count sums floats in a different order than the scan's exact integer units; they can
 * differ only when the true value is an integer to within rounding, by at most one token.
 */
function assertSame(fast: number, direct: number, what: string): void {
  assert.ok(Math.abs(fast - direct) <= 1, `${what}: ${fast} vs ${direct}`);
}

// Every class and every transition between them: ASCII letters, digits, spaces, breaks and
// punctuation, accented Latin, Cyrillic, CJK, hangul, full-width forms, emoji (surrogate pairs
// and lone halves), controls, BOM, and long words (the long-letter term starts past six).
const PIECES = [
  'a',
  'Z',
  'longwordhere',
  'abcdefg',
  '7',
  '42',
  ' ',
  '   ',
  '\n',
  '\t',
  '\r\n',
  '.',
  '{"',
  '\\',
  '_',
  '-',
  'é',
  'ж',
  'Ǆ',
  '\u052f',
  '\u0530',
  '漢',
  'か',
  '한',
  'Ａ',
  '😀',
  '\ud83d',
  '\u0000',
  '\ufeff',
  '\u2028',
];
const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 80 }).map((p) => p.join(''));
const anyText = fc.oneof(text, fc.string({ unit: 'grapheme', maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }));

test('the table-driven scan equals the direct count on the corpus, exactly', () => {
  for (const s of TOKEN_CORPUS) assert.equal(estimateTokens(s.text), directEstimate(s.text), s.name);
});

test('the table-driven scan equals the direct count on any text (property)', () => {
  let exact = 0;
  let runs = 0;
  fc.assert(
    fc.property(anyText, (t) => {
      const fast = estimateTokens(t);
      const direct = directEstimate(t);
      assertSame(fast, direct, JSON.stringify(t));
      runs++;
      if (fast === direct) exact++;
    }),
    { numRuns: 2_000 },
  );
  // Off by one only at exact integer boundaries: rare.
  assert.ok(exact >= runs * 0.99, `${exact} of ${runs} exact`);
});

/** What the stream assembler does with a stream's output. */
function estimateTokensOfParts(parts: string[]): number {
  const counter = createTokenCounter();
  for (const p of parts) counter.add(p);
  return counter.tokens();
}

test('createTokenCounter: pieces count as the joined text, runs continue across piece boundaries (property)', () => {
  fc.assert(
    fc.property(fc.array(anyText, { maxLength: 12 }), (parts) => {
      assert.equal(estimateTokensOfParts(parts), estimateTokens(parts.join('')));
    }),
    { numRuns: 1_000 },
  );
  assert.equal(estimateTokensOfParts([]), 0);
  assert.equal(estimateTokensOfParts(['', '']), 0);
  // "abc" + "defgh": one eight-letter word, two letters past the sixth.
  assert.equal(estimateTokensOfParts(['abc', 'defgh']), estimateTokens('abcdefgh'));
});

test('texts longer than one scan block (65 536 code units) do not drift', () => {
  const unit = 'const x = 12; // ünïcödé 漢字 😀 wordsthatarelong\n';
  const long = unit.repeat(Math.ceil(300_000 / unit.length));
  assert.equal(estimateTokens(long), directEstimate(long));
  // One letter run straddling a block boundary.
  const run = 'a'.repeat(200_000);
  assert.equal(estimateTokens(run), directEstimate(run));
  assert.equal(estimateTokensOfParts([long, run, long]), directEstimate(long + run + long));
});

test('the body estimate of a 200 KB Claude Code-shaped request is the direct count', () => {
  const req = claudeCodeRequest(200_000);
  const body = normalise(req, { modelId: 'claude-sonnet-4.5', conversationId: '00000000-0000-4000-8000-000000000000' }).body;
  let direct = 0;
  const counts = kiroBodyTexts(body, (t) => {
    direct += directTokens(t);
  });
  assertSame(estimateKiroBodyTokens(body), Math.ceil(direct + kiroBodyOverhead(counts)), 'body');
});
