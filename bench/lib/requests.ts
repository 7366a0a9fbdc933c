// Client request bodies and the mock directives that shape each scenario's upstream answer.
// Every prompt is deterministic, so the direct twin (captured from the mock) is too.

const MODEL = 'claude-sonnet-4.5';

export function anthropicBody(prompt: string, stream: boolean, maxTokens = 4096): string {
  return JSON.stringify({ model: MODEL, max_tokens: maxTokens, stream, messages: [{ role: 'user', content: prompt }] });
}

export const PROMPTS = {
  /** Default mock reply: a short answer in a handful of text events, as a quick chat turn. */
  short: 'Say hello to the benchmark in one sentence, please.',
  /** First text event at once, a pause, then more: time to first token is the first event. */
  ttft: '[[mock:text A]] [[mock:delay 3]] [[mock:text B]]',
  /** `parts` one-character text events, `delayMs` apart (each its own TCP write at the mock). */
  drip: (parts: number, delayMs: number) =>
    Array.from({ length: parts }, (_, i) => `[[mock:text ${String.fromCharCode(97 + (i % 26))}]]`).join(` [[mock:delay ${delayMs}]] `),
  /** A fixed-size long stream: `events` text events. */
  bulk: (events: number) => `[[mock:text-events ${events}]]`,
} as const;

export const MARKERS = {
  /** Each Kiro text frame names its event type in a header. */
  direct: 'assistantResponseEvent',
  /** Each Anthropic text delta is one named SSE event. */
  anthropic: 'event: content_block_delta',
} as const;
