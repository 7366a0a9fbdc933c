// Minimal, section-level edits of TOML files (Codex's config.toml). No well-kept JavaScript
// library both parses and re-prints TOML with its comments and layout intact, so this edits the
// text itself: toml-eslint-parser (the parser behind eslint-plugin-toml) gives every table and
// key-value with its exact source range; an owned value is replaced inside its range, a missing
// key is inserted as one line at the end of its table (or of the top-level keys), a missing table
// is appended as a new section. The result is parsed again and must equal the old content plus
// the owned values (owned-change.ts), or nothing is written.
import { getStaticTOMLValue, parseTOML, type AST } from 'toml-eslint-parser';
import { assertOnlyOwnedChanged, ClientConfigError, type OwnedChange } from './owned-change.ts';
import { detectLayout } from './text-format.ts';

type Table = AST.TOMLTable;
type KeyValue = AST.TOMLKeyValue;

function parseTomlText(text: string, what: string): { ast: AST.TOMLProgram; value: Record<string, unknown> } {
  try {
    const ast = parseTOML(text);
    return { ast, value: getStaticTOMLValue(ast) };
  } catch (err) {
    const e = err as { lineNumber?: number; message?: string };
    throw new ClientConfigError(
      `${what} is not valid TOML${e.lineNumber ? ` (line ${e.lineNumber}: ${e.message})` : ''}; fix it first, Kiro Proxy does not rewrite a file it cannot read`,
    );
  }
}

/** A TOML value as source text: strings as basic strings (JSON's escapes are TOML's), numbers, booleans, arrays, inline tables. */
function tomlValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(tomlValue).join(', ')}]`;
  if (v && typeof v === 'object')
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${tomlKey(k)} = ${tomlValue(x)}`)
      .join(', ')} }`;
  throw new ClientConfigError(`cannot write ${String(v)} as a TOML value`);
}

function tomlKey(k: string): string {
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k);
}

const keyNames = (key: AST.TOMLKey): string[] => key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value));
const samePath = (a: readonly (string | number)[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export function planTomlEdit(text: string, changes: readonly OwnedChange[], what: string): string {
  const before = parseTomlText(text, what).value;
  const { eol } = detectLayout(text);
  let out = text;
  for (const c of changes) {
    if (c.kind !== 'set') throw new ClientConfigError(`${what}: list items are not edited in TOML files`);
    out = setOne(out, c.path, c.value, eol, what);
  }
  assertOnlyOwnedChanged(before, parseTomlText(out, what).value, changes, what);
  return out;
}

function setOne(text: string, path: readonly string[], value: unknown, eol: string, what: string): string {
  const { ast, value: doc } = parseTomlText(text, what);
  const top = ast.body[0];
  const tablePath = path.slice(0, -1);
  const key = path[path.length - 1]!;
  const line = `${tomlKey(key)} = ${tomlValue(value)}`;

  const tables = top.body.filter((n): n is Table => n.type === 'TOMLTable');
  const topKvs = top.body.filter((n): n is KeyValue => n.type === 'TOMLKeyValue');
  let kvs: KeyValue[];
  let table: Table | undefined;
  if (tablePath.length === 0) kvs = topKvs;
  else {
    table = tables.find((t) => t.kind === 'standard' && samePath(t.resolvedKey, tablePath));
    kvs = table?.body ?? [];
    if (!table && definedElsewhere(doc, tablePath)) {
      throw new ClientConfigError(
        `${what} defines [${tablePath.join('.')}] in a form Kiro Proxy does not edit (dotted keys or an inline table); add the lines shown in the README yourself`,
      );
    }
  }

  const existing = kvs.find((kv) => samePath(keyNames(kv.key), [key]));
  if (existing) return splice(text, existing.value.range[0], existing.value.range[1], tomlValue(value));
  if (kvs.some((kv) => keyNames(kv.key)[0] === key)) {
    throw new ClientConfigError(`${what} sets "${key}" with dotted keys; Kiro Proxy does not edit that form`);
  }

  if (tablePath.length === 0) {
    // A top-level key must come before the first table header.
    if (topKvs.length > 0) {
      const last = topKvs[topKvs.length - 1]!;
      return insertAfterLine(text, last.range[1], `${indentOf(text, last.range[0])}${line}`, eol);
    }
    const first = top.body[0];
    if (!first) return appendSection(text, line, eol);
    const at = startOfAttachedComments(text, lineStart(text, first.range[0]));
    return splice(text, at, at, `${line}${eol}${eol}`);
  }
  if (table) {
    const anchor = table.body.length > 0 ? table.body[table.body.length - 1]!.range[1] : table.key.range[1];
    const indent = table.body.length > 0 ? indentOf(text, table.body[0]!.range[0]) : '';
    return insertAfterLine(text, anchor, `${indent}${line}`, eol);
  }
  return appendSection(text, `[${tablePath.map(tomlKey).join('.')}]${eol}${line}`, eol);
}

/** Whether a table path is set some other way than by a [header] (dotted keys, inline tables). */
function definedElsewhere(doc: Record<string, unknown>, tablePath: readonly string[]): boolean {
  let node: unknown = doc;
  for (const k of tablePath) {
    if (!node || typeof node !== 'object') return false;
    node = (node as Record<string, unknown>)[k];
  }
  return node !== undefined;
}

function splice(text: string, from: number, to: number, insert: string): string {
  return text.slice(0, from) + insert + text.slice(to);
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function indentOf(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, offset)))![0];
}

/** After the line holding `offset` (a trailing comment stays on its line). */
function insertAfterLine(text: string, offset: number, line: string, eol: string): string {
  const nl = text.indexOf('\n', offset);
  if (nl < 0) return `${text}${eol}${line}`;
  return splice(text, nl + 1, nl + 1, `${line}${eol}`);
}

/** Comment lines directly above a header belong to it: a new top-level key goes above them. */
function startOfAttachedComments(text: string, start: number): number {
  let at = start;
  for (;;) {
    if (at === 0) return 0;
    const prev = lineStart(text, at - 1);
    if (!/^[ \t]*#/.test(text.slice(prev, at))) return at;
    at = prev;
  }
}

function appendSection(text: string, block: string, eol: string): string {
  if (text.length === 0) return `${block}${eol}`;
  const ending = text.endsWith('\n') ? '' : eol;
  const gap = /\n[ \t]*\r?\n$/.test(text) || text.trim() === '' ? '' : eol;
  return `${text}${ending}${gap}${block}${eol}`;
}
