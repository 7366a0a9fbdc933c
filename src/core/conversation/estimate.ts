// Fast token estimates without a tokenizer, for the hot path (every request, every stream end).
//
// Method: one pass over the UTF-16 code units counts a few character classes (letters, digits,
// punctuation and punctuation runs, spaces and space runs, newlines/tabs, word starts, CJK, other
// non-ASCII) and weighs them linearly. The weights were fitted by least squares against
// gpt-tokenizer's cl100k_base on ~570 chunks of 4 KB of third-party code, docs and JSON (the
// installed node_modules; not kept), plus one hand-tuned term for prose (the fit data was
// code-heavy). Checked on the hand-written corpus in test/fixtures/tokens/corpus.ts: every sample
// within ±15% of cl100k (measured −7.4%…+9.9%), the corpus as a whole within ±5% (+3.4%), a 200 KB
// Claude Code-shaped request within ±10% (+1.8%) — test/unit/conversation/estimate-tolerance.test.ts.
// Plain repetitive English prose is the weak spot (about −12%). Why cl100k and not Claude's
// tokenizer: see tokenizer.ts. Cost: bench/estimate.ts. The scan is table driven (CLASS and PAIR
// below); test/unit/conversation/estimate-scan.test.ts checks it against the direct per-class
// count it replaced.
import type { NeutralBlock, NeutralRequest } from './types.ts';
import type { KiroChatMessage, KiroRequestBody, KiroToolSpecification, KiroUserInputMessage } from '../kiro/wire.ts';

// Character classes of UTF-16 code units. NONE is only ever the "previous class" at the start
// of a text; the three non-ASCII classes behave like NONE as a previous class (no run continues
// across them). LETTER is the only odd class, so `cls & 1` tells a letter without a lookup.
const NONE = 0;
const LETTER = 1;
const DIGIT = 2;
const SPACE = 4;
const BREAK = 6;
const PUNCT = 8;
const ALPHA_EXT = 10;
const CJK = 12;
const OTHER = 14;

/**
 * Fitted weights (tokens per occurrence). A word (letter run) costs W_WORD plus W_LONG_LETTER per
 * letter past the sixth; runs: a space after a space, the start of a punctuation run.
 */
const W_WORD = 0.3043;
const W_LONG_LETTER = 0.1741;
const LONG_WORD = 6;
/** Hand-tuned on top of the fit (its data was code-heavy): prose words follow a space. */
const W_SPACED_WORD = 0.1;
const W_DIGIT = 0.7513;
const W_PUNCT = 0.0751;
const W_PUNCT_RUN = 1.1518;
const W_SPACE = 0.4832;
const W_SPACE_REPEAT = -0.4845;
const W_BREAK = 0.4263;
/** CJK ideographs, kana, hangul: about one cl100k token each (corpus: 0.9–1.0). */
const W_CJK = 1.0;
/** Accented Latin, Greek, Cyrillic: two UTF-8 bytes, often merged (corpus: ~0.5). */
const W_ALPHA_EXT = 0.5;
/** Symbols, emoji halves, everything else: three-plus UTF-8 bytes, rarely merged. */
const W_OTHER = 1.01;

const IMAGE_TOKENS = 1_600;
const MESSAGE_OVERHEAD = 4;
const TOOL_OVERHEAD = 10;

function isCjk(code: number): boolean {
  return (
    (code >= 0x3040 && code <= 0x30ff) || // hiragana, katakana
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0xac00 && code <= 0xd7af) || // hangul
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xff00 && code <= 0xffef) // full-width forms
  );
}

function classOf(c: number): number {
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return LETTER;
  if (c >= 48 && c <= 57) return DIGIT;
  if (c === 32) return SPACE;
  if (c === 10 || c === 9 || c === 13) return BREAK;
  if (c < 128) return PUNCT;
  if (c <= 0x052f) return ALPHA_EXT;
  return isCjk(c) ? CJK : OTHER;
}

