// HTTP mount of the admin protocol and the dashboard page for the headless proxy.
// Auth (API key), Host/Origin checks and CORS are the router's guard, applied before these run.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SseWriter } from '../server/sse.ts';
import type { ProxyEvent } from '../proxy-types.ts';
import { dispatchAdmin, type AdminTarget } from './dispatch.ts';
import { ADMIN_ERROR_STATUS, AdminError, type AdminErrorBody } from './protocol.ts';
import { publicEvent } from './public-view.ts';
import { renderDashboardHtml } from './dashboard-html.ts';

const MAX_BODY_BYTES = 1_100_000;
const HEARTBEAT_MS = 15_000;
/** Events queued for a slow SSE client before request events are dropped (status/accounts still go). */
const MAX_QUEUED_EVENTS = 256;

/**
 * Serves `POST /api/<method>` and `GET /api/events`. `path` is the request path
 * (with or without the `/api/` prefix, without the query). Returns once the response is done
 * (for events: when the client goes away).
 */
export async function handleAdminHttp(req: IncomingMessage, res: ServerResponse, path: string, proxy: AdminTarget): Promise<void> {
  const method = path.replace(/^\/?api\//, '').replace(/^\//, '');
  if (method === 'events') {
    if (req.method !== 'GET') return sendError(res, 405, 'failed', 'use GET for /api/events');
    return streamEvents(req, res, proxy);
  }
  if (req.method !== 'POST') return sendError(res, 405, 'failed', 'admin methods are called with POST');
  // A JSON content type forces a CORS preflight, so a foreign page cannot fire simple form posts at us.
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return sendError(res, 415, 'invalid_params', 'Content-Type must be application/json');
  let params: unknown;
  try {
    const text = await readBody(req);
    params = text.trim() === '' ? undefined : JSON.parse(text);
  } catch (err) {
    return sendError(res, err instanceof BodyTooLarge ? 413 : 400, 'invalid_params', err instanceof BodyTooLarge ? 'body too large' : 'body is not valid JSON');
  }
  try {
    const result = await dispatchAdmin(method, params, proxy);
    sendJson(res, 200, { result: result ?? null });
  } catch (err) {
    if (err instanceof AdminError) return sendError(res, ADMIN_ERROR_STATUS[err.code], err.code, err.message);
    sendError(res, 500, 'failed', err instanceof Error ? err.message : String(err));
  }
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      throw new BodyTooLarge('body too large');
    }
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: AdminErrorBody['code'], message: string): void {
  sendJson(res, status, { error: { code, message } satisfies AdminErrorBody });
}

async function streamEvents(req: IncomingMessage, res: ServerResponse, proxy: AdminTarget): Promise<void> {
  const sse = new SseWriter(res);
  sse.open();
  let queue: ProxyEvent[] = [];
  let flushing = false;
  let wake: (() => void) | undefined;

  const send = (ev: ProxyEvent) => {
    if (queue.length >= MAX_QUEUED_EVENTS && ev.type === 'request') return;
    queue.push(publicEvent(ev, proxy.getConfig().logBodies));
    wake?.();
  };
  const sub = proxy.onEvent(send);
  const heartbeat = setInterval(() => {
    if (!flushing) void sse.write(': ping\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref?.();
  const closed = new Promise<void>((resolve) => {
    res.once('close', resolve);
    req.once('close', resolve);
  });
  try {
    // The current picture first, so a new page does not wait for the next change.
    send({ type: 'status', status: proxy.status() });
    send({ type: 'accounts', accounts: proxy.accounts.list() });
    while (!sse.isClosed) {
      if (queue.length === 0) {
        await Promise.race([new Promise<void>((r) => (wake = r)), closed]);
        wake = undefined;
        continue;
      }
      const batch = queue;
      queue = [];
      flushing = true;
      const ok = await sse.write(batch.map((ev) => `event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`).join(''));
      flushing = false;
      if (!ok) break;
    }
  } finally {
    clearInterval(heartbeat);
    sub.dispose();
    sse.end();
  }
}

export interface DashboardAssets {
  /** Folder holding webview.js and dashboard.css (the build's dist/). */
  dir: string;
}

const ASSETS: Record<string, string> = {
  'webview.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
};

/**
 * Serves the browser dashboard: `/dashboard` (the page) and `/dashboard/webview.js`,
 * `/dashboard/dashboard.css` (the same bundle as the VS Code webview). Returns false when
 * `path` is not one of these so the router can 404.
 */
export async function handleDashboardHttp(req: IncomingMessage, res: ServerResponse, path: string, assets: DashboardAssets): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (path === '/dashboard' || path === '/dashboard/') {
    const nonce = randomBytes(16).toString('base64');
    const html = renderDashboardHtml({
      nonce,
      scriptUri: '/dashboard/webview.js',
      styleUri: '/dashboard/dashboard.css',
      cspSource: "'self'",
      connectSrc: "'self'",
    });
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    });
    res.end(req.method === 'HEAD' ? undefined : html);
    return true;
  }
  const name = path.startsWith('/dashboard/') ? path.slice('/dashboard/'.length) : '';
  const type = ASSETS[name];
  if (!type) return false;
  let body: Buffer;
  try {
    body = await readFile(join(assets.dir, name));
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('dashboard assets are not built (run the build)');
    return true;
  }
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff', 'content-length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
