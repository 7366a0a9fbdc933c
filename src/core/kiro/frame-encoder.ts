// Writing AWS event-stream frames: the simulated Kiro answers with them, and the tests and
// benchmarks build their inputs with them. The proxy itself only decodes (frame-decoder.ts); the
// layout is the same one, described there and in kiro-protocol.md §7.1.
import { crc32 } from './crc32.ts';
import type { HeaderValue } from './frame-decoder.ts';

const PRELUDE = 12;
const utf8Enc = new TextEncoder();

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
