// Headless SecretStore: one JSON object in a 0600 file inside a 0700 directory. Two proxies may
// share one KIRO_PROXY_HOME, so every change is a read-modify-write under a cross-process lock,
// and every read goes to the file (no cache that another process could make stale).
import { mkdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SecretStore } from '../../proxy-types.ts';
import { writeFileAtomic, listLeftoverTmps } from '../../fs/atomic-write.ts';
import { readJsonFile, JsonFileError } from '../../fs/read-json-file.ts';
import { withFileLock } from '../../fs/file-lock.ts';
import { ACCOUNT_SECRET_PREFIX } from './account-record.ts';

const SECRETS_FILE = 'secrets.json';

export class FileSecretStore implements SecretStore {
  readonly path: string;
  /** Serialises read-modify-write within this process; writes are atomic against crashes. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.path = path;
  }

  /** `<KIRO_PROXY_HOME>/secrets.json`. */
  static inHome(home: string): FileSecretStore {
    return new FileSecretStore(join(home, SECRETS_FILE));
  }

  async get(key: string): Promise<string | undefined> {
    await this.#queue.catch(() => undefined);
    const map = await this.#read();
    return Object.hasOwn(map, key) ? map[key] : undefined;
  }

  set(key: string, value: string): Promise<void> {
    return this.#update((map) => {
      map[key] = value;
      return true;
    });
  }

  delete(key: string): Promise<void> {
    return this.#update((map) => {
      if (!Object.hasOwn(map, key)) return false;
      delete map[key];
      return true;
    });
  }

  /** Every key (not values), e.g. to list stored accounts. */
  async keys(): Promise<string[]> {
    await this.#queue.catch(() => undefined);
    return Object.keys(await this.#read());
  }

  #update(change: (map: Record<string, string>) => boolean): Promise<void> {
    const run = async () => {
      // recursive mkdir applies the mode only to directories it creates; an existing home keeps its own.
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      await withFileLock(this.path, async () => {
        const map = await this.#read();
        if (!change(map)) return;
        await writeFileAtomic(this.path, `${JSON.stringify(map, null, 2)}\n`, { private: true });
      });
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Leftovers of a write a crash interrupted: an account record in one that holds a newer token
   * than the file's is taken over, then every leftover is deleted (they hold tokens).
   */
  async recoverLeftovers(): Promise<string[]> {
    const leftovers = await listLeftoverTmps(this.path);
    if (leftovers.length === 0) return [];
    const recovered: string[] = [];
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    await withFileLock(this.path, async () => {
      const map = await this.#read().catch(() => Object.create(null) as Record<string, string>);
      let changed = false;
      for (const t of leftovers) {
        let tmp: Record<string, string>;
        try {
          tmp = await new FileSecretStore(t.path).#read();
        } catch {
          tmp = {};
        }
        for (const [k, v] of Object.entries(tmp)) {
          if (!k.startsWith(ACCOUNT_SECRET_PREFIX) || !newerRecord(v, map[k])) continue;
          map[k] = v;
          recovered.push(k.slice(ACCOUNT_SECRET_PREFIX.length));
          changed = true;
        }
      }
      if (changed) await writeFileAtomic(this.path, `${JSON.stringify(map, null, 2)}\n`, { private: true });
      for (const t of leftovers) await unlink(t.path).catch(() => undefined);
    });
    return recovered;
  }

  /** A missing file is an empty store; a corrupt one is an error (never silently overwritten). */
  async #read(): Promise<Record<string, string>> {
    let doc: unknown;
    try {
      doc = await readJsonFile(this.path);
    } catch (err) {
      if (err instanceof JsonFileError && err.code === 'not_found') return Object.create(null) as Record<string, string>;
      throw err;
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new JsonFileError(this.path, 'invalid_json', 'expected a JSON object of secrets');
    }
    const map = Object.create(null) as Record<string, string>;
    for (const [k, v] of Object.entries(doc)) if (typeof v === 'string') map[k] = v;
    return map;
  }
}

/** true when record `a` holds a later-expiring token than `b` (or `b` is absent). */
function newerRecord(a: string, b: string | undefined): boolean {
  if (b === undefined) return true;
  const exp = (raw: string): number => {
    try {
      const o = JSON.parse(raw) as { credential?: { expiresAt?: unknown }; expiresAt?: unknown };
      const v = o.credential?.expiresAt ?? o.expiresAt;
      const t = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
      return Number.isFinite(t) ? t : 0;
    } catch {
      return 0;
    }
  };
  return exp(a) > exp(b);
}

/** The headless SecretStore port at `path` (normally `<KIRO_PROXY_HOME>/secrets.json`). */
export function createFileSecretStore(path: string): FileSecretStore {
  return new FileSecretStore(path);
}