// The scan is table driven and branch free per code unit. Texts alternate classes every 2–3
// characters (a 200 KB Claude Code request: 2.5 per run), so a branch on the class mispredicts
// about once per run; instead each code unit adds the weight of its (previous class, class) pair,
// looked up in a table, to an integer sum. Weights are held in units of 1/10 000 token (every
// fitted weight has four decimals, so the integer sum is exact; summing the weighted counts in
// floating point, as before, could only differ in the last bits). 64 KiB of classes cover every
// UTF-16 code unit; ASCII text touches the first 128 bytes.
const UNITS = 10_000;
const CLASS = new Uint8Array(0x10000);
for (let c = 0; c < 0x10000; c++) CLASS[c] = classOf(c);

/** Units added by a code unit of class `cls` after one of class `prev`: PAIR[(prev << 4) | cls]. */
const PAIR = new Int32Array(16 * 16);
const units = (w: number): number => Math.round(w * UNITS);
for (let prev = 0; prev < 16; prev++) {
  const at = (cls: number, w: number) => {
    PAIR[(prev << 4) | cls] = units(w);
  };
  at(LETTER, prev === LETTER ? 0 : prev === SPACE ? W_WORD + W_SPACED_WORD : W_WORD);
  at(DIGIT, W_DIGIT);
  at(SPACE, prev === SPACE ? W_SPACE + W_SPACE_REPEAT : W_SPACE);
  at(BREAK, W_BREAK);
  at(PUNCT, prev === PUNCT ? W_PUNCT : W_PUNCT + W_PUNCT_RUN);
  at(ALPHA_EXT, W_ALPHA_EXT);
  at(CJK, W_CJK);
  at(OTHER, W_OTHER);
}
const LONG_LETTER_UNITS = units(W_LONG_LETTER);
/**
 * Code units per block: the block's sum stays a small integer (at most 12 269 units per code
 * unit, a punctuation run's start, × 65 536 < 2^31), so the optimising compiler keeps it in an
 * int32 register; the total across blocks is a double, exact for any string length.
 */
const BLOCK = 0x10000;

/** A scan in progress: the class and letter run it ended on, and the units so far. */
interface ScanState {
  prev: number;
  run: number;
  units: number;
}

const newScan = (): ScanState => ({ prev: NONE, run: 0, units: 0 });

/**
 * Adds the units of `text` to a scan. A run (a word, spaces, punctuation) continues from the text
 * the scan saw before, so pieces of a text count as the joined text.
 */
function scan(st: ScanState, text: string): void {
  let prev = st.prev;
  let run = st.run;
  const n = text.length;
  for (let from = 0; from < n; from += BLOCK) {
    const to = n - from > BLOCK ? from + BLOCK : n;
    let sum = 0;
    for (let i = from; i < to; i++) {
      const cls = CLASS[text.charCodeAt(i)]!;
      sum += PAIR[(prev << 4) | cls]!;
      // The letter run goes on on a letter and restarts at 0 on anything else (cls & 1: letter).
      run = (run + 1) * (cls & LETTER);
      // Letters past the sixth of a run: (LONG_WORD - run) is negative exactly then.
      sum += ((LONG_WORD - run) >> 31) & LONG_LETTER_UNITS;
      prev = cls;
    }
    st.units += sum;
  }
  st.prev = prev;
  st.run = run;
}

/** Units of one text on its own. */
function textUnits(text: string): number {
  const st = newScan();
  scan(st, text);
  return st.units;
}

/** Unrounded estimate; sums of many pieces round once at the end. */
function rawTokens(text: string): number {
  return textUnits(text) / UNITS;
}

/** Estimated cl100k tokens of one text. */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  return Math.max(1, Math.ceil(rawTokens(text)));
}

/**
 * Output tokens of a stream, counted piece by piece as it passes (the stream assembler): nothing of
 * the text is kept, and the count is estimateTokens of the pieces joined.
 */
export interface TokenCounter {
  add(text: string): void;
  /** estimateTokens of everything added, joined. */
  tokens(): number;
}

