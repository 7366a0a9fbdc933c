// "Configure a client…" edits only what it owns: for each client and format, a file with CRLF line
// endings, comments, extra keys and non-ASCII text keeps every byte outside the owned keys; the
// owned values are right; the review text masks the API key; a second run changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseJsonc } from 'jsonc-parser';
import { parseDocument } from 'yaml';
import { getStaticTOMLValue, parseTOML } from 'toml-eslint-parser';
import {
  CLAUDE_CODE,
  CLINE_CLI,
  CODEX,
  CONTINUE,
  OPENCODE,
  CLIENT_TARGETS,
  type ClientContext,
  type FileTarget,
} from '../../../src/vscode/clients/client-targets.ts';
import { planClientConfig } from '../../../src/vscode/clients/plan.ts';
import { planJsonEdit } from '../../../src/vscode/clients/json-edit.ts';
import { planTomlEdit } from '../../../src/vscode/clients/toml-edit.ts';
import { planYamlEdit } from '../../../src/vscode/clients/yaml-edit.ts';
import { assertOnlyOwnedChanged, ClientConfigError } from '../../../src/vscode/clients/owned-change.ts';
import { detectLayout, maskSecret, maskSecrets } from '../../../src/vscode/clients/text-format.ts';

const KEY = 'kp-AbCdEfGhIjKlMnOpQrStUvWxYz012345';
const ctx: ClientContext = { baseUrl: 'http://127.0.0.1:8080', apiKey: KEY, model: 'claude-sonnet-4.5' };
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(b);
const crlf = (lines: string[]) => lines.join('\r\n') + '\r\n';

/**
 * Every line of `before` is still in `after`, in order (the edit only added or replaced owned
 * lines; JSON may gain the comma that separates the new member from its neighbour).
 */
function keptLines(before: string, after: string, ownedLine: (l: string) => boolean): void {
  const rest = after.split('\r\n');
  let i = 0;
  for (const line of before.split('\r\n')) {
    if (ownedLine(line)) continue;
    while (i < rest.length && rest[i] !== line && rest[i] !== `${line},`) i++;
    assert.ok(i < rest.length, `line kept: ${JSON.stringify(line)}\n--- after ---\n${after}`);
    i++;
  }
  assert.ok(!/(^|[^\r])\n/.test(after), 'no bare LF in a CRLF file');
}

