// The proxy's hand-written event-stream decoder (src/core/kiro/frame-decoder.ts) against AWS's
// own (@smithy/core/event-streams, the code behind @smithy/eventstream-codec, which now only
// re-exports it), on this workload: Kiro answers split into the reads a socket delivers.
// Issue 15 keeps the hand-written one only if it wins clearly; BENCHMARKS.md has the figures.
//
//   node bench/inproc/event-stream-decoders.ts [runs=9]
//
// Streams:
//   real captures  the three kiro-cli 2.4.1 bodies in test/fixtures/kiro (8 frames, 1.15 KB),
//                  repeated to ~5 MB: Kiro's exact header bytes and frame sizes
//   long answer    bench/lib/kiro-frames.ts (the translation bench's 40,000-event answer, 6.3 MB)
// Reads (how the bytes arrive; seeded, so every arm sees the same cuts):
//   16 KiB         bulk reads, as a busy socket delivers a fast stream
//   TCP segments   1–1448 bytes at random (one MSS at most): most frames straddle two reads
//   frame by frame each frame its own read, every fifth one cut in two at a random byte: the
//                  live case, Kiro flushing each event as the model produces it
// Arms (each consumer reads every frame's :event-type and payload):
//   hand-written   EventStreamDecoder.push(read), synchronous, as kiroEventsFromBody calls it
//   AWS stack      getChunkedStream(reads) → EventStreamCodec.decode(frame): how the AWS SDK
//                  decodes a response body (an async generator that re-frames the reads)
//   AWS codec      a minimal synchronous re-framer → EventStreamCodec.decode(frame): AWS's
//                  codec without the async generator, the best it can do here
// Figure: input MB per CPU-second (user + system of this process), median of `runs` passes per
// arm, arms interleaved; every arm must decode the same event types and payload bytes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventStreamCodec, getChunkedStream } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/core/serde';
import { EventStreamDecoder, headerString } from '../../src/core/kiro/frame-decoder.ts';
import { frames } from '../lib/kiro-frames.ts';
import { median } from '../lib/stats.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const runs = Number(process.argv[2] ?? 9);

interface Tally {
  frames: number;
  payloadBytes: number;
  /** A checksum over the event-type sequence, to prove every arm decoded the same stream. */
  types: number;
}
const tally = (): Tally => ({ frames: 0, payloadBytes: 0, types: 0 });
function count(t: Tally, type: string | undefined, payload: Uint8Array): void {
  t.frames++;
  t.payloadBytes += payload.length;
  t.types = (Math.imul(t.types, 31) + (type?.length ?? 0) + (type?.charCodeAt(0) ?? 0)) | 0;
}

function handWritten(reads: Uint8Array[]): Tally {
  const t = tally();
  const dec = new EventStreamDecoder();
  for (const r of reads) for (const m of dec.push(r)) count(t, headerString(m, ':event-type'), m.payload);
  dec.end();
  return t;
}

async function awsStack(reads: Uint8Array[]): Promise<Tally> {
  const t = tally();
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  async function* source() {
    yield* reads;
  }
  for await (const frame of getChunkedStream(source())) {
    const m = codec.decode(frame);
    const type = m.headers[':event-type'];
    count(t, type?.type === 'string' ? type.value : undefined, m.body);
  }
  return t;
}

function awsCodec(reads: Uint8Array[]): Tally {
  const t = tally();
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  let pending: Uint8Array = new Uint8Array(0);
  for (const r of reads) {
    const buf = pending.length === 0 ? r : Buffer.concat([pending, r]);
    let off = 0;
    while (buf.length - off >= 4) {
      const total = ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
      if (buf.length - off < total) break;
      const m = codec.decode(buf.subarray(off, off + total));
      const type = m.headers[':event-type'];
      count(t, type?.type === 'string' ? type.value : undefined, m.body);
      off += total;
    }
    pending = off === buf.length ? new Uint8Array(0) : buf.subarray(off);
  }
  if (pending.length) throw new Error('stream ended inside a frame');
  return t;
}

/** Park–Miller, so the cuts are the same in every run and arm. */
function prng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48271) % 0x7fffffff) / 0x7fffffff;
}

function bulk(all: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < all.length; off += size) out.push(all.subarray(off, off + size));
  return out;
}

function segments(all: Uint8Array, seed: number): Uint8Array[] {
  const rnd = prng(seed);
  const out: Uint8Array[] = [];
  for (let off = 0; off < all.length;) {
    const n = 1 + Math.floor(rnd() * 1448);
    out.push(all.subarray(off, off + n));
    off += n;
  }
  return out;
}

