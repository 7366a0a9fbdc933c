// Talks to the proxy owned by another window over its admin API (/api/*), so this window's tree,
// dashboard and commands work the same when it is not the owner.
import { setTimeout as sleep } from 'node:timers/promises';
import { createParser } from 'eventsource-parser';
import type { ProxyEvent } from '../core/proxy-types.ts';
import { AdminError, type AdminErrorCode } from '../core/admin/protocol.ts';
import type { Logger } from '../core/proxy-types.ts';
import { toDisposable, type IDisposable } from './lifecycle.ts';

export interface RemoteEndpoint {
  url: string;
  apiKey: string | undefined;
}

export async function callRemoteAdmin(ep: RemoteEndpoint, method: string, params: unknown, signal?: AbortSignal): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (ep.apiKey) headers['authorization'] = `Bearer ${ep.apiKey}`;
  const res = await fetch(`${ep.url}/api/${method}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(params ?? {}),
    signal: signal ?? AbortSignal.timeout(30_000),
  });
  const body = (await res.json().catch(() => undefined)) as { result?: unknown; error?: { code?: string; message?: string } } | undefined;
  if (!res.ok || !body || body.error) {
    const code = (body?.error?.code as AdminErrorCode | undefined) ?? 'failed';
    throw new AdminError(code, body?.error?.message ?? `the proxy of the other window answered HTTP ${res.status}`);
  }
  return body.result;
}

/**
 * Follows /api/events of the owner until disposed; reconnects after a drop while the owner lives.
 * `onDrop` runs as soon as the stream ends, so the follower can check at once whether the owner
 * stopped, restarts or is gone (instead of noticing at its next poll).
 */
export function followRemoteEvents(ep: RemoteEndpoint, onEvent: (ev: ProxyEvent) => void, logger: Logger, onDrop?: () => void): IDisposable {
  const abort = new AbortController();
  let lastProblem = '';
  void (async () => {
    while (!abort.signal.aborted) {
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream' };
        if (ep.apiKey) headers['authorization'] = `Bearer ${ep.apiKey}`;
        const res = await fetch(`${ep.url}/api/events`, { headers, signal: abort.signal });
        if (!res.ok || !res.body) {
          await res.body?.cancel();
          throw new Error(res.status === 401 ? 'HTTP 401: this window does not have the API key of the serving window' : `HTTP ${res.status}`);
        }
        const parser = createParser({
          onEvent(msg) {
            try {
              onEvent(JSON.parse(msg.data) as ProxyEvent);
            } catch {
              // a malformed event is skipped, the stream goes on
            }
          },
        });
        const decoder = new TextDecoder();
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
      } catch (err) {
        if (abort.signal.aborted) return;
        const problem = (err as Error).message;
        // Once per kind of problem: a refused key (401) would otherwise repeat every 2 s.
        if (problem !== lastProblem) {
          if (problem.startsWith('HTTP')) logger.warn(`events from the other window's proxy: ${problem}`);
          else logger.debug(`events from the other window's proxy: ${problem}`);
        }
        lastProblem = problem;
      }
      if (abort.signal.aborted) return;
      onDrop?.();
      await sleep(2000, undefined, { signal: abort.signal }).catch(() => undefined);
    }
  })();
  return toDisposable(() => abort.abort());
}
