// Bounded request-body reading for node:http. A client can send too much (413), too slowly (408),
// or JSON that is malformed or nested deep enough to hurt (400); each becomes a ProxyError the
// server renders in the caller's dialect, and the server keeps serving other clients.
import type { IncomingMessage } from 'node:http';
import { ProxyError } from '../errors.ts';
import { jsonErrorOffset } from './json-error-position.ts';

const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
const DEFAULT_BODY_IDLE_TIMEOUT_MS = 30_000;
const DEFAULT_BODY_TOTAL_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_JSON_DEPTH = 64;
/**
 * How much of an over-limit body is read and thrown away so the client can read the 413.
 * A client that writes its whole body before reading (node:http, Python requests) gets EPIPE or
 * ECONNRESET, not our answer, when we close while it still sends; draining lets it finish first.
 * 64 MiB past the limit covers the accidental case (a file a few times too large) and costs
 * ~50 ms of one core on loopback; a body larger than that is not worth the bandwidth.
 */
const DEFAULT_DRAIN_BYTES = 64 * 1024 * 1024;
/** …and for how long at most (a 4 MB/s uplink sends 64 MiB in ~16 s): a client that sends forever is cut off. */
const DEFAULT_DRAIN_TIMEOUT_MS = 15_000;

/**
 * Recommended node:http limits. `maxHeaderSize` and `requestTimeout`/`headersTimeout` go to
 * `http.createServer(options)`; `maxHeadersCount` and `keepAliveTimeout` are server properties.
 * requestTimeout only covers receiving the request, so long streamed answers are unaffected.
 */
export const SERVER_LIMITS = {
  /** Bytes of all request headers (node default 16 KiB; agent SDKs send many headers). */
  maxHeaderSize: 32 * 1024,
  maxHeadersCount: 128,
  /** A client must finish its headers within this (slowloris). */
  headersTimeout: 20_000,
  /** … and its whole request within this. Matches the body reader's total limit. */
  requestTimeout: DEFAULT_BODY_TOTAL_TIMEOUT_MS,
  keepAliveTimeout: 5_000,
} as const;

interface ReadBodyOptions {
  maxBytes?: number;
  /** No data for this long → 408. */
  idleTimeoutMs?: number;
  /** The whole body must arrive within this → 408. */
  totalTimeoutMs?: number;
  /** Aborts reading (server shutting down). */
  signal?: AbortSignal;
  /** Bytes past `maxBytes` read and discarded before the 413 goes out (0: none). */
  drainBytes?: number;
  /** The longest a drain may take; the 413 then goes out anyway. */
  drainTimeoutMs?: number;
}

export interface ReadJsonOptions extends ReadBodyOptions {
  maxDepth?: number;
}

/**
 * Reads the whole body into one Buffer (concatenated once). Rejects with a ProxyError:
 * 413 `body_too_large`, 408 `body_timeout`, 400 `client_aborted` when the client went away.
 *
 * An over-limit body (by Content-Length, or found while streaming) is drained first: read to its
 * end and discarded, within `drainBytes` and `drainTimeoutMs`, so the 413 reaches a client that
 * only reads once it has sent everything. A body declared larger than the drain allows is refused
 * at once. After a 413/408 the response should carry `Connection: close` (`shouldCloseConnection`).
 */