export function createTokenCounter(): TokenCounter {
  const st = newScan();
  let empty = true;
  return {
    add(text) {
      if (text.length === 0) return;
      empty = false;
      scan(st, text);
    },
    tokens: () => (empty ? 0 : Math.max(1, Math.ceil(st.units / UNITS))),
  };
}

function json(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

function blockTokens(b: NeutralBlock): number {
  switch (b.type) {
    case 'text':
      return rawTokens(b.text);
    case 'image':
      return IMAGE_TOKENS;
    case 'tool_use':
      return rawTokens(b.name) + rawTokens(json(b.input)) + TOOL_OVERHEAD;
    case 'tool_result':
      return rawTokens(b.content) + (b.images?.length ?? 0) * IMAGE_TOKENS + TOOL_OVERHEAD;
    case 'thinking':
      return rawTokens(b.text);
  }
}

/** Unrounded estimate of one neutral message (truncation weighs turns with it). */
export function messageTokens(m: NeutralRequest['messages'][number]): number {
  let total = MESSAGE_OVERHEAD;
  for (const b of m.content) total += blockTokens(b);
  return total;
}

/**
 * Input tokens of a client request before normalisation. The numbers clients see come from
 * estimateKiroBodyTokens (the request as sent); this one weighs what truncation may drop.
 */
export function estimateRequestTokens(req: NeutralRequest): number {
  let total = rawTokens(req.system);
  for (const m of req.messages) total += messageTokens(m);
  for (const t of req.tools) total += TOOL_OVERHEAD + rawTokens(t.name) + rawTokens(t.description) + rawTokens(json(t.inputSchema));
  return Math.ceil(total);
}

/**
 * The texts of a Kiro body the model reads, in order, without ids (conversation/continuation ids
 * are random per request and must not move the count). Shared by the fast estimate and the exact
 * tokenizer count so both measure the same thing.
 */
export function kiroBodyTexts(body: KiroRequestBody, visit: (text: string) => void): { messages: number; images: number; tools: number } {
  const st = body.conversationState;
  let messages = 0;
  let images = 0;
  let tools = 0;
  const user = (u: KiroUserInputMessage) => {
    visit(u.content);
    images += u.images?.length ?? 0;
    for (const r of u.userInputMessageContext?.toolResults ?? []) {
      for (const c of r.content) visit('text' in c ? c.text : json(c.json));
    }
    for (const t of u.userInputMessageContext?.tools ?? []) tool(t);
  };
  const tool = (t: KiroToolSpecification) => {
    tools++;
    visit(t.toolSpecification.name);
    visit(t.toolSpecification.description);
    visit(json(t.toolSpecification.inputSchema.json));
  };
  const message = (m: KiroChatMessage) => {
    messages++;
    if ('userInputMessage' in m) return user(m.userInputMessage);
    visit(m.assistantResponseMessage.content);
    for (const u of m.assistantResponseMessage.toolUses ?? []) {
      visit(u.name);
      visit(json(u.input));
    }
  };
  for (const m of st.history ?? []) message(m);
  message(st.currentMessage);
  return { messages, images, tools };
}

/** Fixed costs of a body that are not text: message framing, images, tool framing. */
export function kiroBodyOverhead(counts: { messages: number; images: number; tools: number }): number {
  return counts.messages * MESSAGE_OVERHEAD + counts.images * IMAGE_TOKENS + counts.tools * TOOL_OVERHEAD;
}

/**
 * Input tokens of a normalised Kiro request: what message_start, OpenAI usage and count_tokens
 * report before Kiro's own figures arrive. The system text is inside (the normaliser's system pair).
 */
export function estimateKiroBodyTokens(body: KiroRequestBody): number {
  // Integer units throughout (exact), divided once.
  let total = 0;
  const counts = kiroBodyTexts(body, (t) => {
    total += textUnits(t);
  });
  return Math.ceil((total + kiroBodyOverhead(counts) * UNITS) / UNITS);
}
