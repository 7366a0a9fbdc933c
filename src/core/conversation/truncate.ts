// Error-retry truncation: after Kiro says "Input is too long", drop the oldest history in whole
// turns and try again. A turn starts at a user message that answers no tool call, so a tool use
// is never separated from its result; the system text and the current message always stay.
import type { NeutralMessage, NeutralRequest } from './types.ts';

export interface TruncationResult {
  request: NeutralRequest;
  droppedTurns: number;
  droppedMessages: number;
}

/** Index of every message that starts a turn (a user message without tool results). */
export function turnStarts(messages: NeutralMessage[]): number[] {
  const starts: number[] = [];
  messages.forEach((m, i) => {
    if (m.role === 'user' && !m.content.some((b) => b.type === 'tool_result')) starts.push(i);
  });
  return starts;
}

function messageSize(m: NeutralMessage): number {
  let n = 0;
  for (const b of m.content) {
    if (b.type === 'text' || b.type === 'thinking') n += b.text.length;
    else if (b.type === 'tool_result') n += b.content.length;
    else if (b.type === 'tool_use') n += JSON.stringify(b.input ?? {}).length;
    else if (b.type === 'image') n += b.data.length;
  }
  return n;
}

/**
 * Drops whole turns from the front until at least `fraction` of the droppable history's size
 * is gone (at least one turn). Returns undefined when only the last turn is left.
 */
export function truncateForRetry(req: NeutralRequest, fraction = 0.3): TruncationResult | undefined {
  const starts = turnStarts(req.messages);
  // The last turn (which holds the current message) is never dropped.
  const lastStart = starts.length > 0 ? starts[starts.length - 1]! : 0;
  // Turns that can go are those starting before the last turn; a leading run of messages
  // before the first turn start (e.g. an assistant greeting) goes with the first turn.
  const candidates = starts.filter((s) => s > 0 && s <= lastStart);
  if (candidates.length === 0) return undefined;
  const droppable = req.messages.slice(0, lastStart).reduce((a, m) => a + messageSize(m), 0);
  const goal = droppable * fraction;
  let cut = 0;
  let dropped = 0;
  let turns = 0;
  for (const s of candidates) {
    for (let i = cut; i < s; i++) dropped += messageSize(req.messages[i]!);
    cut = s;
    turns += 1;
    if (dropped >= goal) break;
  }
  return {
    request: { ...req, messages: req.messages.slice(cut) },
    droppedTurns: turns,
    droppedMessages: cut,
  };
}
