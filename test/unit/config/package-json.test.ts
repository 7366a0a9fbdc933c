// package.json's contributes.configuration is what VS Code shows and validates; the extension reads
// the same settings through core/config/vscode-settings.ts, whose schemas come from the one config
// schema. The two must agree on every kiroProxy.* setting: type, default, choices and bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VSCODE_SETTINGS, type VscodeSetting } from '../../../src/core/config/vscode-settings.ts';
import { facts } from '../../../src/core/config/schema.ts';

interface Contributed {
  type: string | string[];
  default?: unknown;
  enum?: string[];
  minimum?: number;
  maximum?: number;
}

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Contributed> } };
};
const contributed = Object.fromEntries(
  Object.entries(pkg.contributes.configuration.properties)
    .filter(([k]) => k.startsWith('kiroProxy.'))
    .map(([k, v]) => [k.slice('kiroProxy.'.length), v]),
);
const table = VSCODE_SETTINGS as Record<string, VscodeSetting>;

/** The JSON-schema type(s) package.json must declare for a setting. */
function jsonTypes(f: ReturnType<typeof facts>): string[] {
  const base = f.type === 'enum' ? 'string' : f.type === 'record' ? 'object' : f.type;
  return f.optional ? [base, 'null'] : [base];
}

test('every kiroProxy.* setting of package.json is in the schema table, and the other way round', () => {
  assert.deepEqual(Object.keys(contributed).sort(), Object.keys(table).sort());
});

for (const [name, setting] of Object.entries(table)) {
  test(`kiroProxy.${name} agrees with the schema`, () => {
    const p = contributed[name];
    assert.ok(p, `package.json lacks kiroProxy.${name}`);
    const f = facts(setting.schema);
    assert.deepEqual([p.type].flat().sort(), jsonTypes(f).sort(), 'type');
    // An unset optional setting is `null` in settings.json, `undefined` to the extension.
    assert.deepEqual(p.default ?? undefined, f.default, 'default');
    assert.deepEqual(p.enum, f.values ? [...f.values] : undefined, 'enum');
    if (f.type === 'integer') {
      assert.equal(p.minimum, f.min, 'minimum');
      assert.equal(p.maximum, f.max, 'maximum');
    } else {
      assert.equal(p.minimum, undefined, 'minimum on a non-number');
      assert.equal(p.maximum, undefined, 'maximum on a non-number');
    }
  });
}

test('an integer setting declares both bounds (VS Code then refuses what the proxy would)', () => {
  for (const [name, p] of Object.entries(contributed)) {
    if ([p.type].flat().includes('integer')) assert.ok(p.minimum !== undefined && p.maximum !== undefined, name);
  }
});
