// Crash-safe file replacement: readers see either the old file or the new one, never a half.
// The temp file is private (0600) from its first byte, because most files written here hold
// tokens, and its name says whose it is so a later start can recover or remove a leftover.
import { open, rename, unlink, stat, readdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, basename, join } from 'node:path';

export interface WriteFileAtomicOptions {
  /** File mode of the result. Default: the mode of the file being replaced, else 0o666 minus umask. */
  mode?: number;
  /**
   * The content is a secret (tokens): the result is never more readable than 0600. A stricter
   * existing mode (0400) is kept; a looser one (an IDE's 0644) is tightened, since a file with a
   * live refresh token readable by every local user is an account anyone on the machine can take.
   */
  private?: boolean;
}

const TMP_SUFFIX = '.tmp';

/** `.<name>.<pid>.<12 hex>.tmp` in the same directory: hidden, and tied to the writing process. */
export function tmpNameFor(path: string, pid = process.pid): string {
  return join(dirname(path), `.${basename(path)}.${pid}.${randomBytes(6).toString('hex')}${TMP_SUFFIX}`);
}

export interface LeftoverTmp {
  path: string;
  /** The process that wrote it (from the name). */
  pid: number;
}

/** Temp files an earlier writeFileAtomic of `path` left behind (a crash between create and rename). */
export async function listLeftoverTmps(path: string): Promise<LeftoverTmp[]> {
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return [];
  }
  const out: LeftoverTmp[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(TMP_SUFFIX)) continue;
    const m = /^(\d+)\.[0-9a-f]{12}$/.exec(name.slice(prefix.length, -TMP_SUFFIX.length));
    if (m) out.push({ path: join(dirname(path), name), pid: Number(m[1]) });
  }
  return out;
}

/** Mode for a private file: the existing owner bits when they are stricter, never group/other. */
function privateMode(existing: number | undefined): number {
  if (existing === undefined) return 0o600;
  const owner = existing & 0o600;
  return owner === 0 ? 0o600 : owner;
}

/**
 * Writes `data` to a 0600 temp file in the same directory (so rename stays on one filesystem),
 * fsyncs it, renames it over `path`, then fsyncs the directory so the rename itself is durable.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}): Promise<void> {
  const dir = dirname(path);
  const existing = options.mode === undefined ? await existingMode(path) : undefined;
  const mode = options.private ? privateMode(options.mode ?? existing) : (options.mode ?? existing);
  const tmp = tmpNameFor(path);
  // 'wx' so we never follow or clobber something already sitting at the temp name.
  const handle = await open(tmp, 'wx', 0o600);
  let renamed = false;
  try {
    try {
      // open()'s mode is filtered by the umask (0600 can only get stricter); set it exactly, and
      // only loosen a non-secret file to its final mode once nothing private can be in it.
      await handle.chmod(0o600);
      await handle.writeFile(data);
      await handle.sync();
      const final = mode ?? 0o666 & ~currentUmask();
      if (final !== 0o600) await handle.chmod(final);
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    renamed = true;
  } finally {
    if (!renamed) await unlink(tmp).catch(() => undefined);
  }
  await syncDirectory(dir);
}

function currentUmask(): number {
  // process.umask() without an argument is deprecated for its racy set-and-restore; 0o022 is the
  // usual default and only decides the mode of brand-new non-secret files.
  return 0o022;
}

async function existingMode(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o7777;
  } catch {
    return undefined;
  }
}

/** Best effort: some platforms (Windows) and filesystems refuse fsync on a directory. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // durability of the rename is then up to the OS; the file content is already synced
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

// Callers that think of "the JSON file helpers" as one module find the reader here too.
export { readJsonFile, JsonFileError } from './read-json-file.ts';
