// finish_reason and usage in Chat Completions' words.
import type { NeutralUsage, StopReason } from '../../conversation/types.ts';

export function finishReason(r: StopReason): 'stop' | 'length' | 'tool_calls' {
  switch (r) {
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
    case 'context_window_exceeded':
      return 'length';
    default:
      return 'stop';
  }
}

/** OpenAI's prompt_tokens include cached tokens (Anthropic's input_tokens do not). */
export function chatUsage(u: NeutralUsage) {
  const cached = u.cacheReadInputTokens ?? 0;
  const prompt = u.inputTokens + cached + (u.cacheCreationInputTokens ?? 0);
  return {
    prompt_tokens: prompt,
    completion_tokens: u.outputTokens,
    total_tokens: prompt + u.outputTokens,
    prompt_tokens_details: { cached_tokens: cached },
    // Kiro's metered credits (meteringEvent), an extra clients ignore unless they look for it.
    ...(u.credits !== undefined ? { kiro_credits: u.credits } : {}),
  };
}
