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
// tokenizer: see tokenizer.ts. Cost: bench/estimate.ts.
import type { NeutralBlock, NeutralRequest } from './types.ts';
import type { KiroChatMessage, KiroRequestBody, KiroToolSpecification, KiroUserInputMessage } from '../kiro/wire.ts';

// Character classes of the ASCII range.
const LETTER = 1;
const DIGIT = 2;
const SPACE = 3;
const BREAK = 4;
const PUNCT = 5;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) CLASS[c] = LETTER;
  else if (c >= 48 && c <= 57) CLASS[c] = DIGIT;
  else if (c === 32) CLASS[c] = SPACE;
  else if (c === 10 || c === 9 || c === 13) CLASS[c] = BREAK;
  else CLASS[c] = PUNCT;
}

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

/** Unrounded estimate; sums of many pieces round once at the end. */
function rawTokens(text: string): number {
  let longLetters = 0;
  let spacedWords = 0;
  let run = 0;
  let digits = 0;
  let punct = 0;
  let punctRuns = 0;
  let spaces = 0;
  let spaceRepeats = 0;
  let breaks = 0;
  let words = 0;
  let cjk = 0;
  let alphaExt = 0;
  let other = 0;
  let prev = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      const cls = CLASS[c]!;
      switch (cls) {
        case LETTER:
          if (prev !== LETTER) {
            words++;
            if (prev === SPACE) spacedWords++;
            run = 0;
          }
          if (++run > LONG_WORD) longLetters++;
          break;
        case DIGIT:
          digits++;
          break;
        case SPACE:
          spaces++;
          if (prev === SPACE) spaceRepeats++;
          break;
        case BREAK:
          breaks++;
          break;
        default:
          punct++;
          if (prev !== PUNCT) punctRuns++;
      }
      prev = cls;
      continue;
    }
    prev = 0;
    if (c <= 0x052f) alphaExt++;
    else if (isCjk(c)) cjk++;
    else other++;
  }
  return (
    words * W_WORD +
    spacedWords * W_SPACED_WORD +
    longLetters * W_LONG_LETTER +
    digits * W_DIGIT +
    punct * W_PUNCT +
    punctRuns * W_PUNCT_RUN +
    spaces * W_SPACE +
    spaceRepeats * W_SPACE_REPEAT +
    breaks * W_BREAK +
    cjk * W_CJK +
    alphaExt * W_ALPHA_EXT +
    other * W_OTHER
  );
}

/** Estimated cl100k tokens of one text. */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  return Math.max(1, Math.ceil(rawTokens(text)));
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
  let total = 0;
  const counts = kiroBodyTexts(body, (t) => {
    total += rawTokens(t);
  });
  return Math.ceil(total + kiroBodyOverhead(counts));
}
