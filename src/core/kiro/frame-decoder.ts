// AWS event-stream (application/vnd.amazon.eventstream) framing, as Kiro's
// generateAssistantResponse answers. Layout (big-endian), see kiro-protocol.md §7.1:
//   u32 total_length | u32 headers_length | u32 prelude_crc | headers | payload | u32 message_crc
// Header: u8 name_len | name | u8 type | value. Types 0..9 (bool true/false, int8/16/32/64,
// bytes, string, timestamp, uuid). Both CRCs are IEEE CRC-32.
import { crc32, crc32Range } from './crc32.ts';

export type HeaderValue =
  | { type: 'bool'; value: boolean }
  | { type: 'int8' | 'int16' | 'int32'; value: number }
  | { type: 'int64'; value: bigint }
  | { type: 'bytes'; value: Uint8Array }
  | { type: 'string'; value: string }
  | { type: 'timestamp'; value: Date }
  | { type: 'uuid'; value: string };

export interface EventStreamMessage {
  /** Header name → value, in the order they arrived. Read-only: frames with identical header bytes share one map. */
  headers: ReadonlyMap<string, HeaderValue>;
  payload: Uint8Array;
}

export type EventStreamErrorCode = 'prelude_crc' | 'message_crc' | 'frame_too_large' | 'frame_too_small' | 'bad_header' | 'truncated';

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
const DEFAULT_MAX_FRAME = 16 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** String value of a header, or undefined when absent or not a string. */
export function headerString(msg: EventStreamMessage, name: string): string | undefined {
  const h = msg.headers.get(name);
  return h && h.type === 'string' ? h.value : undefined;
}

const u16 = (b: Uint8Array, p: number): number => (b[p]! << 8) | b[p + 1]!;
const u32 = (b: Uint8Array, p: number): number => ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;

/** Longest string the intern table keeps; header names and Kiro's header values are far shorter. */
const INTERN_MAX_BYTES = 64;
const INTERN_MAX_ENTRIES = 256;
/** Header blocks remembered whole: Kiro sends a handful of distinct ones per stream. */
const MAX_BLOCKS = 16;
const MAX_BLOCK_BYTES = 512;

/**
 * Per-decoder table of the short ASCII strings frames repeat (`:event-type`,
 * `assistantResponseEvent`, `application/json`…), keyed by a hash of their bytes and checked byte
 * for byte, so a frame's headers cost no string decoding and no allocation once seen.
 */
class InternTable {
  private readonly names = new Map<number, string>();
  private readonly values = new Map<number, HeaderValue>();
  /** Whole header blocks seen (one per event type in practice), each with its parsed map. */
  private readonly blocks: { bytes: Uint8Array; headers: ReadonlyMap<string, HeaderValue> }[] = [];

  /** The parsed headers of a block identical to `buf[start, end)`, if one was seen. */
  block(buf: Uint8Array, start: number, end: number): ReadonlyMap<string, HeaderValue> | undefined {
    const len = end - start;
    for (const b of this.blocks) {
      if (b.bytes.length !== len) continue;
      let i = len - 1;
      while (i >= 0 && b.bytes[i] === buf[start + i]) i--;
      if (i < 0) return b.headers;
    }
    return undefined;
  }

  remember(buf: Uint8Array, start: number, end: number, headers: ReadonlyMap<string, HeaderValue>): void {
    // A copy: a Buffer's slice() is a view that would keep the whole upstream read alive.
    if (this.blocks.length < MAX_BLOCKS && end - start <= MAX_BLOCK_BYTES) this.blocks.push({ bytes: new Uint8Array(buf.subarray(start, end)), headers });
  }

  name(buf: Uint8Array, start: number, end: number): string {
    const h = asciiHash(buf, start, end);
    if (h === -1) return utf8.decode(buf.subarray(start, end));
    const hit = this.names.get(h);
    if (hit !== undefined && sameAscii(hit, buf, start, end)) return hit;
    const s = utf8.decode(buf.subarray(start, end));
    if (hit === undefined && this.names.size < INTERN_MAX_ENTRIES) this.names.set(h, s);
    return s;
  }

  stringValue(buf: Uint8Array, start: number, end: number): HeaderValue {
    const h = asciiHash(buf, start, end);
    if (h === -1) return { type: 'string', value: utf8.decode(buf.subarray(start, end)) };
    const hit = this.values.get(h);
    if (hit !== undefined && sameAscii(hit.value as string, buf, start, end)) return hit;
    // Shared between frames, so frozen: a consumer cannot change another frame's header.
    const v: HeaderValue = Object.freeze({ type: 'string', value: utf8.decode(buf.subarray(start, end)) });
    if (hit === undefined && this.values.size < INTERN_MAX_ENTRIES) this.values.set(h, v);
    return v;
  }
}

/** FNV-1a over short ASCII bytes; -1 when too long or not ASCII (those are decoded every time). */
function asciiHash(buf: Uint8Array, start: number, end: number): number {
  if (end - start > INTERN_MAX_BYTES) return -1;
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b >= 0x80) return -1;
    h = Math.imul(h ^ b, 0x01000193);
  }
  return h >>> 0;
}

function sameAscii(s: string, buf: Uint8Array, start: number, end: number): boolean {
  if (s.length !== end - start) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== buf[start + i]) return false;
  return true;
}

