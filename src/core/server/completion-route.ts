// POST on a completion route (or count_tokens): the request's log entry and in-flight count, the
// body read, then the pipeline writing through a ResponseSink. Logged once the handler is done.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dialect, RequestContext } from '../dialects/types.ts';
import type { RequestLogEntry } from '../proxy-types.ts';
import { toProxyError } from '../errors.ts';
import { handleCompletion, sendError, type CompletionDeps } from '../pipeline/completion.ts';
import { countTokens } from '../pipeline/count-tokens.ts';
import { markClientClosed } from '../observe/request-outcome.ts';
import { readJsonBody, shouldCloseConnection } from './body.ts';
import { createResponseSink } from './response-sink.ts';
import type { ServerHost } from './server-host.ts';

export interface CompletionRoute {
  dialect: Dialect;
  /** count_tokens instead of a completion. */
  countOnly: boolean;
  requestId: string;
  path: string;
  method: string;
  startedAt: number;
  rctx: RequestContext;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(json);
}

function readBody(req: IncomingMessage, deps: CompletionDeps, host: ServerHost): Promise<unknown> {
  const t = host.bodyTimeouts;
  return readJsonBody(req, {
    maxBytes: deps.config().maxBodyBytes,
    ...(t?.idleMs !== undefined ? { idleTimeoutMs: t.idleMs } : {}),
    ...(t?.totalMs !== undefined ? { totalTimeoutMs: t.totalMs } : {}),
  });
}

export async function serveCompletion(req: IncomingMessage, res: ServerResponse, r: CompletionRoute, deps: CompletionDeps, host: ServerHost): Promise<void> {
  const { dialect } = r;
  const log: RequestLogEntry = { id: r.requestId, time: r.startedAt, method: r.method, route: r.path, status: 0, durationMs: 0, stream: false };
  host.requestStarted();
  // Logged once the handler is done (not at 'close'), so an aborted stream is recorded with
  // its real outcome, account and usage rather than whatever was known when the socket went.
  let closedEarly = false;
  res.once('close', () => {
    if (!res.writableFinished) closedEarly = true;
  });
  const sink = createResponseSink(res);
  try {
    let body: unknown;
    try {
      body = await readBody(req, deps, host);
    } catch (err) {
      // A body left half-read (too large, stalled) makes the connection unusable for the next request.
      if (shouldCloseConnection(err)) res.setHeader('connection', 'close');
      sendError(dialect, sink, toProxyError(err), log);
      return;
    }
    if (r.countOnly) {
      log.dialect = dialect.name;
      try {
        sendJson(res, 200, countTokens(body, r.rctx, deps));
        log.status = 200;
      } catch (err) {
        sendError(dialect, sink, toProxyError(err), log);
      }
      return;
    }
    await handleCompletion(dialect, body, r.rctx, sink, { requestId: r.requestId, route: r.path, startedAt: r.startedAt, log }, deps);
  } catch (err) {
    // The server's last-resort handler answers 500; the log says so too.
    if (log.status === 0) log.status = 500;
    throw err;
  } finally {
    log.durationMs = deps.now() - r.startedAt;
    // A client gone before the answer was complete gave up (499) unless we had failed first.
    if (log.status === 0 ? !res.headersSent || closedEarly : closedEarly && log.status < 500) markClientClosed(log);
    else if (log.status === 0) log.status = res.statusCode;
    host.requestFinished(log);
  }
}
