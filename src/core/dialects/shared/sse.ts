// Server-sent-event framing shared by the three dialects. Data is always one JSON line, so no
// payload can contain a raw newline that would split the event.

/** A named SSE event (`event:` + `data:`), as Anthropic and the Responses API use. */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** An unnamed SSE event (`data:` only), as Chat Completions uses. */
export function sseData(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

/** An SSE comment: ignored by every parser, keeps proxies and idle timers from closing the connection. */
export const sseComment = (text: string): string => `: ${text}\n\n`;
