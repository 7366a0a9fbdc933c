// ESLint for the whole repo (`npm run lint`, run by .ci/run before the tests). Two jobs:
// 1. Enforce the layer boundaries the design promises but TypeScript cannot see: src/core and
//    src/cli never reach `vscode` (not even `import type`, a dynamic import or a require) nor
//    the editor glue in src/vscode and src/webview; src/webview never imports node: modules
//    (it is a browser bundle).
// 2. Catch the bugs that bite this codebase: promises nobody awaits (a lost rejection kills the
//    extension host or leaks a lease), async callbacks handed to APIs that ignore their promise
//    (EventEmitter, http.createServer), `await` on non-promises, and unsafe `any` flowing out of
//    JSON.parse into typed code.
// Type-aware rules run with one TypeScript program per tsconfig (src/vscode and src/webview
// need their own `types`/`lib`), chosen per folder below.
import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const VSCODE_MESSAGE =
  'src/core and src/cli run headless and in tests: they never import vscode (design: one composition root per host; inject what you need).';

/** Forbid `vscode` and the editor-glue folders, however they are imported. */
const noEditorImports = {
  '@typescript-eslint/no-restricted-imports': [
    'error',
    {
      paths: [{ name: 'vscode', message: VSCODE_MESSAGE }],
      patterns: [
        {
          regex: '(^|/)(vscode|webview)/',
          message: 'src/core and src/cli never import from src/vscode or src/webview (they depend on the core, not the other way round).',
        },
      ],
    },
  ],
  'no-restricted-syntax': [
    'error',
    { selector: "ImportExpression[source.value='vscode']", message: VSCODE_MESSAGE },
    { selector: "TSImportType[argument.literal.value='vscode']", message: VSCODE_MESSAGE },
    { selector: "CallExpression[callee.name='require'][arguments.0.value='vscode']", message: VSCODE_MESSAGE },
  ],
};

export default defineConfig(
  {
    // Build output, the e2e toolchain and captured fixtures (as .gitignore, plus fixtures).
    ignores: ['dist/**', 'out/**', '.e2e/**', '.vscode-test/**', 'test-results/**', 'bench/results/**', '.kiro-proxy-dev/**', 'test/fixtures/**'],
  },
  js.configs.recommended,
  {
    // TypeScript: recommended + type-checked rules.
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `typeof import('…')` stays allowed: it types the lazily loaded modules (tokenizer, mock,
      // dist/core.js) without loading them at startup.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // An abort rejects with `signal.reason`, which is whatever the aborter chose (an
      // AbortError by default); passing it on unchanged is the contract, not a bug.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // Off: an `async` method without `await` is how a synchronous fake or store implements a
      // promise-returning interface (SecretStorage, the admin API); the rule only adds noise.
      '@typescript-eslint/require-await': 'off',
      // `interface Quota extends UsageLimits {}` names a host-facing type on purpose.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
    },
  },
  {
    files: ['src/vscode/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.vscode.json' } },
  },
  {
    files: ['src/webview/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.webview.json' } },
  },
  {
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts'],
    rules: noEditorImports,
  },
  {
    files: ['src/webview/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: '^node:', message: 'src/webview is a browser bundle: no node: modules.' }] }],
    },
  },
  {
    // Tests read JSON responses as `any` and assert on them (assert is the type check there);
    // node:test's test()/describe() promises are tracked by the runner itself.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    // dist/core.js and dist/client-config.js are built apart and loaded on first need by a computed require().
    files: ['src/vscode/extension.ts', 'src/vscode/configure-client.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Size limits (issue 15): a file in src/ over 400 lines or a function over 120 is where a
    // maintainer gets lost. A file that has a reason to be longer says it at its top:
    // /* eslint-disable max-lines -- <the reason> */
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 120 }],
    },
  },
  {
    // Plain JavaScript: build scripts, the e2e harness and the extension-host suite.
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node, ...globals.mocha } },
  },
);
