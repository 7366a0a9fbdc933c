// "Kiro: Configure a client…": pick a client, read the change in a diff editor (API key masked,
// nothing covering it), Apply or Cancel from a notification or the diff's title bar, Undo later.
// The file keeps its bytes outside the owned keys and its mode; Undo restores bytes and mode.
// Clients whose settings another program owns (Cline) get the values to paste instead.
import * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, realpath, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../core/fs/atomic-write.ts';
import { DEFAULT_MODEL_ID } from '../core/kiro/model-catalogue.ts';
import type { Logger } from '../core/proxy-types.ts';
import { Disposable } from './lifecycle.ts';
import type { ProxyController } from './proxy-controller.ts';
import { CLIENT_TARGETS, type ClientContext, type ClientTarget, type Environment, type FileTarget, type ManualTarget } from './clients/client-targets.ts';
import { maskSecrets } from './clients/text-format.ts';
import type { ConfigPlan } from './clients/plan.ts';

const REVIEW_SCHEME = 'kiro-proxy-review';
const BACKUP_PREFIX = 'kiroProxy.clientConfigBackup.';
/** A new file holds the API key: private unless the user's file already had a mode of its own. */
const NEW_FILE_MODE = 0o600;

type Planner = typeof import('./clients/plan.ts');

interface Backup {
  path: string;
  /** The file written (the link's target when `path` is a symbolic link). */
  realPath: string;
  existed: boolean;
  /** The bytes before, base64 (exact, whatever the encoding). */
  content: string;
  mode: number;
  /** sha256 of what Kiro Proxy wrote: Undo warns when the file changed since. */
  written: string;
  at: number;
}

interface Pending {
  target: FileTarget;
  plan: ConfigPlan;
  realPath: string;
  mode: number | undefined;
  left: vscode.Uri;
  right: vscode.Uri;
  settle(outcome: 'applied' | 'cancelled'): void;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined) => (a === undefined ? b === undefined : b !== undefined && Buffer.compare(a, b) === 0);

