// Minimal edits of YAML files (Continue's config.yaml) with the `yaml` package's Document API:
// the document is parsed with source ranges, and only the text of the one list item we own is
// replaced or inserted (rendered by the same package at the list's indentation). Comments, quoting
// and layout of everything else stay byte for byte; re-printing the whole document would not keep
// them. The result is parsed again and must equal the old content plus our item.
import { Document, isMap, isScalar, isSeq, parseDocument, type Pair, type YAMLMap } from 'yaml';
import { assertOnlyOwnedChanged, ClientConfigError, matches, type OwnedChange } from './owned-change.ts';
import { detectLayout } from './text-format.ts';

function parseYamlText(text: string, what: string): { doc: Document.Parsed; value: unknown } {
  const doc = parseDocument(text, { keepSourceTokens: false, prettyErrors: false });
  const err = doc.errors[0];
  if (err)
    throw new ClientConfigError(`${what} is not valid YAML (${err.message.split('\n')[0]}); fix it first, Kiro Proxy does not rewrite a file it cannot read`);
  if (doc.contents !== null && !isMap(doc.contents)) throw new ClientConfigError(`${what} does not hold a YAML mapping`);
  return { doc, value: doc.toJS() ?? {} };
}

export function planYamlEdit(text: string, changes: readonly OwnedChange[], what: string): string {
  const before = parseYamlText(text, what).value;
  const layout = detectLayout(text);
  let out = text;
  for (const c of changes) {
    if (c.kind !== 'upsert-item' || c.path.length !== 1) throw new ClientConfigError(`${what}: only items of a top-level list are edited in YAML files`);
    out = upsertItem(out, c.path[0]!, c.match, c.value, layout.eol, layout.indent === '\t' ? '  ' : layout.indent, what);
  }
  assertOnlyOwnedChanged(before, parseYamlText(out, what).value, changes, what);
  return out;
}

/** The item as block YAML: its first line follows "- ", the others are indented to `column`. */
function renderItem(value: unknown, column: number, indentWidth: number, eol: string): string {
  const lines = new Document(value).toString({ lineWidth: 0, indent: indentWidth }).replace(/\n$/, '').split('\n');
  return lines.map((l, i) => (i === 0 ? l : `${' '.repeat(column)}${l}`)).join(eol);
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function upsertItem(text: string, key: string, match: Readonly<Record<string, string>>, value: unknown, eol: string, indent: string, what: string): string {
  const { doc } = parseYamlText(text, what);
  const root = doc.contents as YAMLMap | null;
  const pair = root?.items.find((p: Pair) => isScalar(p.key) && p.key.value === key);
  const indentWidth = indent.length;

  if (!pair) {
    // A new top-level list at the end of the file.
    const body = `${key}:${eol}${indent}- ${renderItem(value, indent.length + 2, indentWidth, eol)}${eol}`;
    if (text.length === 0) return body;
    return `${text}${text.endsWith('\n') ? '' : eol}${body}`;
  }

  const node = pair.value;
  if (isSeq(node) && !node.flow && node.items.length > 0) {
    const first = node.items[0] as { range?: [number, number, number] } | undefined;
    const firstStart = first?.range?.[0];
    if (firstStart === undefined) throw new ClientConfigError(`${what}: the "${key}" list could not be located in the text`);
    const dashLine = text.slice(lineStart(text, firstStart), firstStart);
    const dashIndent = /^[ \t]*/.exec(dashLine)![0];
    const column = firstStart - lineStart(text, firstStart);
    const rendered = renderItem(value, column, indentWidth, eol);
    const i = node.items.findIndex((item) => isMap(item) && matches(item.toJSON(), match));
    if (i >= 0) {
      const [from, to] = (node.items[i] as YAMLMap).range!;
      const segment = text.slice(from, to);
      const trailing = /\r?\n$/.test(segment) ? eol : '';
      return text.slice(0, from) + rendered + trailing + text.slice(to);
    }
    const end = node.range![1];
    const prefix = end > 0 && text[end - 1] !== '\n' ? eol : '';
    return `${text.slice(0, end)}${prefix}${dashIndent}- ${rendered}${eol}${text.slice(end)}`;
  }

  const emptyList = (isSeq(node) && node.flow && node.items.length === 0) || (isScalar(node) && node.value === null) || node === null;
  if (!emptyList) throw new ClientConfigError(`${what}: "${key}" is not a list Kiro Proxy can add to; add the entry shown in the README yourself`);
  // `models:` or `models: []`: the list starts on the next lines; the rest of the line stays.
  const keyEnd = (pair.key as { range: [number, number, number] }).range[1];
  const colon = text.indexOf(':', keyEnd);
  const from = isSeq(node) ? node.range![0] : colon + 1;
  const to = isSeq(node) ? node.range![1] : colon + 1;
  const keyIndent = /^[ \t]*/.exec(text.slice(lineStart(text, keyEnd)))![0];
  const dashIndent = keyIndent + indent;
  return `${text.slice(0, from).replace(/[ \t]+$/, '')}${eol}${dashIndent}- ${renderItem(value, dashIndent.length + 2, indentWidth, eol)}${text.slice(to)}`;
}
