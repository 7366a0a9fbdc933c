// Fast token estimates without a tokenizer: Latin text averages ~4 chars per token, CJK and other
// wide scripts about one token per char. Calibrated later against gpt-tokenizer; keep it pure.
import type { NeutralBlock, NeutralRequest } from './types.ts';

const LATIN_CHARS_PER_TOKEN = 4;
/** CJK ideographs, kana, hangul: roughly one token each in Claude-family tokenizers. */
const CJK_TOKENS_PER_CHAR = 1.1;
/** Other non-ASCII (accented Latin, Cyrillic, emoji halves…): between the two. */
const OTHER_TOKENS_PER_CHAR = 0.5;
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
    (code >= 0xff00 && code <= 0xffef) || // full-width forms
    (code >= 0x20000 && code <= 0x2ffff)
  );
}

export function estimateTokens(text: string): number {
  let latin = 0;
  let cjk = 0;
  let other = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) latin++;
    else if (isCjk(code)) cjk++;
    else other++;
  }
  return Math.ceil(latin / LATIN_CHARS_PER_TOKEN + cjk * CJK_TOKENS_PER_CHAR + other * OTHER_TOKENS_PER_CHAR);
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
      return estimateTokens(b.text);
    case 'image':
      return IMAGE_TOKENS;
    case 'tool_use':
      return estimateTokens(b.name) + estimateTokens(json(b.input)) + TOOL_OVERHEAD;
    case 'tool_result':
      return estimateTokens(b.content) + (b.images?.length ?? 0) * IMAGE_TOKENS + TOOL_OVERHEAD;
    case 'thinking':
      return estimateTokens(b.text);
  }
}

/** Input tokens of a whole request: system, messages, and tool declarations. */
export function estimateRequestTokens(req: NeutralRequest): number {
  let total = estimateTokens(req.system);
  for (const m of req.messages) {
    total += MESSAGE_OVERHEAD;
    for (const b of m.content) total += blockTokens(b);
  }
  for (const t of req.tools) {
    total += TOOL_OVERHEAD + estimateTokens(t.name) + estimateTokens(t.description) + estimateTokens(json(t.inputSchema));
  }
  return total;
}