async function readIfExists(path: string): Promise<{ bytes: Uint8Array; mode: number } | undefined> {
  try {
    const [bytes, st] = await Promise.all([readFile(path), stat(path)]);
    return { bytes, mode: st.mode & 0o7777 };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The masked texts the diff editor shows, served from memory (never written to disk). */
class ReviewDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  delete(uri: vscode.Uri): void {
    this.texts.delete(uri.toString());
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export class ClientConfigurator extends Disposable {
  private readonly context: vscode.ExtensionContext;
  private readonly controller: ProxyController;
  private readonly logger: Logger;
  private readonly loadPlanner: () => Planner;
  private readonly docs = this._register(new ReviewDocuments());
  private pending: Pending | undefined;

  constructor(context: vscode.ExtensionContext, controller: ProxyController, logger: Logger, loadPlanner: () => Planner) {
    super();
    this.context = context;
    this.controller = controller;
    this.logger = logger;
    this.loadPlanner = loadPlanner;
    this._register(vscode.workspace.registerTextDocumentContentProvider(REVIEW_SCHEME, this.docs));
    // Closing the diff is a Cancel.
    this._register(
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        const p = this.pending;
        if (p && e.closed.some((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === p.right.toString())) p.settle('cancelled');
      }),
    );
    this._register({ dispose: () => this.pending?.settle('cancelled') });
  }

  /** The whole flow; resolves when the change is applied or cancelled (or at once for a manual client). */
  async configure(targetId?: string): Promise<'applied' | 'cancelled' | 'unchanged' | 'shown'> {
    const target = targetId ? CLIENT_TARGETS.find((t) => t.id === targetId) : await this.pickTarget();
    if (!target) return 'cancelled';
    const ctx = await this.clientContext();
    if (target.kind === 'manual') {
      this.showManual(target, ctx);
      return 'shown';
    }
    return this.review(target, ctx);
  }

  /** Apply the change shown in the diff (notification button, diff title button, or command). */
  async apply(): Promise<void> {
    const p = this.pending;
    if (!p) {
      void vscode.window.showInformationMessage('There is no client configuration change waiting to be applied.');
      return;
    }
    try {
      await this.write(p);
      p.settle('applied');
    } catch (err) {
      p.settle('cancelled');
      throw err;
    }
  }

  cancel(): void {
    this.pending?.settle('cancelled');
  }

  async undo(targetId?: string): Promise<boolean> {
    const backups = (await Promise.all(CLIENT_TARGETS.map(async (t) => ({ t, b: await this.loadBackup(t.id) })))).filter(
      (x): x is { t: ClientTarget; b: Backup } => !!x.b,
    );
    let chosen = targetId ? backups.find((x) => x.t.id === targetId) : backups.length === 1 ? backups[0] : undefined;
    if (!chosen && !targetId && backups.length > 1) {
      const pick = await vscode.window.showQuickPick(
        backups.map((x) => ({ label: x.t.label, description: x.b.path, detail: `Changed ${new Date(x.b.at).toLocaleString()}`, x })),
        { title: 'Kiro: Undo Client Configuration', placeHolder: 'Which client file to restore' },
      );
      chosen = pick?.x;
      if (!pick) return false;
    }
    if (!chosen) {
      void vscode.window.showInformationMessage('There is no client configuration change of Kiro Proxy to undo.');
      return false;
    }
    const { t, b } = chosen;
    const now = await readIfExists(b.realPath);
    if (now && sha256(now.bytes) !== b.written) {
      const go = await vscode.window.showWarningMessage(
        `${b.path} changed after Kiro Proxy edited it. Undo restores the file as it was before Kiro Proxy's change, and the later changes are lost.`,
        { modal: true },
        'Restore',
      );
      if (go !== 'Restore') return false;
    }
    if (!b.existed) await unlink(b.realPath).catch(() => undefined);
    else await writeFileAtomic(b.realPath, Buffer.from(b.content, 'base64'), { mode: b.mode });
    await this.context.secrets.delete(BACKUP_PREFIX + t.id);
    this.logger.info(`restored ${b.path} (${t.label})`);
    void vscode.window.showInformationMessage(
      b.existed ? `Restored ${b.path} as it was before Kiro Proxy changed it.` : `Removed ${b.path}, which Kiro Proxy had created.`,
    );
    return true;
  }

  // ---- internals ----

  private async pickTarget(): Promise<ClientTarget | undefined> {
    const e = this.environment();
    const pick = await vscode.window.showQuickPick(
      CLIENT_TARGETS.map((t) => ({
        label: t.label,
        description: t.kind === 'file' ? tildePath(t.path(e)) : 'values to paste',
        detail: t.detail,
        t,
      })),
      { title: 'Kiro: Configure a client', placeHolder: 'Which client should use Kiro Proxy? You see the change before anything is written.' },
    );
    return pick?.t;
  }

  private environment(): Environment {
    return { env: process.env, home: homedir(), exists: existsSync };
  }

  private async clientContext(): Promise<ClientContext> {
    const requireKey = vscode.workspace.getConfiguration('kiroProxy').get<boolean>('requireApiKey', true);
    // Clients need some key; without a required one any value passes the proxy.
    return { baseUrl: this.controller.baseUrl(), apiKey: requireKey ? await this.controller.apiKey() : 'kiro-proxy', model: DEFAULT_MODEL_ID };
  }

  private async review(target: FileTarget, ctx: ClientContext): Promise<'applied' | 'cancelled' | 'unchanged'> {
    const e = this.environment();
    const refusal = target.refuse?.(e);
    if (refusal) throw new Error(refusal);
    const path = target.path(e);
    // A settings file kept as a link (dotfiles) is edited where it points, the link stays.
    const realPath = await realpath(path).catch(() => path);
    const current = await readIfExists(realPath);
    const plan = this.loadPlanner().planClientConfig(target, path, current?.bytes, ctx);
    if (!plan.changed) {
      void vscode.window.showInformationMessage(`${target.label} already uses Kiro Proxy (${tildePath(path)}).`);
      return 'unchanged';
    }
    this.pending?.settle('cancelled');

    const name = path.split(/[\\/]/).pop() ?? 'config';
    const left = vscode.Uri.from({ scheme: REVIEW_SCHEME, path: `/${target.id}/current/${name}` });
    const right = vscode.Uri.from({ scheme: REVIEW_SCHEME, path: `/${target.id}/with-kiro-proxy/${name}` });
    this.docs.set(left, plan.review.before);
    this.docs.set(right, plan.review.after);

    const done = new Promise<'applied' | 'cancelled'>((resolve) => {
      const p: Pending = {
        target,
        plan,
        realPath,
        mode: current?.mode,
        left,
        right,
        settle: (outcome) => {
          if (this.pending !== p) return;
          this.pending = undefined;
          if (outcome === 'cancelled') this.logger.info(`${target.label}: the change to ${path} was cancelled; nothing was written`);
          void vscode.commands.executeCommand('setContext', 'kiroProxy.reviewingClientConfig', false);
          void this.closeReview(p);
          resolve(outcome);
        },
      };
      this.pending = p;
    });
    void vscode.commands.executeCommand('setContext', 'kiroProxy.reviewingClientConfig', true);
    await vscode.commands.executeCommand('vscode.diff', left, right, `${target.label}: ${tildePath(path)} ↔ with Kiro Proxy (key masked)`, { preview: true });
    void this.ask(target, path);
    return done;
  }

  /** A notification, not a modal: the diff stays readable while the user decides. */
  private async ask(target: FileTarget, path: string): Promise<void> {
    const serving = this.controller.state.kind === 'running' || this.controller.state.kind === 'other-window';
    const text =
      `Apply this change to ${tildePath(path)}? It sets ${target.summary}; nothing else in the file changes, and "Kiro: Undo Client Configuration" restores it.` +
      (serving ? '' : ` Kiro Proxy is not running: ${target.label} cannot reach ${this.controller.baseUrl()} until you start it.`);
    const actions = serving ? ['Apply', 'Cancel'] : ['Apply and Start Proxy', 'Apply', 'Cancel'];
    const show = serving ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    const p = this.pending;
    const choice = await show(text, ...actions);
    if (this.pending !== p || !p) return;
    if (choice === 'Cancel') p.settle('cancelled');
    else if (choice === 'Apply' || choice === 'Apply and Start Proxy') {
      await this.apply().catch((err: unknown) => void vscode.window.showErrorMessage(`Kiro: ${err instanceof Error ? err.message : String(err)}`));
      if (choice === 'Apply and Start Proxy')
        await this.controller
          .ensureServing()
          .catch((err: unknown) => void vscode.window.showErrorMessage(`Kiro: ${err instanceof Error ? err.message : String(err)}`));
    }
    // Dismissed: the diff's title bar still offers Apply and Cancel.
  }

  private async write(p: Pending): Promise<void> {
    const { target, plan, realPath } = p;
    // The file may have changed while the diff was open: never overwrite that blindly.
    const now = await readIfExists(realPath);
    if (!sameBytes(now?.bytes, plan.before)) {
      throw new Error(`${tildePath(plan.path)} changed while the diff was open; nothing was written. Run "Kiro: Configure a client…" again.`);
    }
    await mkdir(dirname(realPath), { recursive: true });
    const mode = now?.mode ?? NEW_FILE_MODE;
    const backup: Backup = {
      path: plan.path,
      realPath,
      existed: now !== undefined,
      content: Buffer.from(now?.bytes ?? new Uint8Array()).toString('base64'),
      mode,
      written: sha256(plan.after),
      at: Date.now(),
    };
    // The backup may hold the user's own tokens (their settings file), so it lives in SecretStorage.
    await this.context.secrets.store(BACKUP_PREFIX + target.id, JSON.stringify(backup));
    await writeFileAtomic(realPath, plan.after, { mode });
    this.logger.info(`configured ${target.label} in ${plan.path} (${target.summary})`);
    void vscode.window.showInformationMessage(`${target.label} now uses Kiro Proxy. ${target.pickUp}`, 'Undo', 'Open File').then((c) => {
      if (c === 'Undo') void this.undo(target.id);
      else if (c === 'Open File') void vscode.window.showTextDocument(vscode.Uri.file(plan.path));
    });
  }

  private async closeReview(p: Pending): Promise<void> {
    const tabs = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === p.right.toString());
    if (tabs.length) await vscode.window.tabGroups.close(tabs).then(undefined, () => undefined);
    this.docs.delete(p.left);
    this.docs.delete(p.right);
  }

  private showManual(target: ManualTarget, ctx: ClientContext): void {
    const fields = target.fields(ctx);
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { value: string }>();
    qp.title = `${target.label}: paste these in ${target.where}`;
    qp.placeholder = `Kiro Proxy does not write ${target.label}'s settings (they live in its own extension storage). Enter copies the selected value.`;
    qp.items = fields.map((f) => ({
      label: f.label,
      description: f.secret ? maskSecrets(f.value, [ctx.apiKey]) : f.value,
      detail: 'Enter: copy',
      value: f.value,
    }));
    qp.ignoreFocusOut = true;
    qp.onDidAccept(async () => {
      const item = qp.selectedItems[0];
      if (!item) return;
      await vscode.env.clipboard.writeText(item.value);
      void vscode.window.showInformationMessage(`Copied the ${target.label} ${item.label}.`);
    });
    qp.onDidHide(() => qp.dispose());
    qp.show();
  }

  private async loadBackup(id: string): Promise<Backup | undefined> {
    const raw = await this.context.secrets.get(BACKUP_PREFIX + id);
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as Backup;
    } catch {
      return undefined;
    }
  }
}

function tildePath(p: string): string {
  const home = homedir();
  return p === home || p.startsWith(`${home}/`) ? `~${p.slice(home.length)}` : p;
}

/** Loads dist/client-config.js (kept out of activation: the YAML and TOML parsers are large). */
export function bundledPlanner(dir: string): () => Planner {
  let loaded: Planner | undefined;
  return () => (loaded ??= require(join(dir, 'client-config.js')) as Planner);
}
