// AWS event-stream (application/vnd.amazon.eventstream) framing, as Kiro's
// generateAssistantResponse answers. Layout (big-endian), see kiro-protocol.md §7.1:
//   u32 total_length | u32 headers_length | u32 prelude_crc | headers | payload | u32 message_crc
// Header: u8 name_len | name | u8 type | value. Types 0..9 (bool true/false, int8/16/32/64,
// bytes, string, timestamp, uuid). Both CRCs are IEEE CRC-32.
import { crc32 } from './crc32.ts';

export type HeaderValue =
  | { type: 'bool'; value: boolean }
  | { type: 'int8' | 'int16' | 'int32'; value: number }
  | { type: 'int64'; value: bigint }
  | { type: 'bytes'; value: Uint8Array }
  | { type: 'string'; value: string }
  | { type: 'timestamp'; value: Date }
  | { type: 'uuid'; value: string };

export interface EventStreamMessage {
  /** Header name → value, in the order they arrived. */
  headers: Map<string, HeaderValue>;
  payload: Uint8Array;
}

export type EventStreamErrorCode =
  | 'prelude_crc'
  | 'message_crc'
  | 'frame_too_large'
  | 'frame_too_small'
  | 'bad_header'
  | 'truncated';

export class EventStreamError extends Error {
  readonly code: EventStreamErrorCode;
  constructor(code: EventStreamErrorCode, message: string) {
    super(message);
    this.name = 'EventStreamError';
    this.code = code;
  }
}

const PRELUDE = 12;
const MIN_FRAME = 16;
/** KRS caps frames at 16 MiB; real Kiro frames are a few hundred bytes. */
export const DEFAULT_MAX_FRAME = 16 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8Enc = new TextEncoder();

/** String value of a header, or undefined when absent or not a string. */
export function headerString(msg: EventStreamMessage, name: string): string | undefined {
  const h = msg.headers.get(name);
  return h && h.type === 'string' ? h.value : undefined;
}

function parseHeaders(buf: Uint8Array, start: number, end: number): Map<string, HeaderValue> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headers = new Map<string, HeaderValue>();
  let p = start;
  const need = (n: number) => {
    if (p + n > end) throw new EventStreamError('bad_header', 'header runs past the header block');
  };
  while (p < end) {
    need(1);
    const nameLen = buf[p]!;
    p += 1;
    if (nameLen === 0) throw new EventStreamError('bad_header', 'empty header name');
    need(nameLen + 1);
    const name = utf8.decode(buf.subarray(p, p + nameLen));
    p += nameLen;
    const type = buf[p]!;
    p += 1;
    let value: HeaderValue;
    switch (type) {
      case 0:
        value = { type: 'bool', value: true };
        break;
      case 1:
        value = { type: 'bool', value: false };
        break;
      case 2:
        need(1);
        value = { type: 'int8', value: view.getInt8(p) };
        p += 1;
        break;
      case 3:
        need(2);
        value = { type: 'int16', value: view.getInt16(p) };
        p += 2;
        break;
      case 4:
        need(4);
        value = { type: 'int32', value: view.getInt32(p) };
        p += 4;
        break;
      case 5:
        need(8);
        value = { type: 'int64', value: view.getBigInt64(p) };
        p += 8;
        break;
      case 6:
      case 7: {
        need(2);
        const len = view.getUint16(p);
        p += 2;
        need(len);
        const bytes = buf.subarray(p, p + len);
        p += len;
        value = type === 6 ? { type: 'bytes', value: bytes.slice() } : { type: 'string', value: utf8.decode(bytes) };
        break;
      }
      case 8:
        need(8);
        value = { type: 'timestamp', value: new Date(Number(view.getBigInt64(p))) };
        p += 8;
        break;
      case 9: {
        need(16);
        const hex = Buffer.from(buf.subarray(p, p + 16)).toString('hex');
        value = {
          type: 'uuid',
          value: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
        };
        p += 16;
        break;
      }
      default:
        throw new EventStreamError('bad_header', `unknown header value type ${type} for "${name}"`);
    }
    headers.set(name, value);
  }
  return headers;
}

