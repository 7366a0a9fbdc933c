// What a client configuration owns, said once per client and format-neutral: keys set at a path,
// or one item of a list picked out by its name. Every format's editor applies these with a minimal
// text edit and then proves, on the parsed result, that nothing but these changed.

export type OwnedChange =
  /** The value at `path` (object keys), parents created as needed. */
  | { kind: 'set'; path: readonly string[]; value: unknown }
  /** The item of the list at `path` whose fields equal `match` (appended when missing). */
  | { kind: 'upsert-item'; path: readonly string[]; match: Readonly<Record<string, string>>; value: Readonly<Record<string, unknown>> };

export class ClientConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientConfigError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `doc` with the changes applied, as the file should parse after the edit (a deep copy). */
function applyChanges(doc: unknown, changes: readonly OwnedChange[]): Obj {
  const root: Obj = isObj(doc) ? structuredClone(doc) : {};
  for (const c of changes) {
    const parentPath = c.kind === 'set' ? c.path.slice(0, -1) : c.path.slice(0, -1);
    let node: Obj = root;
    for (const key of parentPath) {
      if (!isObj(node[key])) node[key] = {};
      node = node[key] as Obj;
    }
    const last = c.path[c.path.length - 1]!;
    if (c.kind === 'set') {
      node[last] = structuredClone(c.value);
    } else {
      const list = Array.isArray(node[last]) ? (node[last] as unknown[]) : (node[last] = []);
      const i = list.findIndex((item) => matches(item, c.match));
      if (i >= 0) list[i] = structuredClone(c.value);
      else list.push(structuredClone(c.value));
    }
  }
  return root;
}

export function matches(item: unknown, match: Readonly<Record<string, string>>): boolean {
  return isObj(item) && Object.entries(match).every(([k, v]) => item[k] === v);
}

/**
 * Throws unless `after` is exactly `before` with the changes applied: the proof that an edit wrote
 * only the keys it owns (comments and layout are the text editors' business, values are ours).
 */
export function assertOnlyOwnedChanged(before: unknown, after: unknown, changes: readonly OwnedChange[], what: string): void {
  const expected = applyChanges(before, changes);
  if (!deepEqual(expected, after)) {
    throw new ClientConfigError(`the edit of ${what} would have changed more than Kiro Proxy's own keys, so nothing was written (please report this)`);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') {
    // TOML dates and the like: compare their text.
    return a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : false;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  const ka = Object.keys(a);
  const kb = Object.keys(b as Obj);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Obj)[k], (b as Obj)[k]));
}
