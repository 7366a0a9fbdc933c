// Reading a JSON state/credential file with errors that say which file and what went wrong.
import { readFile } from 'node:fs/promises';

export type JsonFileErrorCode = 'not_found' | 'unreadable' | 'invalid_json';

/** Never carries file content in its message (credential files hold secrets). */
export class JsonFileError extends Error {
  readonly path: string;
  readonly code: JsonFileErrorCode;
  constructor(path: string, code: JsonFileErrorCode, detail: string, cause?: unknown) {
    super(`${path}: ${detail}`, cause !== undefined ? { cause } : undefined);
    this.name = 'JsonFileError';
    this.path = path;
    this.code = code;
  }
}

export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new JsonFileError(path, 'not_found', 'file not found', err);
    throw new JsonFileError(path, 'unreadable', `cannot read file (${code ?? 'error'})`, err);
  }
  return parseJsonText(text, path);
}

/** JSON.parse whose error names `source` and the position but never echoes the text. */
export function parseJsonText(text: string, source: string): unknown {
  // Editors on Windows like to add a BOM.
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (clean.trim() === '') throw new JsonFileError(source, 'invalid_json', 'file is empty');
  try {
    return JSON.parse(clean);
  } catch (err) {
    // V8's own message may quote the text (a token!), so only the position is carried over.
    const text = String((err as Error).message);
    const where = /position (\d+)/.exec(text);
    const detail = where ? ` at position ${where[1]}` : /end of JSON input/i.test(text) ? ' (ends too early; truncated?)' : '';
    // No `cause`: it would carry V8's quoting message along.
    throw new JsonFileError(source, 'invalid_json', `invalid JSON${detail}`);
  }
}
