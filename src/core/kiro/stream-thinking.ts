// Splits `<thinking>…</thinking>` (prompt-tag thinking, protocol §5.9) off the start of Kiro's
// text stream. Holds back only what it must: the first few chars until it knows whether the
// answer opens with the tag, and a possible partial closing tag. A closing tag counts only when
// not quoted (backtick/quote before it) and followed by a blank line or the end of the output,
// because models discuss the tag itself inside their reasoning.

type TextSegment = { kind: 'text' | 'thinking'; text: string };

export interface ThinkingSplitter {
  push(text: string): TextSegment[];
  /** The thinking part is over (end of stream or a tool call): release everything held. */
  end(): TextSegment[];
}

const OPEN = '<thinking>';
const CLOSE = '</thinking>';
const QUOTES = new Set(['`', '"', "'"]);

/** Length of the longest suffix of `s` that is a proper prefix of `tag`. */
function partialTagSuffix(s: string, tag: string): number {
  for (let k = Math.min(tag.length - 1, s.length); k > 0; k--) {
    if (s.endsWith(tag.slice(0, k))) return k;
  }
  return 0;
}

export function createThinkingSplitter(enabled: boolean): ThinkingSplitter {
  const state = {
    phase: (enabled ? 'detect' : 'text') as 'detect' | 'thinking' | 'text',
    buf: '',
    /** Last thinking char already emitted (the quote check looks one char back). */
    prev: '',
    stripNewline: false,
  };

  const thinking = (out: TextSegment[], text: string): void => {
    let t = text;
    if (state.stripNewline && t.length > 0) {
      if (t.startsWith('\n')) t = t.slice(1);
      state.stripNewline = false;
    }
    if (text.length > 0) state.prev = text[text.length - 1]!;
    if (t.length > 0) out.push({ kind: 'thinking', text: t });
  };

  const drainThinking = (out: TextSegment[], final: boolean): void => {
    let from = 0;
    for (;;) {
      const idx = state.buf.indexOf(CLOSE, from);
      if (idx === -1) {
        const keep = final ? 0 : partialTagSuffix(state.buf, CLOSE);
        thinking(out, state.buf.slice(0, state.buf.length - keep));
        state.buf = state.buf.slice(state.buf.length - keep);
        return;
      }
      const before = idx > 0 ? state.buf[idx - 1]! : state.prev;
      const after = state.buf.slice(idx + CLOSE.length);
      if (!QUOTES.has(before)) {
        if (!final && (after === '' || after === '\n')) {
          thinking(out, state.buf.slice(0, idx)); // undecided: hold the tag itself
          state.buf = state.buf.slice(idx);
          return;
        }
        if (after.startsWith('\n\n') || (final && after.trim() === '')) {
          thinking(out, state.buf.slice(0, idx));
          state.phase = 'text';
          state.buf = '';
          const rest = after.replace(/^\n+/, '');
          if (rest.length > 0) out.push({ kind: 'text', text: rest });
          return;
        }
      }
      from = idx + 1;
    }
  };

  const process = (final: boolean): TextSegment[] => {
    const out: TextSegment[] = [];
    if (state.phase === 'detect') {
      const trimmed = state.buf.trimStart();
      if (trimmed.startsWith(OPEN)) {
        state.phase = 'thinking';
        state.buf = trimmed.slice(OPEN.length);
        state.stripNewline = true;
      } else if (!final && (trimmed === '' || OPEN.startsWith(trimmed))) {
        return out;
      } else {
        state.phase = 'text';
      }
    }
    if (state.phase === 'thinking') drainThinking(out, final);
    if (state.phase === 'text' && state.buf.length > 0) {
      out.push({ kind: 'text', text: state.buf });
      state.buf = '';
    }
    return out;
  };

  return {
    push(text) {
      if (state.phase === 'text') return text.length > 0 ? [{ kind: 'text', text }] : [];
      state.buf += text;
      return process(false);
    },
    end() {
      const out = state.phase === 'text' ? [] : process(true);
      if (state.buf.length > 0) out.push({ kind: 'text', text: state.buf });
      state.phase = 'text';
      state.buf = '';
      return out;
    },
  };
}
