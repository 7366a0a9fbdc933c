// Dropping old history so a conversation fits. Pure: plans and applies drops on a NeutralRequest;
// the strategies that decide how much (error retry, size budget, token window) live in
// truncate-strategies.ts.
//
// Units that may go, oldest first:
//   1. whole turns before the last one (a turn starts at a user message that answers no tool call,
//      so a tool use always leaves together with its result);
//   2. then, inside the last turn, whole tool exchanges (an assistant message and the user message
//      answering it) between the turn's opening message and the final exchange.
// Never dropped: the system text, the tool declarations, the last turn's opening message and the
// final exchange (which holds the current message).
import type { NeutralMessage, NeutralRequest } from './types.ts';
import { messageTokens } from './estimate.ts';

export interface TruncationResult {
  request: NeutralRequest;
  /** Units dropped (turns, then tool exchanges); what x-kiro-proxy-truncated reports. */
  droppedTurns: number;
  droppedMessages: number;
  /** The messages that went, in order (for summaries). */
  dropped: NeutralMessage[];
}

export interface DropUnit {
  kind: 'turn' | 'exchange';
  /** Message index range [from, to). */
  from: number;
  to: number;
  /** Estimated tokens (unrounded). */
  weight: number;
}

/** Index of every message that starts a turn (a user message without tool results). */
export function turnStarts(messages: NeutralMessage[]): number[] {
  const starts: number[] = [];
  messages.forEach((m, i) => {
    if (m.role === 'user' && !m.content.some((b) => b.type === 'tool_result')) starts.push(i);
  });
  return starts;
}

/** What may be dropped, oldest first. Weights come from the fast estimator. */
export function dropUnits(messages: NeutralMessage[]): DropUnit[] {
  const weights = messages.map(messageTokens);
  const sum = (from: number, to: number) => {
    let w = 0;
    for (let i = from; i < to; i++) w += weights[i]!;
    return w;
  };
  const units: DropUnit[] = [];
  const starts = turnStarts(messages);
  const lastStart = starts.length > 0 ? starts[starts.length - 1]! : 0;
  // A leading run before the first turn start (an assistant greeting) goes with the first turn.
  let prev = 0;
  for (const s of starts) {
    if (s === 0 || s > lastStart) continue;
    units.push({ kind: 'turn', from: prev, to: s, weight: sum(prev, s) });
    prev = s;
  }
  // Exchanges of the last turn: each starts at an assistant message that follows a user message.
  const bounds: number[] = [];
  for (let i = lastStart + 1; i < messages.length; i++) {
    if (messages[i]!.role === 'assistant' && messages[i - 1]!.role === 'user') bounds.push(i);
  }
  for (let j = 0; j + 1 < bounds.length; j++) {
    units.push({ kind: 'exchange', from: bounds[j]!, to: bounds[j + 1]!, weight: sum(bounds[j]!, bounds[j + 1]!) });
  }
  return units;
}

/** The request without the first `count` units of `units`. */
export function applyDrop(req: NeutralRequest, units: DropUnit[], count: number): TruncationResult {
  const drop = new Uint8Array(req.messages.length);
  for (const u of units.slice(0, count)) drop.fill(1, u.from, u.to);
  const kept: NeutralMessage[] = [];
  const dropped: NeutralMessage[] = [];
  req.messages.forEach((m, i) => (drop[i] ? dropped : kept).push(m));
  return { request: { ...req, messages: kept }, droppedTurns: Math.min(count, units.length), droppedMessages: dropped.length, dropped };
}

/**
 * Drops the fewest oldest units whose weight reaches `weight` (at least one unit).
 * Undefined when nothing can be dropped.
 */
function dropAtLeast(req: NeutralRequest, weight: number): TruncationResult | undefined {
  const units = dropUnits(req.messages);
  if (units.length === 0) return undefined;
  let count = 0;
  let gone = 0;
  while (count < units.length && (count === 0 || gone < weight)) gone += units[count++]!.weight;
  return applyDrop(req, units, count);
}

/** Estimated tokens of everything, the same scale as the unit weights. */
function requestWeight(req: NeutralRequest): number {
  let w = 0;
  for (const m of req.messages) w += messageTokens(m);
  return w + req.system.length / 4 + req.tools.reduce((a, t) => a + (t.description.length + t.name.length) / 4, 0);
}

/**
 * Error-retry step: drops the oldest units until at least `fraction` of the whole request's
 * estimated weight is gone (at least one unit). Undefined when nothing more can go.
 */
export function truncateForRetry(req: NeutralRequest, fraction = 0.3): TruncationResult | undefined {
  return dropAtLeast(req, requestWeight(req) * fraction);
}
