// Headless SecretStore: one JSON object in a 0600 file inside a 0700 directory.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SecretStore } from '../proxy-types.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { readJsonFile, JsonFileError } from '../fs/read-json-file.ts';

export const SECRETS_FILE = 'secrets.json';

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
      const map = await this.#read();
      if (!change(map)) return;
      // recursive mkdir applies the mode only to directories it creates; an existing home keeps its own.
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      await writeFileAtomic(this.path, `${JSON.stringify(map, null, 2)}\n`, { mode: 0o600 });
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
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

/** The headless SecretStore port at `path` (normally `<KIRO_PROXY_HOME>/secrets.json`). */
export function createFileSecretStore(path: string): FileSecretStore {
  return new FileSecretStore(path);
}
