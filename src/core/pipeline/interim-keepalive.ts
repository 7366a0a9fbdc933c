// A non-streamed answer can send nothing before it is complete: its status (200, or the error)
// is only known at the end, and an early 200 with whitespace would turn every later failure into
// a "successful" body the client cannot parse. Most clients do not mind (the official SDKs time
// out after 10 min in total, as our own request timeout does), but undici — Node's fetch, the
// OpenAI and Anthropic JS SDKs on Node — gives up after 300 s without response headers
// (UND_ERR_HEADERS_TIMEOUT), which a long generation can exceed.
//
// HTTP has an answer that fixes nothing: the interim response `102 Processing`. undici restarts
// its headers timer on every 1xx and otherwise ignores it. It is only sent to clients known to
// take it, because some do not: Python's http.client (requests, urllib3) reads a 102 as the final
// response. RFC 9110 §15.2 requires every client to skip unexpected 1xx, but not all do.
import type { ResponseSink } from './response-sink.ts';

type Headers = Record<string, string | string[] | undefined>;

const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).toLowerCase();

/** Clients on undici: Node's fetch (`user-agent: node`), undici's own fetch, the Stainless-made JS SDKs on Node. */
export function acceptsInterimResponses(headers: Headers): boolean {
  const ua = one(headers['user-agent']);
  return ua === 'node' || ua.startsWith('undici') || one(headers['x-stainless-runtime']) === 'node';
}

export interface InterimKeepAlive {
  dispose(): void;
}

/** Sends `102 Processing` every `intervalMs` until disposed or the final response has begun. */
export function startInterimKeepAlive(sink: ResponseSink, intervalMs: number): InterimKeepAlive {
  const timer = setInterval(() => {
    if (!sink.sendProcessing()) clearInterval(timer);
  }, intervalMs);
  timer.unref();
  return { dispose: () => clearInterval(timer) };
}
