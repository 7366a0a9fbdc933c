// The load generator: undici with its own Agent (its own connection pool, keep-alive, no
// pipelining), used identically for the direct call to the mock and for the call through the
// proxy, so both arms pay the same client-side cost.
import { Agent, request } from 'undici';
import { performance } from 'node:perf_hooks';

export const agent = new Agent({
  connections: 1_200,
  pipelining: 1,
  keepAliveTimeout: 60_000,
  keepAliveMaxTimeout: 60_000,
  headersTimeout: 120_000,
  bodyTimeout: 120_000,
});

/** One endpoint as the load generator sees it: the mock's generateAssistantResponse or a proxy route. */
export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Substring counted in the response bytes: one per content event (a Kiro text frame, an SSE text delta). */
  marker: string;
}

export interface CallResult {
  status: number;
  /** ms from sending to the last body byte. */
  totalMs: number;
  bytes: number;
}

export async function call(t: Target, signal?: AbortSignal): Promise<CallResult> {
  const t0 = performance.now();
  const res = await request(t.url, { method: 'POST', headers: t.headers, body: t.body, dispatcher: agent, ...(signal ? { signal } : {}) });
  let bytes = 0;
  for await (const chunk of res.body) bytes += (chunk as Buffer).length;
  return { status: res.statusCode, totalMs: performance.now() - t0, bytes };
}

export interface StreamResult {
  status: number;
  /** ms to response headers. */
  headersMs: number;
  /** ms (from sending) at which the n-th content event was complete in a read. */
  eventAt: number[];
  totalMs: number;
  bytes: number;
  /** Number of body reads (TCP segments as the client saw them). */
  reads: number;
}

/** Counts non-overlapping occurrences of `marker` across chunk boundaries. */
class MarkerCounter {
  private readonly marker: Buffer;
  private carry: Buffer = Buffer.alloc(0);
  constructor(marker: string) {
    this.marker = Buffer.from(marker);
  }
  push(chunk: Buffer): number {
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    let n = 0;
    let at = buf.indexOf(this.marker);
    let end = 0;
    while (at >= 0) {
      n++;
      end = at + this.marker.length;
      at = buf.indexOf(this.marker, end);
    }
    const keep = Math.max(end, buf.length - (this.marker.length - 1));
    this.carry = Buffer.from(buf.subarray(keep));
    return n;
  }
}

export async function stream(t: Target, signal?: AbortSignal): Promise<StreamResult> {
  const t0 = performance.now();
  const res = await request(t.url, { method: 'POST', headers: t.headers, body: t.body, dispatcher: agent, ...(signal ? { signal } : {}) });
  const headersMs = performance.now() - t0;
  const counter = new MarkerCounter(t.marker);
  const eventAt: number[] = [];
  let bytes = 0;
  let reads = 0;
  for await (const chunk of res.body) {
    const now = performance.now() - t0;
    reads++;
    bytes += (chunk as Buffer).length;
    const n = counter.push(chunk as Buffer);
    for (let i = 0; i < n; i++) eventAt.push(now);
  }
  return { status: res.statusCode, headersMs, eventAt, totalMs: performance.now() - t0, bytes, reads };
}

interface MockRecord {
  route: string;
  body: unknown;
  headers: Record<string, string>;
}

/** The mock's control API (separate from the measured paths). */
async function mockControl(mockUrl: string, what: 'reset'): Promise<void>;
async function mockControl(mockUrl: string, what: 'requests'): Promise<MockRecord[]>;
async function mockControl(mockUrl: string, what: 'reset' | 'requests'): Promise<unknown> {
  const res = await request(`${mockUrl}/__mock/${what}`, { method: what === 'reset' ? 'POST' : 'GET', dispatcher: agent });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`mock ${what}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
  return what === 'requests' ? (JSON.parse(text) as MockRecord[]) : undefined;
}

/**
 * The direct arm for a proxy request: send it once through the proxy, read back from the mock
 * exactly the generateAssistantResponse the proxy made (body and headers), and replay that with
 * the account's bearer. Same bytes, same route, same mock work; only the proxy is missing.
 */
export async function directTwin(proxyTarget: Target, mockUrl: string, accessToken: string, directMarker: string): Promise<Target> {
  await mockControl(mockUrl, 'reset');
  const r = await call(proxyTarget);
  if (r.status !== 200) throw new Error(`capture request through the proxy failed: HTTP ${r.status}`);
  const recs = await mockControl(mockUrl, 'requests');
  await mockControl(mockUrl, 'reset');
  const rec = [...recs].reverse().find((x) => x.route === 'generate');
  if (!rec) throw new Error('the proxy made no generateAssistantResponse call');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec.headers)) {
    if (['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive'].includes(k)) continue;
    headers[k] = v;
  }
  headers['authorization'] = `Bearer ${accessToken}`;
  return { name: 'direct', url: `${mockUrl}/generateAssistantResponse`, headers, body: JSON.stringify(rec.body), marker: directMarker };
}

/** Runs `fn` over `count` items with at most `concurrency` in flight. */
export async function pool<T>(count: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}
