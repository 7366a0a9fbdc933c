// The HTTP surface of design-contracts.md §4. Everything here is routing and HTTP plumbing; the work is
// done by the pipeline (completions), the pool (instances) and the observe modules.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Dialect } from '../dialects/types.ts';
import { ProxyError } from '../errors.ts';
import type { CompletionDeps } from '../pipeline/completion.ts';
import { handleAdminHttp, handleDashboardHttp } from '../admin/http.ts';
import type { RequestHandler } from './http-server.ts';
import { checkRequest, guardError, type GuardDecision } from './guard.ts';
import { healthBody, modelsBody } from './health.ts';
import { sendJson, serveCompletion } from './completion-route.ts';
import type { ServerHost } from './server-host.ts';

export interface RouterDeps {
  dialects: { openaiChat: Dialect; openaiResponses: Dialect; anthropic: Dialect };
  completion: CompletionDeps;
  host: ServerHost;
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

function guard(req: IncomingMessage, deps: RouterDeps): GuardDecision {
  const config = deps.completion.config();
  return checkRequest(
    { method: req.method, url: req.url, headers: req.headers },
    { host: config.host, port: deps.host.port(), apiKey: config.apiKey, allowedHosts: config.allowedHosts, corsOrigins: config.corsOrigins },
  );
}

/** GET routes answered from the host's state; true when the request was one. */
async function serveInfo(req: IncomingMessage, res: ServerResponse, path: string, method: string, deps: RouterDeps): Promise<boolean> {
  const { host } = deps;
  // Reachability probes (Claude Code sends HEAD / first).
  if (path === '/' && (method === 'HEAD' || method === 'GET')) {
    if (method === 'HEAD') {
      res.writeHead(200);
      res.end();
    } else
      sendJson(res, 200, {
        name: 'kiro-proxy',
        status: 'ok',
        endpoints: ['/v1/chat/completions', '/v1/responses', '/v1/messages', '/v1/models', '/health', '/dashboard'],
      });
    return true;
  }
  if (path === '/health' && (method === 'GET' || method === 'HEAD')) sendJson(res, 200, healthBody(host.health()));
  else if ((path === '/v1/models' || path === '/models') && method === 'GET') sendJson(res, 200, modelsBody(deps.completion.availableModels()));
  else if (path === '/loadbalancer/instances' && method === 'GET') sendJson(res, 200, host.accounts());
  else if (path === '/metrics' && method === 'GET') {
    const m = await host.metrics();
    res.writeHead(200, { 'content-type': m.contentType });
    res.end(m.body);
  } else if (path === '/api' || path.startsWith('/api/')) await handleAdminHttp(req, res, path, host.admin);
  else if (path === '/dashboard' || path.startsWith('/dashboard/')) return handleDashboardHttp(req, res, path, { dir: host.dashboardDir });
  else return false;
  return true;
}

export function createRouter(deps: RouterDeps): RequestHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const startedAt = deps.completion.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const method = req.method ?? 'GET';
    const requestId = `req_${randomUUID().replace(/-/g, '')}`;
    res.setHeader('x-kiro-proxy-request-id', requestId);

    const decision = guard(req, deps);
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
    if (await serveInfo(req, res, path, method, deps)) return;

    const completion = COMPLETION_ROUTES[path];
    const isCountTokens = path === '/v1/messages/count_tokens' || path === '/messages/count_tokens';
    if ((completion || isCountTokens) && method === 'POST') {
      const dialect = completion ? deps.dialects[completion] : deps.dialects.anthropic;
      const rctx = { headers: req.headers, query: url.searchParams };
      await serveCompletion(req, res, { dialect, countOnly: !completion, requestId, path, method, startedAt, rctx }, deps.completion, deps.host);
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
