// A cross-process lock on a file path (proper-lockfile: a `<path>.lock` directory whose mtime the
// holder keeps fresh). A holder that crashed stops refreshing it, so after `staleMs` the next
// process takes the lock over: nobody can keep it forever. Other programs that take no lock
// (the Kiro IDE) are not kept out; callers still re-read right before they write.
import lockfile from 'proper-lockfile';

export interface FileLockOptions {
  /** Longest wait for a held lock before giving up (default 45 s: a refresh may take 30 s). */
  waitMs?: number;
  /** A lock not refreshed for this long is stale (proper-lockfile's minimum is 5 s). */
  staleMs?: number;
  /** Told when the lock was lost while held (its directory was removed or went stale). */
  onCompromised?: (err: Error) => void;
}

class FileLockTimeoutError extends Error {
  readonly path: string;
  constructor(path: string, waitedMs: number) {
    super(`${path}: another process held the lock for more than ${Math.round(waitedMs / 1000)} s`);
    this.name = 'FileLockTimeoutError';
    this.path = path;
  }
}

const POLL_MS = 50;

/**
 * Runs `fn` while holding the lock on `path` (the file itself need not exist). The wait for a
 * held lock polls proper-lockfile (no retries of its own) so that `signal` can end it: a proxy
 * that stops does not go on waiting, nor take the lock after it stopped.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: FileLockOptions = {}, signal?: AbortSignal): Promise<T> {
  const waitMs = options.waitMs ?? 45_000;
  const deadline = Date.now() + waitMs;
  let release: () => Promise<void>;
  for (;;) {
    signal?.throwIfAborted();
    try {
      release = await lockfile.lock(path, {
        realpath: false,
        stale: Math.max(5_000, options.staleMs ?? 5_000),
        retries: 0,
        // The default throws from a timer (an uncaught exception); a lost lock is worth a log
        // line, the write it protected still re-reads before it writes.
        onCompromised: options.onCompromised ?? (() => undefined),
      });
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'ELOCKED') throw err;
      if (Date.now() >= deadline) throw new FileLockTimeoutError(path, waitMs);
      await pause(POLL_MS + Math.floor(Math.random() * POLL_MS), signal);
    }
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const t = setTimeout(done, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
