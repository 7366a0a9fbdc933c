// Tells the account manager when a credential file it reads changed on disk (the Kiro IDE
// refreshed or logged in, the user edited a creds file, another proxy wrote one). fs.watch on
// each file's directory (files are replaced by rename, which a watch on the file itself misses),
// debounced; plus a periodic stat of every file, because fs.watch is unreliable on network and
// container filesystems. Every timer and watcher is owned here and closed by dispose().
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Clock, Disposable } from '../../proxy-types.ts';

export interface CredentialWatcherOptions {
  clock: Pick<Clock, 'setTimeout'>;
  /** Called once per burst of changes of one file. */
  onChange: (path: string) => void;
  debounceMs?: number;
  /** 0 disables the stat fallback. */
  pollMs?: number;
}

export class CredentialWatcher implements Disposable {
  #o: CredentialWatcherOptions;
  /** path → last seen signature (mtime/size/inode), '' when missing. */
  #files = new Map<string, string>();
  #dirs = new Map<string, FSWatcher | undefined>();
  #debounce = new Map<string, { clear(): void }>();
  #poll: { clear(): void } | undefined;
  #disposed = false;

  constructor(o: CredentialWatcherOptions) {
    this.#o = o;
    this.#schedulePoll();
  }

  /** Starts watching `path` (idempotent). */
  async add(path: string): Promise<void> {
    if (this.#disposed || this.#files.has(path)) return;
    this.#files.set(path, await signature(path));
    const dir = dirname(path);
    if (this.#dirs.has(dir)) return;
    let w: FSWatcher | undefined;
    try {
      w = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null) {
          for (const p of this.#files.keys()) if (dirname(p) === dir) this.#changed(p);
          return;
        }
        const p = join(dir, name);
        if (this.#files.has(p)) this.#changed(p);
        else {
          // The rename of a temp file over a watched one may be reported under the temp's name.
          for (const f of this.#files.keys()) if (dirname(f) === dir && name.startsWith(`.${basename(f)}.`)) this.#changed(f);
        }
      });
      w.on('error', () => {
        w?.close();
        this.#dirs.set(dir, undefined);
      });
    } catch {
      w = undefined; // a missing dir: the poll notices when the file appears
    }
    this.#dirs.set(dir, w);
  }

  dispose(): void {
    this.#disposed = true;
    for (const w of this.#dirs.values()) w?.close();
    this.#dirs.clear();
    for (const t of this.#debounce.values()) t.clear();
    this.#debounce.clear();
    this.#poll?.clear();
    this.#poll = undefined;
  }

  #changed(path: string): void {
    if (this.#disposed) return;
    this.#debounce.get(path)?.clear();
    this.#debounce.set(
      path,
      this.#o.clock.setTimeout(() => {
        this.#debounce.delete(path);
        void signature(path).then((sig) => {
          if (this.#disposed || sig === this.#files.get(path)) return;
          this.#files.set(path, sig);
          this.#o.onChange(path);
        });
      }, this.#o.debounceMs ?? 200),
    );
  }

  #schedulePoll(): void {
    const every = this.#o.pollMs ?? 5_000;
    if (every <= 0 || this.#disposed) return;
    this.#poll = this.#o.clock.setTimeout(() => {
      void (async () => {
        for (const [p, before] of [...this.#files]) {
          if (this.#disposed) return;
          if ((await signature(p)) !== before) this.#changed(p);
        }
      })().finally(() => this.#schedulePoll());
    }, every);
  }
}

async function signature(path: string): Promise<string> {
  try {
    const s = await stat(path);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return '';
  }
}
