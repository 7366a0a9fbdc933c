// Crash-safe file replacement: readers see either the old file or the new one, never a half.
import { open, rename, unlink, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, basename, join } from 'node:path';

export interface WriteFileAtomicOptions {
  /** File mode of the result. Default: the mode of the file being replaced, else 0o666 minus umask. */
  mode?: number;
}

/**
 * Writes `data` to a temp file in the same directory (so rename stays on one filesystem),
 * fsyncs it, renames it over `path`, then fsyncs the directory so the rename itself is durable.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}): Promise<void> {
  const dir = dirname(path);
  const mode = options.mode ?? (await existingMode(path));
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx' so we never follow or clobber something already sitting at the temp name.
  const handle = await open(tmp, 'wx', mode ?? 0o666);
  let renamed = false;
  try {
    try {
      // open()'s mode is filtered by the umask; an explicit chmod makes 0600 mean 0600.
      if (mode !== undefined) await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
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
