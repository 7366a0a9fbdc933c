// Usage and stop reason at the end of a Kiro stream (protocol §7.6). metadataEvent numbers are
// authoritative; else contextUsagePercentage × window gives the whole context (output included);
// else the local estimate made before sending.
import type { NeutralUsage, StopReason } from '../types.ts';
import type { KiroEvent } from '../../kiro/kiro-event.ts';

export type TokenUsage = NonNullable<Extract<KiroEvent, { type: 'metadata' }>['tokenUsage']>;

export interface UsageInputs {
  estimatedInputTokens: number;
  estimatedOutputTokens: number;
  contextWindow: number;
  contextUsagePercentage: number | undefined;
  tokenUsage: TokenUsage | undefined;
  credits: number | undefined;
}

export function computeUsage(u: UsageInputs): NeutralUsage {
  const tu = u.tokenUsage;
  const outputTokens = tu?.outputTokens ?? u.estimatedOutputTokens;
  let inputTokens = u.estimatedInputTokens;
  if (tu && (tu.uncachedInputTokens !== undefined || tu.cacheReadInputTokens !== undefined)) {
    // Reported as one total (uncached + cache reads) so clients that add cache fields to input
    // do not count the cached part twice.
    inputTokens = (tu.uncachedInputTokens ?? 0) + (tu.cacheReadInputTokens ?? 0);
  } else if (u.contextUsagePercentage !== undefined && u.contextUsagePercentage > 0 && u.contextWindow > 0) {
    const fromContext = Math.round((u.contextUsagePercentage * u.contextWindow) / 100) - outputTokens;
    if (fromContext > 0) inputTokens = fromContext;
  }
  return { inputTokens, outputTokens, ...(u.credits !== undefined ? { credits: u.credits } : {}) };
}

export function stopReasonFor(s: { outputLimitHit: boolean; contextUsagePercentage: number | undefined; toolCalls: number }): StopReason {
  if (s.outputLimitHit) return 'max_tokens';
  if ((s.contextUsagePercentage ?? 0) >= 100) return 'context_window_exceeded';
  if (s.toolCalls > 0) return 'tool_use';
  return 'end_turn';
}
