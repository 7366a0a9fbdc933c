// Writes a stream plan to the socket in odd-sized pieces so frames straddle TCP writes, the way
// real networks deliver them; a decoder that assumes one frame per chunk fails against the mock.
import type { ServerResponse } from 'node:http';
import { randInt, type Rng } from './prng.ts';
import type { StreamAction } from './stream-plan.ts';
import type { TimerSet } from './timers.ts';

export interface WriteOptions {
  rng: Rng;
  timers: TimerSet;
  chunkDelayMs: number;
  /** false writes each frame whole (benchmarks that measure the proxy, not the decoder). */
  splitFrames: boolean;
}

function write(res: ServerResponse, data: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    res.write(data, () => resolve());
  });
}

const gone = (res: ServerResponse) => res.destroyed || res.writableEnded;

/** Resolves when the plan is written (or the client went away); ends or destroys the response. */
export async function writeStream(res: ServerResponse, actions: StreamAction[], opts: WriteOptions): Promise<void> {
  let pending: Uint8Array[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const buf = Buffer.concat(pending);
    pending = [];
    if (!opts.splitFrames) {
      if (!gone(res)) await write(res, buf);
      return;
    }
    let off = 0;
    while (off < buf.length && !gone(res)) {
      const size = randInt(opts.rng, 1, 48) * 2 + 1; // odd sizes 3..97
      await write(res, buf.subarray(off, off + size));
      off += size;
      // Yield to the event loop so each piece leaves as its own TCP write instead of coalescing.
      if (opts.chunkDelayMs > 0) await opts.timers.sleep(opts.chunkDelayMs);
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  for (const a of actions) {
    if (gone(res)) return;
    if (a.kind === 'bytes') {
      pending.push(a.data);
      continue;
    }
    await flush();
    if (a.kind === 'delay') await opts.timers.sleep(a.ms);
    else {
      // Destroying the socket without the terminating chunk: the client sees a broken body.
      res.socket?.destroy();
      res.destroy();
      return;
    }
  }
  await flush();
  if (!gone(res)) res.end();
}
