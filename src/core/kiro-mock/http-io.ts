// Small HTTP helpers for the mock: a bounded body reader and JSON/error writers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { namespacedType, type KiroErrorBody } from './kiro-errors.ts';

/** Hard cap on what the mock reads; the validator's size rule fires far below it. */
const HARD_BODY_CAP = 64 * 1024 * 1024;

export interface ReadBody {
  raw: Buffer;
  /** JSON for json/x-amz-json bodies, an object for forms, else the text (undefined if empty). */
  parsed: unknown;
  /** JSON that did not parse. */
  malformed: boolean;
}

export async function readBody(req: IncomingMessage): Promise<ReadBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    const buf = c as Buffer;
    size += buf.length;
    if (size > HARD_BODY_CAP) throw new Error('body over the mock hard cap');
    chunks.push(buf);
  }
  const raw = Buffer.concat(chunks);
  const type = String(req.headers['content-type'] ?? '');
  if (raw.length === 0) return { raw, parsed: undefined, malformed: false };
  const text = new TextDecoder().decode(raw);
  if (type.includes('application/x-www-form-urlencoded')) {
    return { raw, parsed: Object.fromEntries(new URLSearchParams(text)), malformed: false };
  }
  try {
    return { raw, parsed: JSON.parse(text) as unknown, malformed: false };
  } catch {
    return { raw, parsed: text, malformed: true };
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(text);
}

/** A Kiro runtime error: body `{message, reason}` (+`__type` when asked), type in x-amzn-errortype. */
export function sendKiroError(res: ServerResponse, status: number, body: KiroErrorBody, errorType: string, extraHeaders: Record<string, string> = {}): void {
  sendJson(res, status, body, {
    'x-amzn-errortype': `${errorType.split('#').pop()}:http://internal.amazon.com/coral/${namespacedType(errorType).split('#')[0]}/`,
    ...extraHeaders,
  });
}

export function bodyObject(parsed: unknown): Record<string, unknown> {
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
