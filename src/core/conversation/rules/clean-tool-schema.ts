// Rule clean-tool-schema: the intersection of what KRS and JWG send without 400s (protocol §5.6):
// no `$schema`, root `type: "object"` with `properties`, `required` only non-empty string lists,
// `additionalProperties` only as a boolean. Walks schema keywords (not property names), so a
// property called "required" or "$schema" survives.
import type { Draft } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const SCHEMA_LISTS = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);
const SCHEMA_ONE = new Set(['not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedProperties', 'additionalItems']);

function cleanSchema(schema: unknown): unknown {
  if (!isObj(schema)) return schema;
  const out: Obj = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema') continue;
    if (key === 'required') {
      const names = Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
      if (names.length > 0) out[key] = names;
    } else if (key === 'additionalProperties') {
      if (typeof value === 'boolean') out[key] = value;
    } else if (SCHEMA_MAPS.has(key) && isObj(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cleanSchema(v)]));
    } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
      out[key] = value.map(cleanSchema);
    } else if (key === 'items') {
      out[key] = Array.isArray(value) ? value.map(cleanSchema) : cleanSchema(value);
    } else if (SCHEMA_ONE.has(key)) {
      out[key] = cleanSchema(value);
    } else {
      out[key] = structuredClone(value);
    }
  }
  return out;
}

export function cleanToolSchema(schema: unknown): Obj {
  const cleaned = cleanSchema(isObj(schema) ? schema : {}) as Obj;
  cleaned['type'] = 'object';
  if (!isObj(cleaned['properties'])) cleaned['properties'] = {};
  return cleaned;
}

export function cleanToolSchemas(d: Draft, log: RuleLog): Draft {
  const changed: string[] = [];
  const tools = d.tools.map((t) => {
    const schema = cleanToolSchema(t.schema);
    if (JSON.stringify(schema) === JSON.stringify(t.schema)) return t;
    changed.push(t.name);
    return { ...t, schema };
  });
  if (changed.length === 0) return d;
  log.fire('clean-tool-schema', `cleaned the input schema of ${changed.length} tool(s): ${changed.join(', ')}`);
  return { ...d, tools };
}
