import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aliasToolName, buildToolNameMap, clientToolName, kiroToolName } from '../../../src/core/conversation/tool-names.ts';

test('valid names map to themselves; invalid ones to ≤64-char aliases that map back', () => {
  const long = `mcp__${'very_long_server_name_'.repeat(4)}__tool`;
  const map = buildToolNameMap(['Read', long, 'a.b', 'a.b']);
  assert.equal(kiroToolName(map, 'Read'), 'Read');
  const alias = kiroToolName(map, long);
  assert.ok(alias.length <= 64 && /^[A-Za-z0-9_-]+$/.test(alias));
  assert.equal(clientToolName(map, alias), long);
  assert.equal(clientToolName(map, 'unknown'), 'unknown');
  assert.equal(map.toKiro.size, 3);
});

test('aliases are deterministic and avoid names already taken', () => {
  const name = 'x'.repeat(80);
  const first = aliasToolName(name);
  assert.equal(aliasToolName(name), first);
  const map = buildToolNameMap([first, name]);
  assert.notEqual(kiroToolName(map, name), first);
  assert.equal(clientToolName(map, first), first);
});