/** Decodes one complete frame (exactly total_length bytes). */
export function decodeFrame(frame: Uint8Array, maxFrame = DEFAULT_MAX_FRAME): EventStreamMessage {
  if (frame.length < MIN_FRAME) throw new EventStreamError('frame_too_small', `frame of ${frame.length} bytes`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const total = view.getUint32(0);
  const headersLen = view.getUint32(4);
  checkPrelude(frame, total, headersLen, view.getUint32(8), maxFrame);
  if (total !== frame.length) throw new EventStreamError('truncated', `frame says ${total} bytes, got ${frame.length}`);
  const expected = view.getUint32(total - 4);
  const actual = crc32(frame.subarray(0, total - 4));
  if (expected !== actual) {
    throw new EventStreamError('message_crc', `message CRC mismatch (0x${expected.toString(16)} != 0x${actual.toString(16)})`);
  }
  const headers = parseHeaders(frame, PRELUDE, PRELUDE + headersLen);
  const payload = frame.subarray(PRELUDE + headersLen, total - 4);
  return { headers, payload };
}

function checkPrelude(prelude: Uint8Array, total: number, headersLen: number, preludeCrc: number, maxFrame: number): void {
  const actual = crc32(prelude.subarray(0, 8));
  if (actual !== preludeCrc) {
    throw new EventStreamError('prelude_crc', `prelude CRC mismatch (0x${preludeCrc.toString(16)} != 0x${actual.toString(16)})`);
  }
  if (total < MIN_FRAME) throw new EventStreamError('frame_too_small', `frame length ${total} < ${MIN_FRAME}`);
  if (total > maxFrame) throw new EventStreamError('frame_too_large', `frame length ${total} exceeds the limit of ${maxFrame}`);
  if (headersLen > total - MIN_FRAME) {
    throw new EventStreamError('bad_header', `headers length ${headersLen} does not fit a ${total}-byte frame`);
  }
}

/**
 * Streaming decoder: feed it chunks split at any byte, get whole messages back.
 * After an error the stream cannot be resynchronised (lengths are untrusted), so the decoder
 * stays failed and every further push throws the same error.
 */
export class EventStreamDecoder {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private need = 0;
  private failed: EventStreamError | undefined;
  private readonly maxFrame: number;

  constructor(options: { maxFrameBytes?: number } = {}) {
    this.maxFrame = options.maxFrameBytes ?? DEFAULT_MAX_FRAME;
  }

  /** Bytes held that do not yet form a whole frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): EventStreamMessage[] {
    if (this.failed) throw this.failed;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const out: EventStreamMessage[] = [];
    try {
      for (;;) {
        if (this.need === 0) {
          if (this.buffered < PRELUDE) break;
          const prelude = this.peek(PRELUDE);
          const view = new DataView(prelude.buffer, prelude.byteOffset, PRELUDE);
          const total = view.getUint32(0);
          checkPrelude(prelude, total, view.getUint32(4), view.getUint32(8), this.maxFrame);
          this.need = total;
        }
        if (this.buffered < this.need) break;
        const frame = this.take(this.need);
        this.need = 0;
        out.push(decodeFrame(frame, this.maxFrame));
      }
    } catch (err) {
      this.failed = err instanceof EventStreamError ? err : new EventStreamError('bad_header', String(err));
      throw this.failed;
    }
    return out;
  }

  /** Call at end of input: throws if a partial frame is left over. */
  end(): void {
    if (this.failed) throw this.failed;
    if (this.buffered > 0) {
      this.failed = new EventStreamError('truncated', `stream ended inside a frame (${this.buffered} bytes left over)`);
      throw this.failed;
    }
  }

  private peek(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    const out = new Uint8Array(n);
    let off = 0;
    for (const c of this.chunks) {
      const k = Math.min(c.length, n - off);
      out.set(c.subarray(0, k), off);
      off += k;
      if (off === n) break;
    }
    return out;
  }

  private take(n: number): Uint8Array {
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - off);
      out.set(c.subarray(0, k), off);
      off += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }
}

export type HeaderInput = [name: string, value: HeaderValue | string];

