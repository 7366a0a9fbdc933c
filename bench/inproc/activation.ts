// Extension activation time outside VS Code: require dist/extension.js with a stand-in `vscode`
// module (plain classes and enums, namespaces whose every function is a no-op returning another
// stand-in), then call activate() with a minimal ExtensionContext. Measures our own code only:
// bundle load + activate(); VS Code's own extension-host overhead is not included.
// Prints one JSON line.
import { createRequire } from 'node:module';
import Module from 'node:module';
import { performance } from 'node:perf_hooks';
import { existsSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const bundle = join(ROOT, 'dist/extension.js');
if (!existsSync(bundle)) {
  process.stdout.write(JSON.stringify({ skipped: 'dist/extension.js missing (npm run build)' }) + '\n');
  process.exit(0);
}

const noopDisposable = { dispose() {} };

/** Callable, with every property: a namespace or an object VS Code would hand back. */
function standIn(): unknown {
  const cache = new Map<string | symbol, unknown>();
  return new Proxy(function () {}, {
    get(_t, prop) {
      if (prop === 'then') return undefined;
      if (prop === 'dispose') return () => undefined;
      if (prop === Symbol.iterator) return undefined;
      if (!cache.has(prop)) cache.set(prop, standIn());
      return cache.get(prop);
    },
    set(_t, prop, value) {
      cache.set(prop, value);
      return true;
    },
    apply: () => standIn(),
    construct: () => standIn() as object,
  });
}

class EventEmitter<T> {
  private listeners = new Set<(e: T) => void>();
  event = (l: (e: T) => void) => {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  };
  fire(e: T) {
    for (const l of this.listeners) l(e);
  }
  dispose() {
    this.listeners.clear();
  }
}
class Plain {
  constructor(...args: unknown[]) {
    Object.assign(this, { args });
  }
}
const uri = (p: string) => ({ fsPath: p, path: p, scheme: 'file', toString: () => `file://${p}`, with: () => uri(p) });
const enumOf = (...names: string[]) => Object.fromEntries(names.flatMap((n, i) => [[n, i]]));

const vscodeModule: Record<string, unknown> = {
  EventEmitter,
  Disposable: class extends Plain {
    static from = () => noopDisposable;
    dispose() {}
  },
  TreeItem: Plain,
  ThemeIcon: Plain,
  ThemeColor: Plain,
  MarkdownString: Plain,
  LanguageModelTextPart: Plain,
  LanguageModelToolCallPart: Plain,
  LanguageModelToolResultPart: Plain,
  TabInputTextDiff: Plain,
  Uri: { file: uri, parse: uri, joinPath: (b: { fsPath: string }, ...p: string[]) => uri(join(b.fsPath, ...p)) },
  TreeItemCollapsibleState: enumOf('None', 'Collapsed', 'Expanded'),
  StatusBarAlignment: enumOf('Left', 'Right'),
  ProgressLocation: enumOf('SourceControl', 'Window', 'Notification'),
  ConfigurationTarget: enumOf('Global', 'Workspace', 'WorkspaceFolder'),
  ViewColumn: enumOf('Active', 'One', 'Two'),
  QuickPickItemKind: enumOf('Separator', 'Default'),
  LanguageModelChatMessageRole: enumOf('User', 'Assistant'),
  LanguageModelChatToolMode: enumOf('Auto', 'Required'),
  window: standIn(),
  commands: standIn(),
  env: standIn(),
  lm: standIn(),
  workspace: new Proxy(standIn() as object, {
    get(w, p) {
      if (p === 'getConfiguration')
        return () => ({ get: (_k: string, d?: unknown) => d, has: () => false, inspect: () => undefined, update: async () => undefined });
      return (w as Record<string | symbol, unknown>)[p];
    },
  }),
};

const M = Module as unknown as { _resolveFilename: (...a: unknown[]) => string };
const originalResolve = M._resolveFilename;
M._resolveFilename = function (request: unknown, ...rest: unknown[]) {
  return request === 'vscode' ? 'vscode' : originalResolve.call(this, request, ...rest);
};
const require = createRequire(import.meta.url);
(require.cache as Record<string, unknown>)['vscode'] = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscodeModule };

const tmp = mkdtempSync(join(tmpdir(), 'kiro-activation-'));
const context = {
  subscriptions: [] as { dispose(): unknown }[],
  extensionUri: uri(ROOT),
  extensionPath: ROOT,
  globalStorageUri: uri(tmp),
  storageUri: uri(tmp),
  logUri: uri(tmp),
  secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: () => noopDisposable },
  globalState: { get: (_k: string, d?: unknown) => d, update: async () => undefined, keys: () => [], setKeysForSync() {} },
  workspaceState: { get: (_k: string, d?: unknown) => d, update: async () => undefined, keys: () => [] },
  extensionMode: 1,
  asAbsolutePath: (p: string) => join(ROOT, p),
};

const t0 = performance.now();
let error: string | undefined;
let t1 = t0;
try {
  const ext = require(bundle) as { activate(ctx: unknown): unknown };
  t1 = performance.now();
  ext.activate(context);
} catch (err) {
  error = err instanceof Error ? err.message.slice(0, 300) : String(err).slice(0, 300);
}
const t2 = performance.now();
for (const d of context.subscriptions) {
  try {
    d.dispose();
  } catch {
    // stand-ins
  }
}
rmSync(tmp, { recursive: true, force: true });
process.stdout.write(
  JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, totalMs: t2 - t0, bundleBytes: statSync(bundle).size, ...(error ? { error } : {}) }) + '\n',
);
process.exit(0);
