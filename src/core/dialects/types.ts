// The contract every client dialect implements. Dialects are pure and synchronous: they parse
// a client body into a NeutralRequest, and render NeutralEvents/NeutralResult/ProxyError back.
// Stream rendering keeps its state in an explicit, caller-owned encoder object.
import type { ProxyError } from '../errors.ts';
import type { NeutralEvent, NeutralRequest, NeutralResult, DialectName } from '../conversation/types.ts';

export interface RequestContext {
  /** Lower-cased request headers. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed query string (e.g. `beta=true`). */
  query: URLSearchParams;
}

export interface ResponseMeta {
  /** Our id for this response (chatcmpl-…, msg_…, resp_…), made by the dialect from `requestId`. */
  requestId: string;
  /** Model name to report back: the one the client asked for. */
  model: string;
  /** Unix seconds. */
  created: number;
  /** Input tokens as estimated before sending (reported at stream start). */
  estimatedInputTokens: number;
}

export interface StreamEncoder {
  /** Bytes to send before any upstream event (e.g. Anthropic `message_start`, Responses `response.created`). */
  start(): string;
  /** Renders one neutral event; may return '' when nothing is sent yet. */
  event(ev: NeutralEvent): string;
  /** A failure after streaming started: a dialect error event followed by a clean end. */
  error(err: ProxyError): string;
  /** A comment/ping line keeping idle connections alive (may be ''). */
  keepAlive(): string;
}

export interface Dialect {
  readonly name: DialectName;
  /** Throws ProxyError('invalid_request') with a clear message for anything it cannot accept. */
  parseRequest(body: unknown, ctx: RequestContext): NeutralRequest;
  createStreamEncoder(req: NeutralRequest, meta: ResponseMeta): StreamEncoder;
  /** The JSON body of a non-streamed answer. */
  renderResult(req: NeutralRequest, result: NeutralResult, meta: ResponseMeta): unknown;
  /** Status, JSON body and extra headers of an error before any byte was sent. */
  renderError(err: ProxyError): { status: number; body: unknown; headers?: Record<string, string> };
}
