// The HTTP surface of design-contracts.md §4. Everything here is routing and HTTP plumbing; the work is
// done by the pipeline (completions), the pool (instances) and the observe modules.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Dialect, RequestContext } from '../dialects/types.ts';
import type { RequestLogEntry } from '../proxy-types.ts';
import { ProxyError, toProxyError } from '../errors.ts';
import { handleCompletion, sendError, type CompletionDeps } from '../pipeline/completion.ts';
import type { RequestHandler } from './http-server.ts';
import { shouldCloseConnection } from './body.ts';
import { createResponseSink } from './response-sink.ts';
import { markClientClosed } from '../observe/request-outcome.ts';
import { guardError, type GuardDecision } from './guard.ts';

export interface RouterDeps extends CompletionDeps {
  dialects: { openaiChat: Dialect; openaiResponses: Dialect; anthropic: Dialect };
  /** The gate (guard.ts): its refusals are rendered here, in the dialect of the route. */
  guard(req: IncomingMessage): GuardDecision;
  readJsonBody(req: IncomingMessage): Promise<unknown>;
  health(): Record<string, unknown>;
  models(): unknown;
  instances(): unknown;
  metrics(): Promise<{ contentType: string; body: string }>;
  countTokens(dialect: Dialect, body: unknown, rctx: RequestContext): unknown;
  /** Admin API (/api/*); returns false when the path is not an admin route. */
  admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
  /** Static dashboard assets (/dashboard, /dashboard/*); returns false when not found. */
  dashboard(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
  onRequestLogged(entry: RequestLogEntry): void;
  /** Counts requests in flight (status bar, health). */
  inFlight: { inc(): void; dec(): void };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(json);
}

const COMPLETION_ROUTES: Record<string, keyof RouterDeps['dialects']> = {
  '/v1/chat/completions': 'openaiChat',
  '/chat/completions': 'openaiChat',
  '/v1/responses': 'openaiResponses',
  '/responses': 'openaiResponses',
  '/v1/messages': 'anthropic',
  '/messages': 'anthropic',
};

/** The dialect whose error shape a path's clients expect. */
function dialectForPath(path: string, d: RouterDeps['dialects']): Dialect {
  if (path.startsWith('/v1/messages') || path.startsWith('/messages')) return d.anthropic;
  if (path.startsWith('/v1/responses')) return d.openaiResponses;
  return d.openaiChat;
}

export function createRouter(deps: RouterDeps): RequestHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const startedAt = deps.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const method = req.method ?? 'GET';
    const requestId = `req_${randomUUID().replace(/-/g, '')}`;
    res.setHeader('x-kiro-proxy-request-id', requestId);

    const decision = deps.guard(req);
    for (const [k, v] of Object.entries(decision.headers)) res.setHeader(k, v);
    if (!decision.ok) {
      const rendered = dialectForPath(path, deps.dialects).renderError(guardError(decision));
      // Drain nothing: a refused request's body is not read; close so it is not reused.
      // x-should-retry: false — a wrong key or host does not fix itself; Claude Code otherwise
      // retries a 401 ten times with backoff (minutes) before it reports the error.
      sendJson(res, rendered.status, rendered.body, { connection: 'close', 'x-should-retry': 'false' });
      return;
    }
    if (decision.preflight) {
      res.writeHead(204);
      res.end();
      return;
    }

    // Reachability probes (Claude Code sends HEAD / first).
    if (path === '/' && (method === 'HEAD' || method === 'GET')) {
      if (method === 'HEAD') {
        res.writeHead(200);
        res.end();
      } else sendJson(res, 200, { name: 'kiro-proxy', status: 'ok', endpoints: ['/v1/chat/completions', '/v1/responses', '/v1/messages', '/v1/models', '/health', '/dashboard'] });
      return;
    }
    if (path === '/health' && (method === 'GET' || method === 'HEAD')) return sendJson(res, 200, deps.health());
    if ((path === '/v1/models' || path === '/models') && method === 'GET') return sendJson(res, 200, deps.models());
    if (path === '/loadbalancer/instances' && method === 'GET') return sendJson(res, 200, deps.instances());
    if (path === '/metrics' && method === 'GET') {
      const m = await deps.metrics();
      res.writeHead(200, { 'content-type': m.contentType });
      res.end(m.body);
      return;
    }
    if (path === '/api' || path.startsWith('/api/')) {
      if (await deps.admin(req, res, path)) return;
    }
    if (path === '/dashboard' || path.startsWith('/dashboard/')) {
      if (await deps.dashboard(req, res, path)) return;
    }

    const rctx: RequestContext = { headers: req.headers, query: url.searchParams };
    const completion = COMPLETION_ROUTES[path];
    const isCountTokens = path === '/v1/messages/count_tokens' || path === '/messages/count_tokens';
    if ((completion || isCountTokens) && method === 'POST') {
      const dialect = completion ? deps.dialects[completion] : deps.dialects.anthropic;
      const log: RequestLogEntry = {
        id: requestId,
        time: startedAt,
        method,
        route: path,
        status: 0,
        durationMs: 0,
        stream: false,
      };
      deps.inFlight.inc();
      // Logged once the handler is done (not at 'close'), so an aborted stream is recorded with
      // its real outcome, account and usage rather than whatever was known when the socket went.
      let closedEarly = false;
      res.once('close', () => {
        if (!res.writableFinished) closedEarly = true;
      });
      const finish = () => {
        deps.inFlight.dec();
        log.durationMs = deps.now() - startedAt;
        // A client gone before the answer was complete gave up (499) unless we had failed first.
        if (log.status === 0 ? !res.headersSent || closedEarly : closedEarly && log.status < 500) markClientClosed(log);
        else if (log.status === 0) log.status = res.statusCode;
        deps.onRequestLogged(log);
      };
      const sink = createResponseSink(res);
      try {
        let body: unknown;
        try {
          body = await deps.readJsonBody(req);
        } catch (err) {
          // A body left half-read (too large, stalled) makes the connection unusable for the next request.
          if (shouldCloseConnection(err)) res.setHeader('connection', 'close');
          sendError(dialect, sink, toProxyError(err), log);
          return;
        }
        if (isCountTokens) {
          log.dialect = dialect.name;
          try {
            sendJson(res, 200, deps.countTokens(dialect, body, rctx));
            log.status = 200;
          } catch (err) {
            sendError(dialect, sink, toProxyError(err), log);
          }
          return;
        }
        await handleCompletion(dialect, body, rctx, sink, { requestId, route: path, startedAt, log }, deps);
      } catch (err) {
        // The server's last-resort handler answers 500; the log says so too.
        if (log.status === 0) log.status = 500;
        throw err;
      } finally {
        finish();
      }
      return;
    }

    const dialect = dialectForPath(path, deps.dialects);
    const known = completion || isCountTokens || ['/health', '/v1/models', '/models', '/metrics', '/loadbalancer/instances'].includes(path);
    const err = known
      ? new ProxyError('invalid_request', `method ${method} is not allowed on ${path}`, { status: 405 })
      : new ProxyError('not_found', `no route for ${method} ${path}`);
    const rendered = dialect.renderError(err);
    sendJson(res, rendered.status, rendered.body);
  };
}
