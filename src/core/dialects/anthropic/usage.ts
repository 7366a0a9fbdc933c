// Stop reasons and usage in Anthropic's words.
import type { NeutralUsage, StopReason } from '../../conversation/types.ts';

/** The SDK's StopReason names the context overflow `model_context_window_exceeded`. */
export function anthropicStopReason(r: StopReason): string {
  return r === 'context_window_exceeded' ? 'model_context_window_exceeded' : r;
}

export function anthropicUsage(u: NeutralUsage) {
  return {
    input_tokens: u.inputTokens,
    output_tokens: u.outputTokens,
    cache_creation_input_tokens: u.cacheCreationInputTokens ?? 0,
    cache_read_input_tokens: u.cacheReadInputTokens ?? 0,
    // Kiro's metered credits (meteringEvent), an extra clients ignore unless they look for it.
    ...(u.credits !== undefined ? { kiro_credits: u.credits } : {}),
  };
}