function frameByFrame(list: Uint8Array[], seed: number): Uint8Array[] {
  const rnd = prng(seed);
  const out: Uint8Array[] = [];
  for (const f of list) {
    if (rnd() < 0.2) {
      const cut = 1 + Math.floor(rnd() * (f.length - 1));
      out.push(f.subarray(0, cut), f.subarray(cut));
    } else out.push(f);
  }
  return out;
}

/** Whole frames of a concatenated body (lengths from each prelude). */
function splitFrames(body: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < body.length;) {
    const total = new DataView(body.buffer, body.byteOffset + off, 4).getUint32(0);
    out.push(body.subarray(off, off + total));
    off += total;
  }
  return out;
}

const captures = ['kirocli-2.4.1_turn1_text.bin', 'kirocli-2.4.1_turn4_text.bin', 'kirocli-2.4.1_turn6_tooluse.bin'].flatMap((f) =>
  splitFrames(readFileSync(join(ROOT, 'test/fixtures/kiro', f))),
);
const captureBytes = captures.reduce((a, f) => a + f.length, 0);
const realFrames = Array.from({ length: Math.ceil(5e6 / captureBytes) }, () => captures).flat();
const longFrames = frames(40_000);

const streams = [
  { name: 'real captures', frames: realFrames },
  { name: 'long answer', frames: longFrames },
];
const arms = [
  { name: 'hand-written', run: (r: Uint8Array[]) => Promise.resolve(handWritten(r)) },
  { name: 'AWS stack', run: awsStack },
  { name: 'AWS codec', run: (r: Uint8Array[]) => Promise.resolve(awsCodec(r)) },
];

const results: { stream: string; reads: string; readCount: number; bytes: number; arm: string; mbPerCpuSec: number; spread: [number, number] }[] = [];
for (const s of streams) {
  const body = Buffer.concat(s.frames);
  const readings = [
    { name: '16 KiB', reads: bulk(body, 16 * 1024) },
    { name: 'TCP segments', reads: segments(body, 7) },
    { name: 'frame by frame', reads: frameByFrame(s.frames, 11) },
  ];
  for (const rd of readings) {
    const rates = new Map<string, number[]>(arms.map((a) => [a.name, []]));
    let reference: Tally | undefined;
    for (const a of arms) {
      const t = await a.run(rd.reads); // warm-up, and the correctness check
      reference ??= t;
      if (JSON.stringify(t) !== JSON.stringify(reference)) throw new Error(`${a.name} decoded ${JSON.stringify(t)}, expected ${JSON.stringify(reference)}`);
      await a.run(rd.reads);
    }
    for (let i = 0; i < runs; i++) {
      for (let k = 0; k < arms.length; k++) {
        const a = arms[(i + k) % arms.length]!;
        const c0 = process.cpuUsage();
        await a.run(rd.reads);
        const cpu = process.cpuUsage(c0);
        rates.get(a.name)!.push(body.length / 1e6 / ((cpu.user + cpu.system) / 1e6));
      }
    }
    for (const a of arms) {
      const xs = rates.get(a.name)!;
      results.push({
        stream: s.name,
        reads: rd.name,
        readCount: rd.reads.length,
        bytes: body.length,
        arm: a.name,
        mbPerCpuSec: median(xs),
        spread: [Math.min(...xs), Math.max(...xs)],
      });
    }
  }
}

console.log('| stream | reads | hand-written | AWS stack | AWS codec | hand-written ÷ best AWS |');
console.log('|---|---|---:|---:|---:|---:|');
for (const s of streams) {
  for (const rd of ['16 KiB', 'TCP segments', 'frame by frame']) {
    const row = results.filter((r) => r.stream === s.name && r.reads === rd);
    const by = (arm: string) => row.find((r) => r.arm === arm)!;
    const fmt = (arm: string) =>
      `${by(arm).mbPerCpuSec.toFixed(0)} (${by(arm)
        .spread.map((x) => x.toFixed(0))
        .join('–')})`;
    const ratio = by('hand-written').mbPerCpuSec / Math.max(by('AWS stack').mbPerCpuSec, by('AWS codec').mbPerCpuSec);
    console.log(
      `| ${s.name} (${(row[0]!.bytes / 1e6).toFixed(1)} MB) | ${rd} (${row[0]!.readCount} reads) | ${fmt('hand-written')} | ${fmt('AWS stack')} | ${fmt('AWS codec')} | ×${ratio.toFixed(1)} |`,
    );
  }
}
console.log(`\nMB of Kiro input per CPU-second, median of ${runs} (min–max); Node ${process.version}.`);
