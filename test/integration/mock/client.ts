// Minimal HTTP client for exercising the mock the way the proxy's Kiro client will.
import { decodeChunks } from '../../unit/mock/decode.ts';
import type { KiroEvent } from '../../../src/core/kiro/kiro-event.ts';
import type { EventStreamMessage } from '../../../src/core/kiro/frame-decoder.ts';
import { GENERATE_TARGET, type MockKiro } from '../../../src/core/kiro-mock/server.ts';

export interface ChatResult {
  status: number;
  headers: Headers;
  /** JSON error body for non-200. */
  json?: any;
  chunks: Uint8Array[];
  messages: EventStreamMessage[];
  events: KiroEvent[];
}

export async function chat(mock: MockKiro, accessToken: string, body: unknown, style: 'rest' | 'awsjson' = 'rest'): Promise<ChatResult> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(style === 'rest' ? `${mock.url}/generateAssistantResponse` : `${mock.url}/`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${accessToken}`,
      'content-type': style === 'rest' ? 'application/json' : 'application/x-amz-json-1.0',
      ...(style === 'awsjson' ? { 'x-amz-target': GENERATE_TARGET } : {}),
    },
    body: raw,
  });
  if (res.status !== 200) return { status: res.status, headers: res.headers, json: await res.json(), chunks: [], messages: [], events: [] };
  const chunks: Uint8Array[] = [];
  for await (const c of res.body!) chunks.push(c);
  return { status: res.status, headers: res.headers, chunks, ...decodeChunks(chunks) };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

export async function getJson(url: string, token: string): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, json: await res.json() };
}
