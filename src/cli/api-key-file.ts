// `--api-key-file PATH` / KIRO_PROXY_API_KEY_FILE: the proxy's API key read from a file, so it is
// not in `ps` output (as `--api-key K` is) nor in the environment of every child process. The
// file holds the key on one line; a trailing newline (from `echo` or an editor) is dropped.
import { open } from 'node:fs/promises';

/** A key file is a line, not a document: anything bigger is the wrong file. */
const MAX_KEY_FILE_BYTES = 4096;

export class ApiKeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiKeyFileError';
  }
}

export interface ApiKeyFromFile {
  key: string;
  /** Set when others may read or change the file (mode has group/other bits). */
  warning?: string;
}

/** Reads the key; throws ApiKeyFileError with a message naming the file and what is wrong. */
export async function readApiKeyFile(path: string, platform: NodeJS.Platform = process.platform): Promise<ApiKeyFromFile> {
  let text: string;
  let mode: number;
  try {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new ApiKeyFileError(`API key file ${path} is not a regular file`);
      if (st.size > MAX_KEY_FILE_BYTES) throw new ApiKeyFileError(`API key file ${path} is ${st.size} bytes; expected the key on one line`);
      mode = st.mode;
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (err) {
    if (err instanceof ApiKeyFileError) throw err;
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'does not exist' : e.code === 'EACCES' ? 'is not readable by this user' : `cannot be read (${e.code ?? e.message})`;
    throw new ApiKeyFileError(`API key file ${path} ${why}`);
  }
  const key = text.replace(/\r?\n$/, '');
  if (key.trim() === '') throw new ApiKeyFileError(`API key file ${path} is empty`);
  if (/[\r\n]/.test(key)) throw new ApiKeyFileError(`API key file ${path} holds more than one line; expected only the key`);
  const out: ApiKeyFromFile = { key };
  // POSIX modes mean nothing on Windows (ACLs decide there).
  if (platform !== 'win32' && (mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(3, '0');
    out.warning = `API key file ${path} can be read or changed by other users (mode ${octal}); run: chmod 600 ${path}`;
  }
  return out;
}

export const API_KEY_ARGV_WARNING =
  '--api-key on the command line is visible to every user of this machine (ps, /proc); use --api-key-file PATH or the KIRO_PROXY_API_KEY environment variable instead';
