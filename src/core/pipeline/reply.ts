// The answer to one completion as the pipeline shapes it, whatever happens upstream: the
// keepalives that hold the client while Kiro thinks (an early-opened SSE stream, or 102s for
// undici clients on a non-streamed request), the status-line headers, and how an error goes
// out — an HTTP error in the caller's dialect, or the dialect's in-stream error once the stream
// is open. Writes only through the ResponseSink.
import type { Dialect, RequestContext, ResponseMeta } from '../dialects/types.ts';
import type { NeutralRequest } from '../conversation/types.ts';
import type { ProxyConfig, RequestLogEntry } from '../proxy-types.ts';
import { ProxyError } from '../errors.ts';
import { IGNORED_TOOLS_HEADER } from '../dialects/shared/unrunnable-tools.ts';
import type { EventStreamWriter, ResponseSink } from './response-sink.ts';
import type { CompletionContext, CompletionDeps } from './completion-types.ts';
import { KeepAliveStream } from './stream-keepalive.ts';
import { acceptsInterimResponses, startInterimKeepAlive, type InterimKeepAlive } from './interim-keepalive.ts';

export interface ReplyOptions {
  dialect: Dialect;
  neutral: NeutralRequest;
  meta: ResponseMeta;
  config: ProxyConfig;
  rctx: RequestContext;
  ctx: CompletionContext;
  deps: CompletionDeps;
  /** Turns dropped so far (read when the response opens: a keepalive may open it mid-truncation). */
  truncatedTurns(): number;
}

function logError(log: RequestLogEntry, err: ProxyError): void {
  log.status = err.status;
  log.errorClass = err.code ?? err.kind;
  log.errorMessage = err.message;
}

/** An error as an HTTP response in the dialect's shape; a response already begun is dropped instead. */
export function sendError(dialect: Dialect, sink: ResponseSink, err: ProxyError, log: RequestLogEntry): void {
  logError(log, err);
  if (!sink.canSendStatus) {
    sink.abandon();
    return;
  }
  const rendered = dialect.renderError(err);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(rendered.headers ?? {}) };
  if (err.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterSeconds)));
  sink.sendJson(rendered.status, headers, JSON.stringify(rendered.body));
}

/** The same error with known secrets removed from its message (the original stays for the pool). */
export function scrubError(err: ProxyError, deps: CompletionDeps): ProxyError {
  const message = deps.redact ? deps.redact(err.message) : err.message;
  if (message === err.message) return err;
  return new ProxyError(err.kind, message, {
    status: err.status,
    ...(err.code !== undefined ? { code: err.code } : {}),
    ...(err.param !== undefined ? { param: err.param } : {}),
    ...(err.retryAfterSeconds !== undefined ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
  });
}

export class CompletionReply {
  readonly #o: ReplyOptions;
  readonly #sink: ResponseSink;
  readonly #stream: KeepAliveStream | undefined;
  readonly #interim: InterimKeepAlive | undefined;
  #keepAliveText: string | undefined;

  constructor(sink: ResponseSink, o: ReplyOptions) {
    this.#o = o;
    this.#sink = sink;
    const { config, deps, ctx } = o;
    // A streamed answer opens early with keepalives while Kiro keeps us waiting (stream-keepalive.ts).
    this.#stream = o.neutral.stream
      ? new KeepAliveStream(sink, {
          intervalMs: config.keepAliveMs,
          // Quiet time counts from the request's arrival (body reading and the start-up model list included).
          firstAfterMs: Math.max(0, config.keepAliveMs - (deps.now() - ctx.startedAt)),
          headers: () => this.headers(),
          keepAlive: () => (this.#keepAliveText ??= o.dialect.createStreamEncoder(o.neutral, o.meta).keepAlive()),
          ...(deps.streamStarted ? { onOpen: deps.streamStarted } : {}),
        })
      : undefined;
    // A non-streamed answer keeps undici clients from their headers timeout with 102 Processing (interim-keepalive.ts).
    this.#interim =
      !o.neutral.stream && config.keepAliveMs > 0 && acceptsInterimResponses(o.rctx.headers) ? startInterimKeepAlive(sink, config.keepAliveMs) : undefined;
  }

  /** Status-line headers: computed when the response opens (a keepalive may open it before the lease). */
  headers(): Record<string, string> {
    const { ctx, deps, neutral } = this.#o;
    const h: Record<string, string> = {
      'x-kiro-proxy-request-id': ctx.requestId,
      'x-kiro-proxy-overhead-ms': String(Math.max(0, deps.now() - ctx.startedAt)),
    };
    const truncated = this.#o.truncatedTurns();
    if (truncated > 0) h['x-kiro-proxy-truncated'] = String(truncated);
    if (neutral.ignoredTools) h[IGNORED_TOOLS_HEADER] = neutral.ignoredTools.join(', ').replace(/[^\x20-\x7e]/g, '?');
    return h;
  }

  /** The event stream (opening it now if no keepalive did); only for a streamed request. */
  openStream(): EventStreamWriter {
    return this.#stream!.open();
  }

  /** The complete JSON answer of a non-streamed request. */
  sendJson(json: string): void {
    this.#interim?.dispose();
    this.#sink.sendJson(200, { 'content-type': 'application/json', ...this.headers() }, json);
  }

  /**
   * A failure before any content: the HTTP error, or — when keepalives already sent 200 and the
   * headers — the dialect's start + in-stream error event, then the end.
   */
  fail(err: ProxyError, request: NeutralRequest): void {
    const { dialect, meta, ctx } = this.#o;
    this.#interim?.dispose();
    if (!this.#stream?.opened) {
      this.#stream?.dispose();
      sendError(dialect, this.#sink, err, ctx.log);
      return;
    }
    logError(ctx.log, err);
    const encoder = dialect.createStreamEncoder(request, meta);
    const sse = this.#stream.open();
    this.#stream.dispose();
    if (!sse.isClosed) void sse.write(encoder.start() + encoder.error(err));
    sse.end();
  }

  /** Stops keepalives and closes the open-streams gauge (idempotent); the response itself is ended by whoever wrote it. */
  dispose(): void {
    this.#stream?.dispose();
    this.#interim?.dispose();
  }
}
