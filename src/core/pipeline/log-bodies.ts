// Opt-in (logBodies) prompt and response bodies for the request log. Bounded so one huge
// conversation cannot fill memory or the JSONL file; redaction of known secrets happens when the
// request log stores the entry (observe/request-log.ts).
import type { NeutralEvent } from '../conversation/types.ts';

/** Characters kept of each body; the rest is replaced by a marker with the original size. */
const MAX_LOGGED_BODY_CHARS = 64 * 1024;

function clipBody(text: string, max = MAX_LOGGED_BODY_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters not logged]`;
}

/** The client's request body as logged (JSON, clipped). */
export function loggedRequestBody(body: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(body) ?? String(body);
  } catch {
    text = String(body);
  }
  return clipBody(text);
}

/** Accumulates the answer's text and tool calls as it streams, stopping at the bound. */
export class ResponseBodyCapture {
  #text = '';
  #dropped = 0;

  push(ev: NeutralEvent): void {
    let piece: string;
    switch (ev.type) {
      case 'text_delta':
        piece = ev.text;
        break;
      case 'thinking_delta':
        piece = ev.text;
        break;
      case 'tool_call_start':
        piece = `\n[tool_use ${ev.name} ${ev.id}] `;
        break;
      case 'tool_call_delta':
        piece = ev.json;
        break;
      case 'end':
        piece = `\n[stop: ${ev.stopReason}]`;
        break;
      default:
        return;
    }
    const room = MAX_LOGGED_BODY_CHARS - this.#text.length;
    if (room >= piece.length) this.#text += piece;
    else {
      if (room > 0) this.#text += piece.slice(0, room);
      this.#dropped += piece.length - Math.max(0, room);
    }
  }

  text(): string {
    return this.#dropped > 0 ? `${this.#text}… [${this.#dropped} more characters not logged]` : this.#text;
  }
}