function parseHeaders(buf: Uint8Array, start: number, end: number, intern?: InternTable): ReadonlyMap<string, HeaderValue> {
  const seen = intern?.block(buf, start, end);
  if (seen) return seen;
  const headers = new Map<string, HeaderValue>();
  let view: DataView | undefined;
  const dv = () => (view ??= new DataView(buf.buffer, buf.byteOffset, buf.byteLength));
  let p = start;
  const need = (n: number) => {
    if (p + n > end) throw new EventStreamError('bad_header', 'header runs past the header block');
  };
  while (p < end) {
    const nameLen = buf[p]!;
    p += 1;
    if (nameLen === 0) throw new EventStreamError('bad_header', 'empty header name');
    need(nameLen + 1);
    const name = intern ? intern.name(buf, p, p + nameLen) : utf8.decode(buf.subarray(p, p + nameLen));
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
        value = { type: 'int8', value: dv().getInt8(p) };
        p += 1;
        break;
      case 3:
        need(2);
        value = { type: 'int16', value: dv().getInt16(p) };
        p += 2;
        break;
      case 4:
        need(4);
        value = { type: 'int32', value: dv().getInt32(p) };
        p += 4;
        break;
      case 5:
        need(8);
        value = { type: 'int64', value: dv().getBigInt64(p) };
        p += 8;
        break;
      case 6:
      case 7: {
        need(2);
        const len = u16(buf, p);
        p += 2;
        need(len);
        // A copy (a Buffer's slice() is a view that would keep the whole read alive).
        if (type === 6) value = { type: 'bytes', value: new Uint8Array(buf.subarray(p, p + len)) };
        else value = intern ? intern.stringValue(buf, p, p + len) : { type: 'string', value: utf8.decode(buf.subarray(p, p + len)) };
        p += len;
        break;
      }
      case 8:
        need(8);
        value = { type: 'timestamp', value: new Date(Number(dv().getBigInt64(p))) };
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
  // Only blocks of interned strings are shared (bytes/timestamps are mutable objects).
  if (intern && [...headers.values()].every((v) => v.type === 'string')) intern.remember(buf, start, end, headers);
  return headers;
}

/** Decodes one complete frame (exactly total_length bytes). */
export function decodeFrame(frame: Uint8Array, maxFrame = DEFAULT_MAX_FRAME): EventStreamMessage {
  if (frame.length < MIN_FRAME) throw new EventStreamError('frame_too_small', `frame of ${frame.length} bytes`);
  const total = u32(frame, 0);
  const headersLen = u32(frame, 4);
  checkPrelude(frame, 0, total, headersLen, maxFrame);
  if (total !== frame.length) throw new EventStreamError('truncated', `frame says ${total} bytes, got ${frame.length}`);
  return decodeChecked(frame, 0, total, headersLen);
}

/** The body of a frame whose prelude was checked: message CRC, headers, payload. */
function decodeChecked(buf: Uint8Array, start: number, total: number, headersLen: number, intern?: InternTable): EventStreamMessage {
  const end = start + total;
  const expected = u32(buf, end - 4);
  // The message CRC covers the prelude too; its CRC is the checked prelude CRC, so continue from it.
  const actual = crc32(buf.subarray(start + 8, end - 4), u32(buf, start + 8));
  if (expected !== actual) {
    throw new EventStreamError('message_crc', `message CRC mismatch (0x${expected.toString(16)} != 0x${actual.toString(16)})`);
  }
  const headers = parseHeaders(buf, start + PRELUDE, start + PRELUDE + headersLen, intern);
  const payload = buf.subarray(start + PRELUDE + headersLen, end - 4);
  return { headers, payload };
}

/** Checks the 12-byte prelude at `start`. */
function checkPrelude(buf: Uint8Array, start: number, total: number, headersLen: number, maxFrame: number): void {
  const preludeCrc = u32(buf, start + 8);
  const actual = crc32Range(buf, start, start + 8);
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
 *
 * Frames that lie whole inside one chunk (nearly all of them) are decoded in place: no copy, and
 * header strings come from a per-decoder intern table. Only a frame straddling chunks is copied.
 */
export class EventStreamDecoder {
  /** Unconsumed input; bytes before `offset` in chunks[0] are consumed. */
  private chunks: Uint8Array[] = [];
  private offset = 0;
  private buffered = 0;
  private need = 0;
  private headersLen = 0;
  private failed: EventStreamError | undefined;
  private readonly maxFrame: number;
  private readonly intern = new InternTable();

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
          const first = this.chunks[0]!;
          const inFirst = first.length - this.offset >= PRELUDE;
          const prelude = inFirst ? first : this.peek(PRELUDE);
          const at = inFirst ? this.offset : 0;
          const total = u32(prelude, at);
          const headersLen = u32(prelude, at + 4);
          checkPrelude(prelude, at, total, headersLen, this.maxFrame);
          this.need = total;
          this.headersLen = headersLen;
        }
        if (this.buffered < this.need) break;
        const total = this.need;
        this.need = 0;
        const first = this.chunks[0]!;
        if (first.length - this.offset >= total) {
          const start = this.offset;
          this.consume(total);
          out.push(decodeChecked(first, start, total, this.headersLen, this.intern));
        } else {
          out.push(decodeChecked(this.takeCopy(total), 0, total, this.headersLen, this.intern));
        }
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

  /** Drops `n` bytes that lie inside the first chunk. */
  private consume(n: number): void {
    this.buffered -= n;
    this.offset += n;
    if (this.offset === this.chunks[0]!.length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }

  /** A copy of the first `n` buffered bytes (which span chunks). */
  private peek(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let off = 0;
    let skip = this.offset;
    for (const c of this.chunks) {
      const k = Math.min(c.length - skip, n - off);
      out.set(c.subarray(skip, skip + k), off);
      off += k;
      skip = 0;
      if (off === n) break;
    }
    return out;
  }

  /** Removes and returns the first `n` buffered bytes (which span chunks) as one copy. */
  private takeCopy(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length - this.offset, n - off);
      out.set(c.subarray(this.offset, this.offset + k), off);
      off += k;
      this.consume(k);
    }
    return out;
  }
}
