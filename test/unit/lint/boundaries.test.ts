// The layer boundaries of eslint.config.mjs, proven on snippets: src/core and src/cli cannot reach
// `vscode` or the editor glue by any import form (TypeScript alone accepts `import type` from
// 'vscode' in src/core, since @types/vscode is installed), src/vscode can, src/webview cannot
// import node: modules. Runs the repo's real config; only the type-aware parser setup is
// switched off, because these snippets are not files of any tsconfig (the boundary rules do not
// need types).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const eslint = new ESLint({
  cwd: new URL('../../..', import.meta.url).pathname,
  overrideConfig: [
    { files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked },
    { files: ['**/*.ts'], languageOptions: { parserOptions: { project: false, projectService: false } } },
  ],
});

/** Rule ids reported for `code` as if it lived at `filePath`. */
async function lint(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const BOUNDARY = ['@typescript-eslint/no-restricted-imports', 'no-restricted-syntax'];
const boundaryHits = (ids: string[]) => ids.filter((id) => BOUNDARY.includes(id));

const FORBIDDEN_IN_CORE: Record<string, string> = {
  'value import': "import * as vscode from 'vscode';\nexport const u = vscode.Uri;\n",
  'named import': "import { Uri } from 'vscode';\nexport const u = Uri;\n",
  'type-only import': "import type { Uri } from 'vscode';\nexport type U = Uri;\n",
  'inline type import': "import { type Uri } from 'vscode';\nexport type U = Uri;\n",
  're-export': "export type { Uri } from 'vscode';\n",
  'import = require': "import vscode = require('vscode');\nexport const u = vscode;\n",
  'dynamic import': "export const load = () => import('vscode');\n",
  'typeof import()': "export type V = typeof import('vscode');\n",
  'require()': "declare const require: (id: string) => unknown;\nexport const v = require('vscode');\n",
  'editor glue by path': "import { something } from '../vscode/status-bar.ts';\nexport const s = something;\n",
  'webview by path': "import { something } from '../../webview/store.ts';\nexport const s = something;\n",
};

for (const dir of ['src/core/server', 'src/cli']) {
  for (const [form, code] of Object.entries(FORBIDDEN_IN_CORE)) {
    test(`${dir}: ${form} of vscode is a lint error`, async () => {
      const ids = await lint(`${dir}/probe.ts`, code);
      assert.ok(!ids.some((id) => id.startsWith('fatal')), `parse failed: ${ids.join(', ')}`);
      assert.equal(boundaryHits(ids).length, 1, `reported: ${ids.join(', ') || 'nothing'}`);
    });
  }
}

test('src/core may import its own modules and its packages', async () => {
  const ids = await lint(
    'src/core/server/probe.ts',
    "import * as z from 'zod';\nimport { ProxyError } from '../errors.ts';\nexport const s = [z, ProxyError];\n",
  );
  assert.deepEqual(boundaryHits(ids), []);
});

test('src/vscode may import vscode', async () => {
  const ids = await lint('src/vscode/probe.ts', "import * as vscode from 'vscode';\nexport const u = vscode.Uri;\n");
  assert.deepEqual(boundaryHits(ids), []);
});

test('src/webview cannot import node: modules (it is a browser bundle)', async () => {
  const ids = await lint('src/webview/probe.ts', "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n");
  assert.deepEqual(boundaryHits(ids), ['@typescript-eslint/no-restricted-imports']);
});