test('Claude Code: env keys added to a CRLF JSONC file with comments, extra keys and non-ASCII text', () => {
  const before = crlf([
    '{',
    '    // my settings — ünïcödé ✓',
    '    "model": "opus",',
    '    "env": {',
    '        "FOO": "bär"',
    '    },',
    '    "permissions": { "allow": ["Bash(ls:*)"] }',
    '}',
  ]);
  const plan = planClientConfig(CLAUDE_CODE, '/x/settings.json', enc(before), ctx);
  const after = dec(plan.after);
  keptLines(before, after, (l) => l === '        "FOO": "bär"');
  assert.match(after, /\r\n {8}"FOO": "bär",\r\n {8}"ANTHROPIC_BASE_URL": "http:\/\/127\.0\.0\.1:8080",\r\n {8}"ANTHROPIC_AUTH_TOKEN": "kp-/);
  const v = parseJsonc(after) as { env: Record<string, string>; model: string };
  assert.deepEqual(v.env, { FOO: 'bär', ANTHROPIC_BASE_URL: 'http://127.0.0.1:8080', ANTHROPIC_AUTH_TOKEN: KEY });
  assert.equal(v.model, 'opus');
  assert.ok(plan.changed);
  assert.ok(!plan.review.after.includes(KEY) && plan.review.after.includes(maskSecret(KEY)), 'the key is masked in the review');
  // Applying again changes nothing.
  assert.equal(planClientConfig(CLAUDE_CODE, '/x/settings.json', plan.after, ctx).changed, false);
});

test('Claude Code: a changed base URL replaces only the value; a BOM stays', () => {
  const before = '\ufeff{\n\t"env": { "ANTHROPIC_BASE_URL": "http://old:1", "X": 1 }\n}\n';
  const after = dec(planClientConfig(CLAUDE_CODE, 's.json', enc(before), ctx).after);
  assert.equal(after, `\ufeff{\n\t"env": { "ANTHROPIC_BASE_URL": "http://127.0.0.1:8080", "X": 1, "ANTHROPIC_AUTH_TOKEN": "${KEY}" }\n}\n`);
});

test('Claude Code: a new file is created with the two keys', () => {
  const plan = planClientConfig(CLAUDE_CODE, 's.json', undefined, ctx);
  assert.deepEqual(JSON.parse(dec(plan.after)), { env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:8080', ANTHROPIC_AUTH_TOKEN: KEY } });
  assert.equal(plan.before, undefined);
});

test('invalid JSON, or env that is not an object, is refused rather than rewritten', () => {
  assert.throws(() => planClientConfig(CLAUDE_CODE, 's.json', enc('{ "env": '), ctx), ClientConfigError);
  assert.throws(() => planClientConfig(CLAUDE_CODE, 's.json', enc('[1,2]'), ctx), /JSON object/);
  assert.throws(() => planClientConfig(CLAUDE_CODE, 's.json', enc('{"env": "x"}'), ctx), ClientConfigError);
  assert.throws(() => planClientConfig(CLAUDE_CODE, 's.json', new Uint8Array([0x7b, 0xff, 0x7d]), ctx), /not UTF-8/);
});

test('opencode: provider.kiro and model set in a CRLF file that keeps its other providers and comments', () => {
  const before = crlf([
    '{',
    '  "$schema": "https://opencode.ai/config.json",',
    '  // local models',
    '  "provider": {',
    '    "ollama": { "npm": "@ai-sdk/openai-compatible", "name": "Ollama — lokal" }',
    '  },',
    '  "theme": "tokyonight"',
    '}',
  ]);
  const after = dec(planClientConfig(OPENCODE, 'opencode.json', enc(before), ctx).after);
  keptLines(before, after, (l) => l === '    "ollama": { "npm": "@ai-sdk/openai-compatible", "name": "Ollama — lokal" }');
  const v = parseJsonc(after) as {
    provider: Record<string, { options?: Record<string, string>; models?: Record<string, unknown> }>;
    model: string;
    theme: string;
  };
  assert.equal(v.provider['kiro']!.options!['baseURL'], 'http://127.0.0.1:8080/v1');
  assert.equal(v.provider['kiro']!.options!['apiKey'], KEY);
  assert.ok(v.provider['kiro']!.models!['claude-sonnet-4.5']);
  assert.ok(v.provider['ollama']);
  assert.equal(v.model, 'kiro/claude-sonnet-4.5');
  assert.equal(v.theme, 'tokyonight');
});

test('opencode: a new file gets the schema and the provider', () => {
  const v = JSON.parse(dec(planClientConfig(OPENCODE, 'o.json', undefined, ctx).after)) as Record<string, unknown>;
  assert.equal(v['$schema'], 'https://opencode.ai/config.json');
  assert.equal(v['model'], 'kiro/claude-sonnet-4.5');
});

const CODEX_BEFORE = crlf([
  '# Codex — meine Einstellungen',
  'approval_policy = "on-request"  # ask first',
  'model = "gpt-5"',
  '',
  '# MCP servers',
  '[mcp_servers.docs]',
  'command = "npx"',
  'args = ["-y", "docs-mcp"]',
  '',
  '[model_providers.other]',
  'name = "Other"',
  'base_url = "https://example.invalid/v1"',
]);

test('Codex: top-level keys and the [model_providers.kiro] section, section-level edits of a CRLF TOML file', () => {
  const plan = planClientConfig(CODEX, 'config.toml', enc(CODEX_BEFORE), ctx);
  const after = dec(plan.after);
  keptLines(CODEX_BEFORE, after, (l) => l === 'model = "gpt-5"');
  assert.match(
    after,
    /^# Codex — meine Einstellungen\r\napproval_policy = "on-request" {2}# ask first\r\nmodel = "claude-sonnet-4.5"\r\nmodel_provider = "kiro"\r\n/,
  );
  assert.match(
    after,
    /\r\n\r\n\[model_providers\.kiro\]\r\nname = "Kiro Proxy"\r\nbase_url = "http:\/\/127\.0\.0\.1:8080\/v1"\r\nwire_api = "responses"\r\nexperimental_bearer_token = "kp-[^"]+"\r\n$/,
  );
  const v = getStaticTOMLValue(parseTOML(after)) as { model_providers: Record<string, Record<string, string>>; mcp_servers: unknown };
  assert.equal(v.model_providers['kiro']!['wire_api'], 'responses');
  assert.equal(v.model_providers['other']!['name'], 'Other');
  assert.deepEqual(v.mcp_servers, { docs: { command: 'npx', args: ['-y', 'docs-mcp'] } });
  assert.ok(!plan.review.after.includes(KEY));
  assert.equal(planClientConfig(CODEX, 'config.toml', plan.after, ctx).changed, false, 'idempotent');
});

test('Codex: an existing kiro section is updated in place; a file with only tables gets the keys above the first table and its comments', () => {
  const text =
    '# tables only\n\n# the docs server\n[mcp_servers.docs]\ncommand = "npx"\n\n[model_providers.kiro]\nname = "Kiro Proxy"\nbase_url = "http://127.0.0.1:9999/v1" # old port\n';
  const after = planTomlEdit(text, CODEX.changes(ctx), 'config.toml');
  assert.ok(after.startsWith('# tables only\n\nmodel_provider = "kiro"\nmodel = "claude-sonnet-4.5"\n\n# the docs server\n[mcp_servers.docs]\n'), after);
  assert.match(after, /base_url = "http:\/\/127\.0\.0\.1:8080\/v1" # old port\nwire_api = "responses"\nexperimental_bearer_token = /);
});

test('Codex: a provider written as dotted keys or an inline table is not edited', () => {
  assert.throws(() => planTomlEdit('model_providers.kiro.name = "x"\n', CODEX.changes(ctx), 'config.toml'), /does not edit/);
  assert.throws(() => planTomlEdit('[model_providers]\nkiro = { name = "x" }\n', CODEX.changes(ctx), 'config.toml'), /does not edit/);
  assert.throws(() => planTomlEdit('model = \n', CODEX.changes(ctx), 'config.toml'), /not valid TOML/);
});

const CONTINUE_BEFORE = crlf([
  'name: Meine Konfig ✓',
  'version: 1.0.0',
  'schema: v1',
  '# models I use',
  'models:',
  '  - name: Local Llama # fast',
  '    provider: ollama',
  '    model: llama3',
  '    roles: [autocomplete]',
  'context:',
  '  - provider: code',
]);

test('Continue: a "Kiro Proxy" model appended to the models list of a CRLF YAML file; a second run replaces it in place', () => {
  const plan = planClientConfig(CONTINUE, 'config.yaml', enc(CONTINUE_BEFORE), ctx);
  const after = dec(plan.after);
  keptLines(CONTINUE_BEFORE, after, () => false);
  assert.match(
    after,
    /roles: \[autocomplete\]\r\n {2}- name: Kiro Proxy\r\n {4}provider: openai\r\n {4}model: claude-sonnet-4\.5\r\n {4}apiBase: http:\/\/127\.0\.0\.1:8080\/v1\r\n {4}apiKey: kp-\S+\r\n {4}roles:\r\n/,
  );
  const v = parseDocument(after).toJS() as { models: { name: string; apiKey?: string }[]; context: unknown[] };
  assert.deepEqual(
    v.models.map((m) => m.name),
    ['Local Llama', 'Kiro Proxy'],
  );
  assert.equal(v.models[1]!.apiKey, KEY);
  assert.equal(v.context.length, 1);
  const moved = planClientConfig(CONTINUE, 'config.yaml', plan.after, { ...ctx, baseUrl: 'http://127.0.0.1:9090' });
  const v2 = parseDocument(dec(moved.after)).toJS() as { models: { name: string; apiBase: string }[] };
  assert.deepEqual(
    v2.models.map((m) => [m.name, m.apiBase ?? '']),
    [
      ['Local Llama', ''],
      ['Kiro Proxy', 'http://127.0.0.1:9090/v1'],
    ],
  );
  assert.equal(planClientConfig(CONTINUE, 'config.yaml', moved.after, { ...ctx, baseUrl: 'http://127.0.0.1:9090' }).changed, false);
});

test('Continue: a new file, a file without models, and `models: []` all get the entry', () => {
  const fresh = parseDocument(dec(planClientConfig(CONTINUE, 'c.yaml', undefined, ctx).after)).toJS() as Record<string, unknown>;
  assert.equal(fresh['schema'], 'v1');
  assert.equal((fresh['models'] as unknown[]).length, 1);
  for (const text of ['name: x\nversion: 1.0.0\nschema: v1\n', 'name: x\nmodels: [] # none yet\nschema: v1\n', 'name: x\nmodels:\nschema: v1\n']) {
    const out = planYamlEdit(text, CONTINUE.changes(ctx), 'c.yaml');
    const v = parseDocument(out).toJS() as { models: { name: string }[]; schema?: string };
    assert.deepEqual(
      v.models.map((m) => m.name),
      ['Kiro Proxy'],
      out,
    );
    assert.ok(out.startsWith('name: x\n'), out);
  }
});

test('Continue: config.json without config.yaml is not shadowed by a new config.yaml', () => {
  const reason = CONTINUE.refuse!({ env: {}, home: '/home/u', exists: (p) => p.endsWith('config.json') });
  assert.match(reason ?? '', /config\.json/);
  assert.equal(CONTINUE.refuse!({ env: {}, home: '/home/u', exists: () => false }), undefined);
});

test("client file locations follow the clients' own environment variables", () => {
  const e = { env: { CLAUDE_CONFIG_DIR: '/c', CODEX_HOME: '/x', XDG_CONFIG_HOME: '/cfg', CONTINUE_GLOBAL_DIR: '/cont' }, home: '/home/u', exists: () => false };
  assert.equal(CLAUDE_CODE.path(e), '/c/settings.json');
  assert.equal(CODEX.path(e), '/x/config.toml');
  assert.equal(OPENCODE.path(e), '/cfg/opencode/opencode.json');
  assert.equal(CONTINUE.path(e), '/cont/config.yaml');
  const d = { env: {}, home: '/home/u', exists: () => false };
  assert.equal(CLAUDE_CODE.path(d), '/home/u/.claude/settings.json');
  assert.equal(CODEX.path(d), '/home/u/.codex/config.toml');
  assert.equal(CLINE_CLI.path(d), '/home/u/.cline/data/settings/providers.json');
  assert.equal(CLINE_CLI.path({ ...d, env: { CLINE_DIR: '/cl' } }), '/cl/data/settings/providers.json');
  assert.equal(CLINE_CLI.path({ ...d, env: { CLINE_DIR: '/cl', CLINE_DATA_DIR: '/cd' } }), '/cd/settings/providers.json');
  assert.equal(CLINE_CLI.path({ ...d, env: { CLINE_DATA_DIR: '/cd', CLINE_PROVIDER_SETTINGS_PATH: '/p.json' } }), '/p.json');
  assert.deepEqual(
    CLIENT_TARGETS.map((t) => t.label),
    ['Claude Code', 'Codex', 'opencode', 'Cline (VS Code extension)', 'Cline CLI', 'Continue'],
  );
});

test('the proof of ownership rejects an edit that touched anything else', () => {
  assert.throws(
    () => assertOnlyOwnedChanged({ a: 1, env: {} }, { a: 2, env: { K: 'v' } }, [{ kind: 'set', path: ['env', 'K'], value: 'v' }], 'f'),
    ClientConfigError,
  );
  assert.doesNotThrow(() => assertOnlyOwnedChanged({ a: 1 }, { a: 1, env: { K: 'v' } }, [{ kind: 'set', path: ['env', 'K'], value: 'v' }], 'f'));
  assert.doesNotThrow(() => planJsonEdit('{}', [{ kind: 'upsert-item', path: ['models'], match: { name: 'K' }, value: { name: 'K', x: 1 } }], 'f'));
});

test('layout detection and masking', () => {
  assert.deepEqual(detectLayout('{\r\n    "a": {\r\n        "b": 1\r\n    }\r\n}\r\n'), { eol: '\r\n', indent: '    ', bom: false });
  assert.equal(detectLayout('{\n\t"a": 1\n}\n').indent, '\t');
  assert.equal(maskSecret(KEY), 'kp-••••••••2345');
  assert.equal(maskSecrets(`token = "${KEY}" other = "kp-0123456789abcdefXYZ"`, [KEY]), 'token = "kp-••••••••2345" other = "kp-••••••••fXYZ"');
});

test('every file target plans a new file and an idempotent second run', () => {
  for (const t of CLIENT_TARGETS.filter((x): x is FileTarget => x.kind === 'file')) {
    const first = planClientConfig(t, 'f', undefined, ctx);
    assert.ok(first.changed, t.label);
    assert.equal(planClientConfig(t, 'f', first.after, ctx).changed, false, t.label);
  }
});

test('Cline CLI: providers.json gets the OpenAI-compatible provider with updatedAt (without it Cline ignores the entry), other providers kept', () => {
  const before =
    '{\n  "version": 1,\n  "lastUsedProvider": "anthropic",\n  "modes": {},\n  "providers": {\n    "anthropic": { "settings": { "provider": "anthropic", "apiKey": "sk-ant-mine" } }\n  }\n}\n';
  const plan = planClientConfig(CLINE_CLI, 'providers.json', enc(before), ctx);
  const v = JSON.parse(dec(plan.after)) as {
    lastUsedProvider: string;
    providers: Record<string, { settings: Record<string, string>; updatedAt?: string; tokenSource?: string }>;
  };
  assert.equal(v.lastUsedProvider, 'openai-compatible');
  assert.deepEqual(v.providers['openai-compatible']!.settings, {
    provider: 'openai-compatible',
    apiKey: KEY,
    model: 'claude-sonnet-4.5',
    baseUrl: 'http://127.0.0.1:8080/v1',
  });
  assert.match(v.providers['openai-compatible']!.updatedAt ?? '', /^\d{4}-\d\d-\d\dT/);
  assert.equal(v.providers['anthropic']!.settings['apiKey'], 'sk-ant-mine');
  assert.equal(planClientConfig(CLINE_CLI, 'providers.json', plan.after, ctx).changed, false, 'a second run differs only in updatedAt: not a change');
});
