// Kiro has no max-tokens or stop-sequence fields, so the proxy enforces both on the event
// stream: it cuts the answer where the client asked and ends it with the reason the client's
// API would give (`max_tokens`, `stop_sequence`).
import type { NeutralEvent, NeutralUsage } from '../conversation/types.ts';

/** Characters per estimated token. One cheap, consistent rule for every count the limiter makes. */
const CHARS_PER_TOKEN = 4;

export const estimateTokensFromChars = (chars: number): number => Math.ceil(chars / CHARS_PER_TOKEN);

export interface OutputLimits {
  maxTokens?: number;
  stopSequences?: string[];
}

export interface OutputLimiter {
  /** Feeds one upstream event; returns the events to render (possibly none, possibly several). */
  push(ev: NeutralEvent): NeutralEvent[];
  /** True once the limiter ended the answer itself; the caller can abort the upstream request. */
  stopped(): boolean;
}

type EndEvent = Extract<NeutralEvent, { type: 'end' }>;

/** Never cut between the two halves of a surrogate pair. */
function safeCut(text: string, at: number): number {
  if (at <= 0) return 0;
  if (at >= text.length) return text.length;
  const code = text.charCodeAt(at - 1);
  return code >= 0xd800 && code <= 0xdbff ? at - 1 : at;
}

/** Length of the longest suffix of `text` that is a proper prefix of some stop sequence. */
function heldSuffixLength(text: string, sequences: string[], longest: number): number {
  for (let k = Math.min(text.length, longest - 1); k > 0; k--) {
    const suffix = text.slice(text.length - k);
    if (sequences.some((s) => s.length > k && s.startsWith(suffix))) return k;
  }
  return 0;
}

function earliestMatch(text: string, sequences: string[]): { index: number; sequence: string } | undefined {
  let best: { index: number; sequence: string } | undefined;
  for (const sequence of sequences) {
    const index = text.indexOf(sequence);
    if (index >= 0 && (!best || index < best.index || (index === best.index && sequence.length > best.sequence.length))) {
      best = { index, sequence };
    }
  }
  return best;
}

/**
 * A stateful transformer enforcing `maxTokens` and `stopSequences`. Output tokens are estimated
 * from characters of text, thinking and tool-call JSON. A tool call that already started is never
 * cut (half a call is useless to a client); the budget is checked again before the next one.
 * `inputTokens` fills the usage of an end event the limiter makes itself.
 */
export function createOutputLimiter(limits: OutputLimits, inputTokens: number): OutputLimiter {
  const sequences = (limits.stopSequences ?? []).filter((s) => s.length > 0);
  const longest = sequences.reduce((n, s) => Math.max(n, s.length), 0);
  const budget = limits.maxTokens !== undefined && limits.maxTokens > 0 ? limits.maxTokens * CHARS_PER_TOKEN : Infinity;
  let used = 0;
  let held = '';
  let stopped = false;
  let ended = false;

  const usage = (): NeutralUsage => ({ inputTokens, outputTokens: estimateTokensFromChars(used) });

  const finish = (out: NeutralEvent[], end: Omit<EndEvent, 'type' | 'usage'>): NeutralEvent[] => {
    stopped = true;
    ended = true;
    out.push({ type: 'end', ...end, usage: usage() });
    return out;
  };

  /** Emits text within the budget; returns false when the budget cut it (and ended the answer). */
  const emitBudgeted = (out: NeutralEvent[], type: 'text_delta' | 'thinking_delta', text: string): boolean => {
    const room = budget - used;
    if (text.length <= room) {
      used += text.length;
      if (text) out.push({ type, text });
      return true;
    }
    const cut = safeCut(text, room);
    used += cut;
    if (cut > 0) out.push({ type, text: text.slice(0, cut) });
    finish(out, { stopReason: 'max_tokens' });
    return false;
  };

  const flushHeld = (out: NeutralEvent[]): boolean => {
    const text = held;
    held = '';
    return emitBudgeted(out, 'text_delta', text);
  };

  const onText = (text: string): NeutralEvent[] => {
    const out: NeutralEvent[] = [];
    if (sequences.length === 0) {
      emitBudgeted(out, 'text_delta', text);
      return out;
    }
    const pending = held + text;
    held = '';
    const match = earliestMatch(pending, sequences);
    if (match) {
      if (emitBudgeted(out, 'text_delta', pending.slice(0, match.index))) {
        finish(out, { stopReason: 'stop_sequence', stopSequence: match.sequence });
      }
      return out;
    }
    const keep = heldSuffixLength(pending, sequences, longest);
    if (emitBudgeted(out, 'text_delta', pending.slice(0, pending.length - keep))) held = pending.slice(pending.length - keep);
    return out;
  };

  const push = (ev: NeutralEvent): NeutralEvent[] => {
    if (ended) return [];
    if (ev.type === 'text_delta') return onText(ev.text);
    const out: NeutralEvent[] = [];
    if (held && !flushHeld(out)) return out;
    switch (ev.type) {
      case 'thinking_delta':
        emitBudgeted(out, 'thinking_delta', ev.text);
        return out;
      case 'tool_call_start':
        if (used >= budget) return finish(out, { stopReason: 'max_tokens' });
        out.push(ev);
        return out;
      case 'tool_call_delta':
        used += ev.json.length;
        out.push(ev);
        return out;
      case 'end':
        ended = true;
        out.push(ev);
        return out;
      default:
        out.push(ev);
        return out;
    }
  };

  // A method, not a getter: an object literal with an accessor gets a hidden class of its own in
  // old space, which keeps this request's whole closure graph alive through every scavenge.
  return { push, stopped: () => stopped };
}
