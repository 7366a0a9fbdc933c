// Minimal edits of JSON (and JSON with comments) files with jsonc-parser's edit API, the one VS
// Code uses for settings.json: only the owned values are inserted or replaced; comments, key order,
// indentation and line endings of everything else stay byte for byte. jsonc-parser's own
// formatting of an edit widens to whole lines (and so reformats a neighbour written on one line);
// here only the inserted text is formatted, in the file's indentation and line ending, and an
// insertion into an object written on one line stays on that line.
import {
  applyEdits,
  createScanner,
  findNodeAtLocation,
  format,
  modify,
  parse,
  parseTree,
  printParseErrorCode,
  type Edit,
  type FormattingOptions,
  type ParseError,
} from 'jsonc-parser';
import { assertOnlyOwnedChanged, ClientConfigError, matches, type OwnedChange } from './owned-change.ts';
import { detectLayout } from './text-format.ts';

const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false } as const;

function parseJsonc(text: string, what: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = text.trim() === '' ? {} : parse(text, errors, PARSE_OPTIONS);
  if (errors.length > 0) {
    const e = errors[0]!;
    const line = text.slice(0, e.offset).split('\n').length;
    throw new ClientConfigError(
      `${what} is not valid JSON (${printParseErrorCode(e.error)} on line ${line}); fix it first, Kiro Proxy does not rewrite a file it cannot read`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ClientConfigError(`${what} does not hold a JSON object`);
  return value;
}

export function planJsonEdit(text: string, changes: readonly OwnedChange[], what: string): string {
  const before = parseJsonc(text, what);
  const layout = detectLayout(text);
  const formattingOptions: FormattingOptions = {
    insertSpaces: layout.indent !== '\t',
    tabSize: layout.indent === '\t' ? 4 : layout.indent.length,
    eol: layout.eol,
  };
  const fresh = text.trim() === '' || /^\s*\{\s*\}\s*$/.test(text);
  let out = text.trim() === '' ? '{}' : text;
  for (const c of changes) {
    let path: (string | number)[] = [...c.path];
    let isArrayInsertion = false;
    // A missing list is created holding the item.
    let value: unknown = c.kind === 'set' ? c.value : [c.value];
    if (c.kind === 'upsert-item') {
      const current = parse(out, [], PARSE_OPTIONS) as Record<string, unknown>;
      let list: unknown = current;
      for (const k of c.path) list = (list as Record<string, unknown> | undefined)?.[k];
      const index = Array.isArray(list) ? list.findIndex((item) => matches(item, c.match)) : -1;
      if (Array.isArray(list)) {
        path = [...c.path, index >= 0 ? index : list.length];
        isArrayInsertion = index < 0;
        value = c.value;
      }
    }
    let edits: Edit[];
    try {
      edits = modify(out, path, value, { isArrayInsertion });
    } catch (err) {
      // e.g. "env" holds a string where an object is needed: not ours to replace.
      throw new ClientConfigError(`${what}: cannot set ${c.path.join('.')} without replacing something of yours (${(err as Error).message})`);
    }
    for (const edit of edits) out = applyFormatted(out, edit, path, formattingOptions);
  }
  if (fresh) {
    // Nothing of the user's to keep: the whole (new) document in the usual layout.
    out = applyEdits(out, format(out, undefined, formattingOptions));
    if (!out.endsWith(layout.eol)) out += layout.eol;
  }
  assertOnlyOwnedChanged(before, parse(out, [], PARSE_OPTIONS), changes, what);
  return out;
}

/** Applies one raw edit and formats only the text it inserted. */
function applyFormatted(text: string, edit: Edit, path: readonly (string | number)[], options: FormattingOptions): string {
  if (edit.content.length === 0) return applyEdits(text, [edit]);
  if (edit.length === 0 && insideOneLineContainer(text, edit.offset, path)) {
    return applyEdits(text, [{ ...edit, content: oneLine(edit.content) }]);
  }
  const out = applyEdits(text, [edit]);
  return applyEdits(out, format(out, { offset: edit.offset, length: edit.content.length }, options));
}

/** Whether the insertion point is on the line where its enclosing object or array opens. */
function insideOneLineContainer(text: string, offset: number, path: readonly (string | number)[]): boolean {
  const root = parseTree(text, [], PARSE_OPTIONS);
  if (!root) return false;
  for (let n = path.length - 1; n >= 0; n--) {
    const node = findNodeAtLocation(root, path.slice(0, n));
    if (node && (node.type === 'object' || node.type === 'array') && node.offset < offset && offset < node.offset + node.length) {
      return !text.slice(node.offset, offset).includes('\n');
    }
  }
  return false;
}

/** JSON text on one line the way people write it inline: `{ "a": 1, "b": [1, 2] }`. */
function oneLine(json: string): string {
  const scanner = createScanner(json, false);
  let out = '';
  // SyntaxKind is a const enum (not importable here): the token text says enough; 17 is its EOF.
  while ((scanner.scan() as number) !== 17) {
    const token = json.slice(scanner.getTokenOffset(), scanner.getTokenOffset() + scanner.getTokenLength());
    if (token.trim() === '') continue;
    if (token === ',') out += ', ';
    else if (token === ':') out += ': ';
    else if (token === '{') out += '{ ';
    else if (token === '}') out = out.endsWith('{ ') ? `${out.slice(0, -1)}}` : `${out} }`;
    else out += token;
  }
  return out;
}
