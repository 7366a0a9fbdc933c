// One client configuration change, planned before anything is written: the file's bytes now, the
// bytes after (only the owned keys differ), and the two texts the user reviews with the key masked.
import { ClientConfigError } from './owned-change.ts';
import type { ClientContext, FileTarget } from './client-targets.ts';
import { planJsonEdit } from './json-edit.ts';
import { planTomlEdit } from './toml-edit.ts';
import { planYamlEdit } from './yaml-edit.ts';
import { decodeUtf8, detectLayout, maskSecrets } from './text-format.ts';

export interface ConfigPlan {
  path: string;
  /** undefined: the file does not exist yet. */
  before: Uint8Array | undefined;
  after: Uint8Array;
  changed: boolean;
  /** What the diff shows: both sides with the API key masked. */
  review: { before: string; after: string };
}

const BOM = '\ufeff';

/** Two texts that differ only in ISO timestamps (a client's "updatedAt"). */
function sameApartFromTime(a: string, b: string): boolean {
  const iso = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g;
  return a.replace(iso, 'T') === b.replace(iso, 'T');
}

export function planClientConfig(target: FileTarget, path: string, before: Uint8Array | undefined, ctx: ClientContext): ConfigPlan {
  const what = path;
  const raw = before === undefined ? '' : decodeUtf8(before, what);
  const bom = raw.startsWith(BOM);
  const text = bom ? raw.slice(1) : raw;
  const source = before === undefined || text.trim() === '' ? (target.newFile?.(detectLayout(text).eol) ?? text) : text;
  const changes = target.changes(ctx);
  let edited: string;
  switch (target.format) {
    case 'json':
      edited = planJsonEdit(source, changes, what);
      break;
    case 'toml':
      edited = planTomlEdit(source, changes, what);
      break;
    case 'yaml':
      edited = planYamlEdit(source, changes, what);
      break;
    default:
      throw new ClientConfigError(`unknown format of ${what}`);
  }
  const out = (bom ? BOM : '') + edited;
  const secrets = [ctx.apiKey];
  return {
    path,
    before,
    after: new TextEncoder().encode(out),
    changed: out !== raw && (target.idempotent !== false || !sameApartFromTime(out, raw)),
    review: { before: maskSecrets(raw, secrets), after: maskSecrets(out, secrets) },
  };
}
