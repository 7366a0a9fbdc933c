// Shared fixtures for the dialect tests: request contexts, response meta, and rendering a
// whole neutral event sequence through a dialect's stream encoder.
import type { NeutralEvent, NeutralRequest, NeutralUsage } from '../../../src/core/conversation/types.ts';
import type { Dialect, RequestContext, ResponseMeta } from '../../../src/core/dialects/types.ts';
import { ProxyError } from '../../../src/core/errors.ts';

export function ctx(headers: Record<string, string> = {}, query = ''): RequestContext {
  return { headers, query: new URLSearchParams(query) };
}

export const meta: ResponseMeta = { requestId: 'req123', model: 'claude-sonnet-4-5', created: 1_700_000_000, estimatedInputTokens: 42 };

export const usage = (inputTokens = 42, outputTokens = 7): NeutralUsage => ({ inputTokens, outputTokens });

/** start() + every event, as the lead's pipeline would write them. */
export function renderStream(dialect: Dialect, req: NeutralRequest, events: NeutralEvent[], error?: ProxyError): string {
  const enc = dialect.createStreamEncoder(req, meta);
  let out = enc.start();
  for (const ev of events) out += enc.event(ev);
  if (error) out += enc.error(error);
  return out;
}

/** A fetch that answers every call with `body` as an SSE stream (or JSON). */
export function fakeFetch(body: string, init: { status?: number; contentType?: string } = {}) {
  return async () =>
    new Response(body, {
      status: init.status ?? 200,
      headers: { 'content-type': init.contentType ?? 'text/event-stream' },
    });
}

/** A text + tool call answer, the most common agent turn. */
export function textAndToolEvents(stopReason: 'tool_use' | 'end_turn' = 'tool_use'): NeutralEvent[] {
  return [
    { type: 'thinking_delta', text: 'Let me ' },
    { type: 'thinking_delta', text: 'think.' },
    { type: 'thinking_signature', signature: 'sig-1' },
    { type: 'text_delta', text: 'Hello' },
    { type: 'text_delta', text: ', world' },
    { type: 'tool_call_start', index: 0, id: 'tooluse_abc', name: 'get_weather' },
    { type: 'tool_call_delta', index: 0, json: '{"city":' },
    { type: 'tool_call_delta', index: 0, json: '"Paris"}' },
    { type: 'tool_call_end', index: 0, input: { city: 'Paris' } },
    { type: 'tool_call_start', index: 1, id: 'tooluse_def', name: 'noop' },
    { type: 'tool_call_end', index: 1, input: { a: [1, 2] } },
    { type: 'end', stopReason, usage: usage(100, 20) },
  ];
}

export function rejects(fn: () => unknown, match: { status?: number; message?: RegExp; param?: string; code?: string }): ProxyError {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ProxyError)) throw new Error(`expected a ProxyError, got ${String(err)}`, { cause: err });
    if (match.status !== undefined && err.status !== match.status) throw new Error(`status ${err.status} !== ${match.status}: ${err.message}`, { cause: err });
    if (match.message && !match.message.test(err.message)) throw new Error(`message ${JSON.stringify(err.message)} !~ ${match.message}`, { cause: err });
    if (match.param !== undefined && err.param !== match.param)
      throw new Error(`param ${String(err.param)} !== ${match.param} (${err.message})`, { cause: err });
    if (match.code !== undefined && err.code !== match.code) throw new Error(`code ${String(err.code)} !== ${match.code}`, { cause: err });
    return err;
  }
  throw new Error('expected the call to throw');
}
