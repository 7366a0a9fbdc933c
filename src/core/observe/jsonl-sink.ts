// Append-only JSONL file with size-based rotation (requests.jsonl → requests.1.jsonl … keep N).
// `write` is synchronous and never touches the disk itself: lines go to an in-memory queue that
// one async loop drains into a buffered append stream, so the request path never waits on fs.
// Lines are coalesced for a short moment and written together: one file write per request woke
// a thread-pool thread per request (measured: a futex per request, CPU taken from the proxy).
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface JsonlSinkOptions {
  dir: string;
  /** File stem: `<baseName>.jsonl`, rotated to `<baseName>.1.jsonl` … */
  baseName?: string;
  /** Rotate before a write would take the live file past this size. Default 10 MiB. */
  maxBytes?: number;
  /** Rotated files kept besides the live one. Default 5. */
  keep?: number;
  /** Lines queued while the disk is slow; beyond this, new lines are dropped (and counted). Default 10 000. */
  maxQueuedLines?: number;
  /** Reported once per failure; the sink keeps trying with later lines. */
  onError?: (err: unknown) => void;
  /** How long a first queued line waits for company before the batch is written. Default 50 ms; 0 writes at once. */
  batchDelayMs?: number;
}

export class JsonlSink {
  readonly #dir: string;
  readonly #base: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  readonly #maxQueued: number;
  readonly #onError: (err: unknown) => void;
  readonly #batchDelayMs: number;
  #batchTimer: NodeJS.Timeout | undefined;
  #queue: string[] = [];
  #stream: WriteStream | undefined;
  #size = 0;
  #draining: Promise<void> | undefined;
  #closed = false;
  #dropped = 0;

  constructor(options: JsonlSinkOptions) {
    this.#dir = options.dir;
    this.#base = options.baseName ?? 'requests';
    this.#maxBytes = Math.max(1024, options.maxBytes ?? 10 * 1024 * 1024);
    this.#keep = Math.max(0, options.keep ?? 5);
    this.#maxQueued = Math.max(1, options.maxQueuedLines ?? 10_000);
    this.#onError = options.onError ?? (() => {});
    this.#batchDelayMs = Math.max(0, options.batchDelayMs ?? 50);
  }

  /** Path of the live file. */
  get path(): string {
    return this.#file(0);
  }

  /** Lines dropped because the queue was full or the sink closed. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Queues one record; returns false when it was dropped. */
  write(record: unknown): boolean {
    if (this.#closed || this.#queue.length >= this.#maxQueued) {
      this.#dropped++;
      return false;
    }
    this.#queue.push(JSON.stringify(record) + '\n');
    this.#schedule();
    return true;
  }

  /** Starts the batch timer for the first line of a batch (a running drain picks up later lines itself). */
  #schedule(): void {
    if (this.#draining || this.#batchTimer) return;
    if (this.#batchDelayMs === 0) return this.#kick();
    this.#batchTimer = setTimeout(() => this.#kick(), this.#batchDelayMs);
    // A pending batch must not keep the process alive; close() flushes it.
    this.#batchTimer.unref();
  }

  #kick(): void {
    clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    if (this.#draining) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      // A line queued between the loop's last check and this callback must not be stranded.
      if (this.#queue.length > 0) this.#kick();
    });
  }

  /** Resolves once everything queued so far is handed to the OS. */
  async flush(): Promise<void> {
    if (this.#batchTimer) this.#kick();
    while (this.#draining) await this.#draining;
  }

  /** Flushes, then closes the file. Later writes are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    const s = this.#stream;
    this.#stream = undefined;
    if (s) await endStream(s);
  }

  #file(n: number): string {
    return join(this.#dir, n === 0 ? `${this.#base}.jsonl` : `${this.#base}.${n}.jsonl`);
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const lines = this.#queue;
      this.#queue = [];
      let next = 0;
      while (next < lines.length) {
        // Lines [next, next + count) are this write's; on a failure they are the ones lost.
        let count = 1;
        try {
          let stream = await this.#open();
          const first = Buffer.byteLength(lines[next]!);
          if (this.#size > 0 && this.#size + first > this.#maxBytes) {
            await this.#rotate();
            stream = await this.#open();
          }
          // As many lines as fit in the live file go out in one write (a lone oversized line too).
          let bytes = first;
          while (next + count < lines.length) {
            const b = Buffer.byteLength(lines[next + count]!);
            if (this.#size + bytes + b > this.#maxBytes) break;
            bytes += b;
            count++;
          }
          const chunk = count === 1 ? lines[next]! : lines.slice(next, next + count).join('');
          this.#size += bytes;
          if (!stream.write(chunk)) await waitDrain(stream);
        } catch (err) {
          this.#dropped += count;
          this.#onError(err);
          // A broken stream is reopened for the next lines rather than poisoning the sink.
          const s = this.#stream;
          this.#stream = undefined;
          s?.destroy();
        }
        next += count;
      }
    }
  }

  async #open(): Promise<WriteStream> {
    if (this.#stream) return this.#stream;
    await mkdir(this.#dir, { recursive: true });
    const path = this.#file(0);
    this.#size = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    // 0600: entries may hold prompts when body logging is on.
    const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    // Errors after open surface through write callbacks/drain; keep the process alive.
    stream.on('error', (err) => this.#onError(err));
    this.#stream = stream;
    return stream;
  }

  async #rotate(): Promise<void> {
    const s = this.#stream;
    this.#stream = undefined;
    if (s) await endStream(s);
    if (this.#keep === 0) {
      await rm(this.#file(0), { force: true });
    } else {
      await rm(this.#file(this.#keep), { force: true });
      for (let n = this.#keep - 1; n >= 0; n--) {
        await rename(this.#file(n), this.#file(n + 1)).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
      }
    }
    this.#size = 0;
  }
}

function endStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableFinished) return resolve();
    stream.end(() => resolve());
    stream.once('error', () => resolve());
  });
}

function waitDrain(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (err: unknown) => {
      stream.off('drain', onDrain);
      reject(err);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}
