// Every token refresh route answers through here: an optional scripted pause, then the answer,
// logged with the time it was sent. The refresh token rotates when the answer is made, like a
// server that commits and then replies: a client that went away during the pause loses it
// (unless the test asked for abandonWhenClientGone: then the server never got to it).
import type { RefreshLogEntry, RouteCall } from './context.ts';
import { sendJson } from './http-io.ts';

export async function answerRefresh(
  call: RouteCall,
  route: 'refreshToken' | 'token' | 'oauth2',
  answer: () => { status: number; body: unknown; headers?: Record<string, string> },
): Promise<void> {
  const { ctx, res, rec } = call;
  const ua = call.req.headers['user-agent'];
  const entry: RefreshLogEntry = { seq: ctx.refresh.log.length + 1, route, receivedAt: ctx.now(), ...(ua ? { userAgent: ua } : {}) };
  ctx.refresh.log.push(entry);
  await ctx.timers.sleep(ctx.refresh.delayMs);
  if (ctx.refresh.abandonWhenClientGone && (res.destroyed || !res.socket || res.socket.destroyed)) {
    entry.abandoned = true;
    entry.answeredAt = ctx.now();
    return;
  }
  const a = answer();
  if (rec.accountId !== undefined) entry.accountId = rec.accountId;
  entry.answeredAt = ctx.now();
  entry.status = a.status;
  if (res.destroyed) return;
  sendJson(res, a.status, a.body, a.headers);
}