function readBody(req: IncomingMessage, options: ReadBodyOptions = {}): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  const idleMs = options.idleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS;
  const totalMs = options.totalTimeoutMs ?? DEFAULT_BODY_TOTAL_TIMEOUT_MS;
  const drainBytes = options.drainBytes ?? DEFAULT_DRAIN_BYTES;
  const drainMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;

  const header = req.headers['content-length'];
  const declaredBytes = header !== undefined && Number.isFinite(Number(header)) ? Number(header) : undefined;
  const declaredTooLarge = declaredBytes !== undefined && declaredBytes > maxBytes;
  if (declaredTooLarge && (declaredBytes - maxBytes > drainBytes || req.readableEnded)) return Promise.reject(tooLarge(maxBytes, declaredBytes));
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));

  return new Promise<Buffer>((resolve, reject) => {
    let chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    /** Set once the body is known to be too large: the rest is read and discarded. */
    let draining: ProxyError | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let idle: NodeJS.Timeout | undefined;
    const overall =
      totalMs > 0 ? setTimeout(() => fail(timedOut(`the request body did not arrive within ${Math.round(totalMs / 1000)} s`)), totalMs) : undefined;
    overall?.unref();
    const armIdle = () => {
      if (idleMs <= 0) return;
      if (idle) idle.refresh();
      else {
        idle = setTimeout(() => fail(timedOut(`no request body data for ${Math.round(idleMs / 1000)} s`)), idleMs);
        idle.unref();
      }
    };
    const startDrain = (err: ProxyError) => {
      draining = err;
      chunks = [];
      if (drainBytes <= 0) return fail(err);
      drainTimer = setTimeout(() => fail(err), drainMs);
      drainTimer.unref();
    };

    const cleanup = () => {
      settled = true;
      if (idle) clearTimeout(idle);
      if (overall) clearTimeout(overall);
      if (drainTimer) clearTimeout(drainTimer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      options.signal?.removeEventListener('abort', onAbort);
    };
    /** While draining, every way of stopping (timeouts included) still answers 413: that is the client's real problem. */
    const fail = (err: ProxyError) => {
      if (settled) return;
      cleanup();
      // Stop reading: the rest of this body is unwanted; the response closes the connection.
      req.pause();
      reject(draining && err.code !== 'shutting_down' && err.code !== 'client_aborted' ? draining : err);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      armIdle();
      if (draining) {
        if (total - maxBytes > drainBytes) fail(draining);
        return;
      }
      if (total > maxBytes) return startDrain(tooLarge(maxBytes));
      chunks.push(chunk);
    };
    const onEnd = () => {
      if (settled) return;
      if (draining) return fail(draining);
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    };
    const onError = (err: Error) => fail(new ProxyError('invalid_request', 'the request body could not be read', { code: 'client_aborted', cause: err }));
    const onClose = () => {
      if (!req.readableEnded)
        fail(new ProxyError('invalid_request', 'the client closed the connection before sending the whole body', { code: 'client_aborted' }));
    };
    const onAbort = () => fail(new ProxyError('unavailable', 'the server is shutting down', { code: 'shutting_down' }));

    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
    armIdle();
    if (declaredTooLarge) startDrain(tooLarge(maxBytes, declaredBytes));
  });
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Reads, decodes (strict UTF-8) and parses a JSON body with a nesting-depth limit. */
export async function readJsonBody(req: IncomingMessage, options: ReadJsonOptions = {}): Promise<unknown> {
  const buf = await readBody(req, options);
  return parseJsonBody(buf, options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH);
}

/** The parsing half of readJsonBody, for callers that already hold the bytes. */
export function parseJsonBody(buf: Uint8Array, maxDepth = DEFAULT_MAX_JSON_DEPTH): unknown {
  let text: string;
  try {
    // One decoder for every request: without `stream`, each decode() starts afresh.
    text = STRICT_UTF8.decode(buf);
  } catch {
    throw new ProxyError('invalid_request', 'the request body is not valid UTF-8', { code: 'invalid_encoding' });
  }
  // Not text.trim(): that copies a whole 200 KB body to look at its first character.
  if (!/\S/.test(text)) throw new ProxyError('invalid_request', 'the request body is empty; expected a JSON object', { code: 'empty_body' });
  const depth = jsonDepthExceeds(text, maxDepth);
  if (depth !== -1) {
    throw new ProxyError('invalid_request', `the request JSON is nested deeper than ${maxDepth} levels (at position ${depth})`, { code: 'json_too_deep' });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ProxyError('invalid_request', `the request body is not valid JSON: ${describeJsonError(err, text)}`, { code: 'invalid_json', cause: err });
  }
}

/**
 * Scans JSON text for nesting deeper than `maxDepth` without parsing it (so a hostile
 * `[[[[…` never reaches JSON.parse). Returns the offset where the limit is crossed, or -1.
 */
export function jsonDepthExceeds(text: string, maxDepth: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Jump over the string with indexOf (most of a large request is string content; a
      // char-by-char loop over it cost more than JSON.parse itself): the closing quote is the
      // next one not escaped by an odd run of backslashes.
      let end = i;
      for (;;) {
        end = text.indexOf('"', end + 1);
        if (end === -1) return -1; // unterminated: JSON.parse reports it
        let backslashes = 0;
        while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
        if ((backslashes & 1) === 0) break;
      }
      i = end;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return -1;
}

/** True when a failed body read should end the connection (unread bytes may remain on it). */
export function shouldCloseConnection(err: unknown): boolean {
  return err instanceof ProxyError && (err.code === 'body_too_large' || err.code === 'body_timeout' || err.code === 'client_aborted');
}

function describeJsonError(err: unknown, text: string): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/position \d+/.test(msg) && /line \d+ column \d+/.test(msg)) return msg;
  // V8 gives an offset for some errors only, and never a line; humans look for the line.
  const m = /position (\d+)/.exec(msg);
  const pos = m ? Number(m[1]) : jsonErrorOffset(text);
  if (pos < 0) return msg;
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `${msg} (at position ${pos}, line ${line} column ${column})`;
}

function tooLarge(maxBytes: number, declared?: number): ProxyError {
  const mib = (maxBytes / (1024 * 1024)).toFixed(maxBytes % (1024 * 1024) === 0 ? 0 : 2);
  const what = declared !== undefined ? `declares ${declared} bytes` : 'is larger than that';
  return new ProxyError('request_too_large', `the request body exceeds the ${mib} MiB limit (it ${what})`, { code: 'body_too_large' });
}

function timedOut(message: string): ProxyError {
  return new ProxyError('timeout', message, { status: 408, code: 'body_timeout' });
}
