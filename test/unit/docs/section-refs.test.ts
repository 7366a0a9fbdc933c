// Every `§N` a comment cites must be a heading of a document in docs/, so a reader can follow it.
// Cited as `kiro-protocol.md §4.5` (also `protocol §…`), `design-contracts.md §3` (also the older
// `design §3`), `<name>.md §N` for any other file in docs/, or bare `§4.5`, which means the last
// document named earlier on the same line, else kiro-protocol.md (what bare references in this
// repo have always meant). Ranges (`§4.4–4.6`) check both ends. RFC sections are not ours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = new URL('../../..', import.meta.url).pathname;
const DOCS = join(ROOT, 'docs');

/** Section numbers of a Markdown file: headings that start with `N.` / `N.N` / `N.N.N`. */
function sections(file: string): Set<string> {
  const out = new Set<string>();
  for (const m of readFileSync(file, 'utf8').matchAll(/^#{1,6} (\d+(?:\.\d+)*)\.?\s/gm)) out.add(m[1]!);
  return out;
}

function docFor(raw: string): string {
  const name = raw.toLowerCase();
  if (name === 'protocol' || name === 'kiro-protocol' || name === 'kiro-protocol.md') return 'kiro-protocol.md';
  if (name === 'design' || name === 'design.md' || name === 'design-contracts.md') return 'design-contracts.md';
  return name;
}

function sourceFiles(): string[] {
  const out: string[] = [];
  for (const dir of ['src', 'test', 'bench', 'scripts']) {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })) {
      // This file's own comments and examples are not references.
      if (e.isFile() && /\.(ts|mjs|cjs|js)$/.test(e.name) && join(e.parentPath, e.name) !== new URL(import.meta.url).pathname)
        out.push(join(e.parentPath, e.name));
    }
  }
  return out;
}

interface Ref {
  where: string;
  doc: string;
  section: string;
}

/** The references on one line of source. */
function refsOnLine(line: string, where: string): Ref[] {
  const refs: Ref[] = [];
  // A document name, or a § reference (with an optional range end), in order of appearance.
  const token = /\b(RFC ?\d+|kiro-protocol(?:\.md)?|protocol|design(?:-contracts)?(?:\.md)?|[\w-]+\.md)\b|§ ?(\d+(?:\.\d+)*)(?:\s*[–-]\s*(\d+(?:\.\d+)*))?/gi;
  let current: string | undefined;
  for (const m of line.matchAll(token)) {
    if (m[1]) {
      current = m[1];
      continue;
    }
    if (current && /^RFC/i.test(current)) continue;
    const doc = docFor(current ?? 'kiro-protocol.md');
    for (const section of [m[2], m[3]]) if (section) refs.push({ where, doc, section });
  }
  return refs;
}

test('the reference parser reads the forms the code uses', () => {
  const at = (line: string) => refsOnLine(line, 'x').map((r) => `${r.doc} ${r.section}`);
  assert.deepEqual(at('// (kiro-protocol.md §2.1, §3.1): POST'), ['kiro-protocol.md 2.1', 'kiro-protocol.md 3.1']);
  assert.deepEqual(at('// known to reject (kiro-protocol.md §4.4–4.6, §5.3–5.7, §8.1)'), [
    'kiro-protocol.md 4.4',
    'kiro-protocol.md 4.6',
    'kiro-protocol.md 5.3',
    'kiro-protocol.md 5.7',
    'kiro-protocol.md 8.1',
  ]);
  assert.deepEqual(at('/** Generic OAuth2 refresh (design §3 "OAuth form"; kiro-protocol.md §2.4) */'), ['design-contracts.md 3', 'kiro-protocol.md 2.4']);
  assert.deepEqual(at('// Native reasoning (protocol §5.9.2): newer'), ['kiro-protocol.md 5.9.2']);
  assert.deepEqual(at('/** The §6.3 JSON body */'), ['kiro-protocol.md 6.3']);
  assert.deepEqual(at('/** RFC 8628 §3.5: slow_down adds 5 s. */'), []);
  assert.deepEqual(at('// delta-seconds or an HTTP date (RFC 9110 §10.2.3).'), []);
});

test('every § reference in the code resolves to a heading in docs/', () => {
  const cache = new Map<string, Set<string> | undefined>();
  const headings = (doc: string) => {
    if (!cache.has(doc)) cache.set(doc, existsSync(join(DOCS, doc)) ? sections(join(DOCS, doc)) : undefined);
    return cache.get(doc);
  };
  const broken: string[] = [];
  let seen = 0;
  for (const file of sourceFiles()) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line.includes('§')) return;
      for (const ref of refsOnLine(line, `${relative(ROOT, file)}:${i + 1}`)) {
        seen++;
        const have = headings(ref.doc);
        if (!have) broken.push(`${ref.where}: docs/${ref.doc} does not exist (§${ref.section})`);
        else if (!have.has(ref.section)) broken.push(`${ref.where}: docs/${ref.doc} has no section ${ref.section}`);
      }
    });
  }
  assert.ok(seen > 50, `only ${seen} references found: is the scan still looking at the code?`);
  assert.deepEqual(broken, []);
});