function encodeHeaderValue(v: HeaderValue): Uint8Array {
  switch (v.type) {
    case 'bool':
      return Uint8Array.of(v.value ? 0 : 1);
    case 'int8': {
      const b = new Uint8Array(2);
      b[0] = 2;
      new DataView(b.buffer).setInt8(1, v.value);
      return b;
    }
    case 'int16': {
      const b = new Uint8Array(3);
      b[0] = 3;
      new DataView(b.buffer).setInt16(1, v.value);
      return b;
    }
    case 'int32': {
      const b = new Uint8Array(5);
      b[0] = 4;
      new DataView(b.buffer).setInt32(1, v.value);
      return b;
    }
    case 'int64': {
      const b = new Uint8Array(9);
      b[0] = 5;
      new DataView(b.buffer).setBigInt64(1, v.value);
      return b;
    }
    case 'bytes':
    case 'string': {
      const data = v.type === 'bytes' ? v.value : utf8Enc.encode(v.value);
      if (data.length > 0xffff) throw new RangeError('header value longer than 65535 bytes');
      const b = new Uint8Array(3 + data.length);
      b[0] = v.type === 'bytes' ? 6 : 7;
      new DataView(b.buffer).setUint16(1, data.length);
      b.set(data, 3);
      return b;
    }
    case 'timestamp': {
      const b = new Uint8Array(9);
      b[0] = 8;
      new DataView(b.buffer).setBigInt64(1, BigInt(v.value.getTime()));
      return b;
    }
    case 'uuid': {
      const hex = v.value.replace(/-/g, '');
      if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`not a uuid: ${v.value}`);
      const b = new Uint8Array(17);
      b[0] = 9;
      b.set(Buffer.from(hex, 'hex'), 1);
      return b;
    }
  }
}

/** Encodes one frame. Plain strings are string (type 7) headers, as Kiro sends them. */
export function encodeFrame(headers: HeaderInput[], payload: Uint8Array | string): Uint8Array {
  const body = typeof payload === 'string' ? utf8Enc.encode(payload) : payload;
  const parts: Uint8Array[] = [];
  let headersLen = 0;
  for (const [name, raw] of headers) {
    const nameBytes = utf8Enc.encode(name);
    if (nameBytes.length === 0 || nameBytes.length > 255) throw new RangeError(`bad header name "${name}"`);
    const value = encodeHeaderValue(typeof raw === 'string' ? { type: 'string', value: raw } : raw);
    const entry = new Uint8Array(1 + nameBytes.length + value.length);
    entry[0] = nameBytes.length;
    entry.set(nameBytes, 1);
    entry.set(value, 1 + nameBytes.length);
    parts.push(entry);
    headersLen += entry.length;
  }
  const total = PRELUDE + headersLen + body.length + 4;
  const frame = new Uint8Array(total);
  const view = new DataView(frame.buffer);
  view.setUint32(0, total);
  view.setUint32(4, headersLen);
  view.setUint32(8, crc32(frame.subarray(0, 8)));
  let off = PRELUDE;
  for (const p of parts) {
    frame.set(p, off);
    off += p.length;
  }
  frame.set(body, off);
  view.setUint32(total - 4, crc32(frame.subarray(0, total - 4)));
  return frame;
}

/**
 * A Kiro event frame with the real header order (:event-type, :content-type, :message-type)
 * and the payload's keys sorted alphabetically, as the service serialises them.
 */
export function encodeKiroEvent(eventType: string, payload: Record<string, unknown>, contentType = 'application/json'): Uint8Array {
  return encodeFrame(
    [
      [':event-type', eventType],
      [':content-type', contentType],
      [':message-type', 'event'],
    ],
    JSON.stringify(sortKeys(payload)),
  );
}

/** An exception frame (e.g. ContentLengthExceededException, ThrottlingException). */
export function encodeKiroException(exceptionType: string, payload: Record<string, unknown>): Uint8Array {
  return encodeFrame(
    [
      [':exception-type', exceptionType],
      [':content-type', 'application/json'],
      [':message-type', 'exception'],
    ],
    JSON.stringify(sortKeys(payload)),
  );
}

/** An error frame (fatal; code and message travel in headers). */
export function encodeKiroError(code: string, message: string): Uint8Array {
  return encodeFrame(
    [
      [':error-code', code],
      [':error-message', message],
      [':message-type', 'error'],
    ],
    new Uint8Array(0),
  );
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}
